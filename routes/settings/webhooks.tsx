import { registerWebhook } from "@/app/webhook_registration.ts";
import { Actions, ChoiceGroup, ErrorSummary, Field } from "@/components/form.tsx";
import { deleteWebhook, listDeliveries, listWebhooks, type Webhook, type WebhookDelivery } from "@/db/webhooks.ts";
import type { AuthUser } from "@/db/users.ts";
import { WEBHOOK_EVENT_LABELS, WEBHOOK_EVENTS } from "@/domain/webhook_input.ts";
import { formFailure } from "@/app/account_form.ts";
import { formText } from "@/domain/account_input.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { formatDay, localDay } from "@/domain/calendar.ts";
import { setFlash } from "@/app/flash.ts";
import { type FreshContext, HttpError, page } from "fresh";
import { define, type State } from "@/app/state.ts";
import type { FieldErrors } from "@/lib/validate.ts";
import { WEBHOOK_URL_MAX } from "@/domain/limits.ts";

interface WebhooksPage {
  user: AuthUser;
  webhooks: (Webhook & { deliveries: WebhookDelivery[] })[];
  values: { url: string; events: string[] };
  errors?: FieldErrors;
  /** A webhook just created: its signing secret is on this response only. */
  created?: { url: string; secret: string };
}

/** The page's data: every webhook with its last deliveries; `extra` overrides. */
async function pageData(ctx: FreshContext<State>, user: AuthUser, extra: Partial<WebhooksPage> = {}) {
  const { db } = ctx.state.services;
  const webhooks = await Promise.all(
    (await listWebhooks(db, user.id)).map(async (webhook) => ({
      ...webhook,
      deliveries: (await listDeliveries(db, user.id, webhook.id)) ?? [],
    })),
  );
  return { user, webhooks, values: { url: "", events: [...WEBHOOK_EVENTS] }, ...extra } satisfies WebhooksPage;
}

export const handler = define.handlers({
  async GET(ctx) {
    ctx.state.title = "Webhooks";
    const user = requireUser(ctx);
    return page<WebhooksPage>(await pageData(ctx, user));
  },

  /** Two forms post here, told apart by `intent`: create (201 with the secret) and delete (303 back). */
  async POST(ctx) {
    ctx.state.title = "Webhooks";
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    switch (data.intent) {
      case "create-webhook":
        try {
          const { webhook, secret } = await registerWebhook(ctx.state.services, user.id, {
            url: data.url,
            events: data.events ?? [],
          });
          // Shown on this response only (not cached: no signed-in response is).
          return page<WebhooksPage>(await pageData(ctx, user, { created: { url: webhook.url, secret } }), {
            status: 201,
          });
        } catch (error) {
          const failed = formFailure(error, "url");
          if (!failed) throw error;
          const events = Array.isArray(data.events) ? data.events.map(formText) : [formText(data.events)];
          return page<WebhooksPage>(
            await pageData(ctx, user, { values: { url: formText(data.url), events }, errors: failed.errors }),
            { status: failed.status },
          );
        }
      case "delete-webhook":
        await deleteWebhook(ctx.state.services.db, user.id, formText(data.webhookId));
        setFlash(ctx, "Webhook deleted. Nothing more is sent to it.");
        return ctx.redirect("/settings/webhooks", 303);
      default:
        throw new HttpError(400, "Unknown form: reload the webhooks page and try again");
    }
  },
});

const STATUS_WORDS: Record<WebhookDelivery["status"], string> = {
  pending: "Waiting",
  delivered: "Delivered",
  retrying: "Will retry",
  failed: "Failed",
};

/** Settings → Webhooks: register URLs for events, see each one's last deliveries, delete them. */
export default define.page<typeof handler>(function WebhooksSettings({ data }) {
  const { user, webhooks, values, errors, created } = data;
  return (
    <div class="settings-page">
      <header class="page-header">
        <h1>Webhooks</h1>
        <p class="muted">
          <a href="/settings">Settings</a>{" "}
          · We send a signed POST to your URL when something happens in your account. Verify the{" "}
          <code>X-CG-Signature</code> header with the secret (see the README, “Webhooks”).
        </p>
      </header>

      {created && (
        <div class="card token-secret" role="status">
          <p>
            <strong>Webhook for {created.url} created.</strong> Copy its signing secret now: it will not be shown again.
          </p>
          <label for="new-webhook-secret" class="visually-hidden">Signing secret</label>
          <input id="new-webhook-secret" class="token-secret-value" type="text" readOnly value={created.secret} />
        </div>
      )}

      <section class="card settings-section" id="webhooks" aria-labelledby="webhooks-heading">
        <h2 id="webhooks-heading">Your webhooks</h2>
        {webhooks.length === 0 && <p class="muted">No webhooks yet.</p>}
        {webhooks.map((webhook) => (
          <article class="webhook" key={webhook.id} aria-labelledby={`webhook-${webhook.id}`}>
            <h3 id={`webhook-${webhook.id}`} class="webhook-url">{webhook.url}</h3>
            <p class="muted">
              {webhook.events.join(", ")} · since {formatDay(localDay(user.timezone, webhook.createdAt))}
            </p>
            <DeliveryTable deliveries={webhook.deliveries} timezone={user.timezone} />
            <form method="post" action="/settings/webhooks" class="inline-form">
              <input type="hidden" name="intent" value="delete-webhook" />
              <input type="hidden" name="webhookId" value={webhook.id} />
              <button type="submit" class="button button-danger" aria-label={`Delete the webhook to ${webhook.url}`}>
                Delete
              </button>
            </form>
          </article>
        ))}
      </section>

      <section class="card settings-section" aria-labelledby="new-webhook-heading">
        <h2 id="new-webhook-heading">Add a webhook</h2>
        <ErrorSummary errors={errors} />
        <form method="post" action="/settings/webhooks">
          <input type="hidden" name="intent" value="create-webhook" />
          <Field
            label="URL"
            name="url"
            type="url"
            value={values.url}
            error={errors?.url}
            hint="A public https:// address. Addresses on private networks are refused."
            maxLength={WEBHOOK_URL_MAX}
            required
          />
          <ChoiceGroup
            legend="Send these events"
            name="events"
            type="checkbox"
            options={WEBHOOK_EVENTS.map((event) => ({
              value: event,
              label: `${event}: ${WEBHOOK_EVENT_LABELS[event]}`,
            }))}
            selected={values.events}
            error={errors?.events ?? errors?.["events.0"]}
          />
          <Actions>
            <button type="submit" class="button button-primary">Add webhook</button>
          </Actions>
        </form>
      </section>
    </div>
  );
});

/** The last deliveries of one webhook, newest first. */
function DeliveryTable({ deliveries, timezone }: { deliveries: WebhookDelivery[]; timezone: string }) {
  if (deliveries.length === 0) return <p class="muted">Nothing sent yet.</p>;
  const time = (at: Date) =>
    new Date(at).toLocaleString("en-GB", { timeZone: timezone, dateStyle: "medium", timeStyle: "short" });
  return (
    <div class="table-scroll">
      <table class="deliveries">
        <caption class="visually-hidden">Last {deliveries.length} deliveries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Answer</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.id} data-status={delivery.status}>
              <td>
                <code>{delivery.event}</code>
              </td>
              <td>{STATUS_WORDS[delivery.status]}</td>
              <td>{delivery.attempts}</td>
              <td>{delivery.responseStatus ? `HTTP ${delivery.responseStatus}` : delivery.error ?? "—"}</td>
              <td>{time(delivery.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
