/**
 * Registering a webhook, for the API and the Settings form alike: the input's shape
 * (domain/webhook_input.ts), then the URL's reachability under the outbound rules — its
 * scheme, port and every address its name resolves to right now (lib/net/safe_fetch.ts's
 * `resolveTarget`) — and only then the row. A refused URL is a 400 on the `url` field
 * naming the reason ("… resolves to 10.0.0.5, a private address"); a name that does not
 * resolve is refused too, since nothing could be delivered to it.
 *
 * The check is repeated at every delivery (app/webhook_sender.ts): passing it here is no
 * promise about what the name will resolve to later.
 *
 * @example
 * ```ts
 * const { webhook, secret } = await registerWebhook(services, user.id, await readBody(req).data);
 * ```
 */
import { createWebhook, type Webhook } from "@/db/webhooks.ts";
import { webhookInputSchema } from "@/domain/webhook_input.ts";
import { type Resolver, resolveTarget, SafeFetchError } from "@/lib/net/safe_fetch.ts";
import type { Services } from "./state.ts";
import { parseInput } from "@/lib/validate.ts";
import { ApiError } from "@/app/api_error.ts";

/** Options of {@linkcode registerWebhook}. */
export interface RegisterOptions {
  /** DNS for tests; default the system's resolver. */
  resolve?: Resolver;
}

/** Validates `input` (`{url, events}`), checks the URL may be reached, and registers it; the secret is for this answer only. */
export async function registerWebhook(
  services: Pick<Services, "db" | "config">,
  userId: string,
  input: unknown,
  options: RegisterOptions = {},
): Promise<{ webhook: Webhook; secret: string }> {
  const { url, events } = parseInput(webhookInputSchema, input);
  try {
    await resolveTarget(url, { allowLoopback: services.config.acceptLoopbackOrigins, resolve: options.resolve });
  } catch (error) {
    if (!(error instanceof SafeFetchError)) throw error;
    throw new ApiError(400, "One field needs attention", {
      details: { fields: { url: `This URL cannot receive webhooks: ${error.message}` }, reason: error.code },
    });
  }
  return await createWebhook(services.db, userId, url, events);
}
