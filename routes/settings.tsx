import { Actions, ErrorSummary, Field, SelectField } from "@/components/form.tsx";
import { PushDevices } from "@/components/PushDevices.tsx";
import { listPushDevices } from "@/db/push.ts";
import type { PushDevice } from "@/domain/push_device.ts";
import {
  type ApiToken,
  createToken,
  listTokens,
  revokeToken,
  saveSettings,
  type Settings,
  settingsOf,
} from "@/db/accounts.ts";
import type { AuthUser } from "@/db/users.ts";
import { formText, settingsFormSchema, TIME_ZONES, tokenNameSchema } from "@/domain/account_input.ts";
import { formFailure } from "@/app/account_form.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { formatDay, localDay, type Weekday, weekdayName } from "@/domain/calendar.ts";
import { type FreshContext, HttpError, page } from "fresh";
import { setFlash } from "@/app/flash.ts";
import { define, type State } from "@/app/state.ts";
import { type FieldErrors, parseInput } from "@/lib/validate.ts";
import { DISPLAY_NAME_MAX, TOKEN_NAME_MAX } from "@/domain/limits.ts";

/** The settings form's fields as text, so a failed submission comes back as typed. */
interface SettingsValues {
  displayName: string;
  timezone: string;
  weekStart: string;
  theme: string;
  emailReminders: boolean;
}

interface SettingsPage {
  user: AuthUser;
  values: SettingsValues;
  errors?: FieldErrors;
  tokens: ApiToken[];
  tokenName: string;
  tokenErrors?: FieldErrors;
  /** A token just created: its secret is on this response only. */
  newToken?: { name: string; secret: string };
  /** Push reminders: the server's VAPID key (null: push is off) and the user's devices. */
  push: { publicKey: string | null; devices: PushDevice[] };
}

function valuesOf(settings: Settings): SettingsValues {
  return {
    displayName: settings.displayName ?? "",
    timezone: settings.timezone,
    weekStart: String(settings.weekStart),
    theme: settings.theme,
    emailReminders: settings.emailReminders,
  };
}

/** The page's data with the user's current settings and tokens; `extra` overrides. */
async function pageData(ctx: FreshContext<State>, user: AuthUser, extra: Partial<SettingsPage> = {}) {
  const tokens = await listTokens(ctx.state.services.db, user.id);
  const push = {
    publicKey: ctx.state.services.push?.vapid?.publicKey ?? null,
    devices: await listPushDevices(ctx.state.services.db, user.id),
  };
  return { user, values: valuesOf(settingsOf(user)), tokens, tokenName: "", push, ...extra } satisfies SettingsPage;
}

export const handler = define.handlers({
  async GET(ctx) {
    ctx.state.title = "Settings";
    const user = requireUser(ctx);
    return page<SettingsPage>(await pageData(ctx, user));
  },

  /** Three forms post here, told apart by `intent`. */
  async POST(ctx) {
    ctx.state.title = "Settings";
    const user = requireUser(ctx);
    const { db } = ctx.state.services;
    const { data } = await readBody(ctx.req);
    switch (data.intent ?? "save-settings") {
      case "save-settings":
        try {
          await saveSettings(db, user.id, parseInput(settingsFormSchema, data));
          setFlash(ctx, "Settings saved.");
          return ctx.redirect("/settings", 303);
        } catch (error) {
          const failed = formFailure(error);
          if (!failed) throw error;
          const values = {
            displayName: formText(data.displayName),
            timezone: formText(data.timezone),
            weekStart: formText(data.weekStart),
            theme: formText(data.theme),
            emailReminders: data.emailReminders !== undefined,
          };
          return page<SettingsPage>(await pageData(ctx, user, { values, errors: failed.errors }), {
            status: failed.status,
          });
        }
      case "create-token":
        try {
          const { name } = parseInput(tokenNameSchema, data);
          const { token, secret } = await createToken(db, user.id, name);
          // Shown in this response and never again: the secret is stored nowhere (only its
          // hash), so there is nothing a redirect could fetch it back from. Not cached:
          // no signed-in response is (app/cache_control.ts).
          return page<SettingsPage>(await pageData(ctx, user, { newToken: { name: token.name, secret } }), {
            status: 201,
          });
        } catch (error) {
          const failed = formFailure(error);
          if (!failed) throw error;
          return page<SettingsPage>(
            await pageData(ctx, user, { tokenName: formText(data.name), tokenErrors: failed.errors }),
            { status: failed.status },
          );
        }
      case "revoke-token":
        await revokeToken(db, user.id, formText(data.tokenId));
        setFlash(ctx, "Token revoked. Scripts using it can no longer sign in.");
        return ctx.redirect("/settings#tokens", 303);
      default:
        throw new HttpError(400, "Unknown form: reload the settings page and try again");
    }
  },
});

const WEEKDAYS = ([1, 2, 3, 4, 5, 6, 7] as Weekday[]).map((day) => ({ value: day, label: weekdayName(day) }));
const THEME_OPTIONS = [
  { value: "system", label: "System (follow this device)" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];
const PLAN_NAMES: Record<string, string> = { free: "Free", pro: "Pro" };

/** Settings: profile and preferences, plan, and personal API tokens. */
export default define.page<typeof handler>(function SettingsPage({ data }) {
  const { user, values, errors } = data;
  const zones = TIME_ZONES.includes(values.timezone) || !values.timezone
    ? TIME_ZONES
    : [values.timezone, ...TIME_ZONES];
  return (
    <div class="settings-page">
      <header class="page-header">
        <h1>Settings</h1>
        <p class="muted">
          Signed in as <strong>{user.displayName ?? user.email}</strong>
          {user.displayName && <>{" "}({user.email})</>}
        </p>
      </header>

      <section class="card settings-section" aria-labelledby="preferences-heading">
        <h2 id="preferences-heading">Profile and preferences</h2>
        <ErrorSummary errors={errors} />
        <form method="post" action="/settings">
          <input type="hidden" name="intent" value="save-settings" />
          <Field
            label="Display name"
            name="displayName"
            value={values.displayName}
            error={errors?.displayName}
            hint="Shown instead of your e-mail. Leave empty to use your e-mail."
            autocomplete="nickname"
            maxLength={DISPLAY_NAME_MAX}
          />
          <SelectField
            label="Timezone"
            name="timezone"
            value={values.timezone}
            options={zones.map((zone) => ({ value: zone, label: zone }))}
            error={errors?.timezone}
            hint={`Your days start at midnight here. Today there is ${formatDay(localDay(user.timezone))}.`}
          />
          <SelectField
            label="Week starts on"
            name="weekStart"
            value={values.weekStart}
            options={WEEKDAYS}
            error={errors?.weekStart}
          />
          <SelectField label="Theme" name="theme" value={values.theme} options={THEME_OPTIONS} error={errors?.theme} />
          <div class={errors?.emailReminders ? "field field-invalid" : "field"}>
            <label class="choice" for="field-emailReminders">
              <input
                type="checkbox"
                id="field-emailReminders"
                name="emailReminders"
                checked={values.emailReminders}
                aria-describedby="field-emailReminders-hint"
              />{" "}
              E-mail me my reminders
            </label>
            <p class="field-hint" id="field-emailReminders-hint">
              Off: reminders only show up in the app.
            </p>
            {errors?.emailReminders && <p class="field-error">{errors.emailReminders}</p>}
          </div>
          <Actions>
            <button type="submit" class="button button-primary">Save settings</button>
          </Actions>
        </form>
      </section>

      <PushDevices publicKey={data.push.publicKey} devices={data.push.devices} />

      <section class="card settings-section" aria-labelledby="security-heading">
        <h2 id="security-heading">Security</h2>
        <p>
          Change your password, see where you are signed in, or delete your account:{" "}
          <a href="/settings/security">Security settings</a>
        </p>
      </section>

      <section class="card settings-section" aria-labelledby="vacation-link-heading">
        <h2 id="vacation-link-heading">Vacation mode</h2>
        <p>
          Going away? Pause every habit so that streaks survive and reminders stay quiet:{" "}
          <a href="/settings/pauses">Vacation mode</a>
        </p>
      </section>

      <section class="card settings-section" aria-labelledby="webhooks-link-heading">
        <h2 id="webhooks-link-heading">Webhooks</h2>
        <p>
          Send your check-ins, habits and goals to another app as they happen:{" "}
          <a href="/settings/webhooks">Manage webhooks</a>
        </p>
      </section>

      <section class="card settings-section" aria-labelledby="plan-heading">
        <h2 id="plan-heading">Plan</h2>
        <p>
          You are on the <strong class="plan-badge">{PLAN_NAMES[user.plan] ?? user.plan}</strong> plan.{" "}
          <a href="/upgrade">{user.plan === "free" ? "Upgrade to Pro" : "See plans"}</a>
        </p>
      </section>

      <section class="card settings-section" id="tokens" aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">API tokens</h2>
        <p class="muted">
          Personal tokens let scripts use the API as you: send <code>Authorization: Bearer &lt;token&gt;</code>.
        </p>
        {data.newToken && <NewTokenSecret name={data.newToken.name} secret={data.newToken.secret} />}
        <TokenList tokens={data.tokens} timezone={user.timezone} />
        <ErrorSummary errors={data.tokenErrors} />
        <form method="post" action="/settings#tokens" class="token-create">
          <input type="hidden" name="intent" value="create-token" />
          <Field
            label="New token name"
            name="name"
            value={data.tokenName}
            error={data.tokenErrors?.name}
            placeholder="e.g. laptop script"
            maxLength={TOKEN_NAME_MAX}
            required
          />
          <Actions>
            <button type="submit" class="button">Create token</button>
          </Actions>
        </form>
      </section>
    </div>
  );
});

function NewTokenSecret({ name, secret }: { name: string; secret: string }) {
  return (
    <div class="token-secret" role="status">
      <p>
        <strong>Token “{name}” created.</strong> Copy it now: it will not be shown again.
      </p>
      <label for="new-token-secret" class="visually-hidden">New token secret</label>
      <input id="new-token-secret" class="token-secret-value" type="text" readOnly value={secret} />
    </div>
  );
}

function TokenList({ tokens, timezone }: { tokens: ApiToken[]; timezone: string }) {
  if (tokens.length === 0) return <p class="muted">No tokens yet.</p>;
  return (
    <ul class="token-list">
      {tokens.map((token) => (
        <li class="token-item" key={token.id}>
          <div class="token-info">
            <strong class="token-name">{token.name}</strong>
            <span class="muted">
              Created {formatDay(localDay(timezone, token.createdAt))} ·{" "}
              {token.lastUsedAt ? `last used ${formatDay(localDay(timezone, token.lastUsedAt))}` : "never used"}
            </span>
          </div>
          <form method="post" action="/settings" class="inline-form">
            <input type="hidden" name="intent" value="revoke-token" />
            <input type="hidden" name="tokenId" value={token.id} />
            <button type="submit" class="button button-danger" aria-label={`Revoke token ${token.name}`}>
              Revoke
            </button>
          </form>
        </li>
      ))}
    </ul>
  );
}
