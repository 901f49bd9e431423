/**
 * What the app needs for push reminders and one-tap links, resolved once at start-up
 * (lib/server.ts) and shared by the scheduler and the routes: the VAPID keys (null:
 * push is off, reminders go by e-mail and in-app), the one-tap HMAC keys (null: no
 * `APP_SECRET` with `DATABASE_URL`, reminders go without Done/Skip links), and whether
 * subscriptions may name a loopback `http:` endpoint (tests only).
 *
 * `PUSH_ALLOW_LOOPBACK_ENDPOINTS=true` lets a subscription's endpoint be
 * `http://127.0.0.1:…`: the local push service of the tests and of a developer's own
 * experiments. Never set it on a server others can reach: the server would POST to
 * its own loopback services on anyone's behalf.
 *
 * @example
 * ```ts
 * const push = await resolvePushServices(config);
 * if (!push.vapid) log.warn("push.off", { reason: push.offReason });
 * ```
 */
import { resolveAppSecret } from "@/lib/app_secret.ts";
import { type Config, ConfigError } from "@/lib/config.ts";
import { oneTapKey } from "@/lib/one_tap.ts";
import { resolveVapidKeys, type VapidKeys } from "./vapid_keys.ts";

/** Push and one-tap, as the app runs them. */
export interface PushServices {
  /** Null: push is off (`offReason` says why). */
  vapid: VapidKeys | null;
  offReason: string | null;
  /** Keys that verify one-tap tokens, the signing key first; null: links are off (`linksOffReason`). */
  oneTapKeys: CryptoKey[] | null;
  linksOffReason: string | null;
  /** Subscriptions may name `http://127.0.0.1:…` endpoints (tests). */
  allowLoopbackEndpoints: boolean;
}

/** What the push routes answer when push is off on this server (no VAPID keys with `DATABASE_URL`). */
export const PUSH_OFF_MESSAGE = "Push reminders are not set up on this server: reminders come by e-mail and in the app";

/** What a server without push or links has: both off. */
export const PUSH_OFF: PushServices = {
  vapid: null,
  offReason: "push is not configured",
  oneTapKeys: null,
  linksOffReason: "one-tap links are not configured",
  allowLoopbackEndpoints: false,
};

/**
 * Resolves push and one-tap from `env` (the process environment by default): keys from
 * the environment, or in embedded mode generated once under `config.dataDir`. Throws a
 * `ConfigError` for unusable values.
 */
export async function resolvePushServices(
  config: Pick<Config, "databaseUrl" | "dataDir" | "appOrigin">,
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Promise<PushServices> {
  const get = (name: string) => env(name)?.trim() || undefined;
  // ":memory:" is the tests' embedded database: nothing may be written for it either.
  const dataDir = config.databaseUrl || config.dataDir === ":memory:" ? undefined : config.dataDir;
  const vapid = await resolveVapidKeys(
    { publicKey: get("VAPID_PUBLIC_KEY"), privateKey: get("VAPID_PRIVATE_KEY"), subject: get("VAPID_SUBJECT") },
    { dataDir, defaultSubject: defaultSubject(config.appOrigin) },
  );
  const secret = await resolveAppSecret(get("APP_SECRET"), { dataDir });
  const allow = get("PUSH_ALLOW_LOOPBACK_ENDPOINTS");
  if (allow !== undefined && !/^(true|false)$/.test(allow)) {
    throw new ConfigError(`PUSH_ALLOW_LOOPBACK_ENDPOINTS must be true or false, got "${allow}"`);
  }
  return {
    vapid: vapid.keys,
    offReason: vapid.keys ? null : vapid.reason,
    oneTapKeys: secret.secret === null ? null : [await oneTapKey(secret.secret)],
    linksOffReason: secret.secret === null ? secret.reason : null,
    allowLoopbackEndpoints: allow === "true",
  };
}

/**
 * The VAPID contact when `VAPID_SUBJECT` is unset (embedded mode): the app's own
 * https origin, or a mailto: at a placeholder for a localhost app (push services
 * refuse a localhost subject).
 */
function defaultSubject(appOrigin: string): string {
  const url = new URL(appOrigin);
  const local = url.hostname === "localhost" || url.hostname.endsWith(".localhost") ||
    /^[\d.]+$|^\[/.test(url.hostname);
  return url.protocol === "https:" && !local ? url.origin : "mailto:reminders@localhost.invalid";
}
