/**
 * Which origins are this server's own, for the CSRF guard and for absolute links.
 *
 * With `APP_ORIGIN` set, only that origin is ours: strict, as in production. With it
 * unset (a first run on a laptop), the server answers on `localhost`, `127.0.0.1` and
 * `[::1]` alike, and a browser that opened any of them must be able to sign up: the
 * origin the request was addressed to (its `Host`) is ours too when it is one of those
 * loopback names. Another local server (`http://localhost:3000`) is a different origin
 * and stays refused; so does a rebinding domain that resolves to 127.0.0.1, whose
 * hostname is not a loopback name.
 *
 * @example
 * ```ts
 * isOwnOrigin(config, "http://127.0.0.1:8000", new URL("http://127.0.0.1:8000/signup")); // true when APP_ORIGIN is unset
 * linkOrigin(config, ctx.url); // "http://127.0.0.1:8000" for a browser on that origin
 * ```
 */
import type { Config } from "@/lib/config.ts";

/** Host names that always mean this machine (as `URL.hostname` spells them). */
export const LOOPBACK_HOSTNAMES: readonly string[] = ["localhost", "127.0.0.1", "[::1]"];

type OriginConfig = Pick<Config, "appOrigin" | "acceptLoopbackOrigins">;

/** The loopback origin `url` was addressed to, when `APP_ORIGIN` is unset; else undefined. */
function loopbackOrigin(config: OriginConfig, url: URL): string | undefined {
  if (!config.acceptLoopbackOrigins || url.protocol !== "http:") return undefined;
  return LOOPBACK_HOSTNAMES.includes(url.hostname) ? url.origin : undefined;
}

/** True when `origin` (an `Origin` header) is this server's, for a request to `url`. */
export function isOwnOrigin(config: OriginConfig, origin: string, url: URL): boolean {
  return origin === config.appOrigin || origin === loopbackOrigin(config, url);
}

/**
 * The origin to put in absolute links sent back to this browser (Stripe's return URL):
 * the loopback origin it is on when `APP_ORIGIN` is unset, so its session cookie comes
 * along; otherwise `APP_ORIGIN`.
 */
export function linkOrigin(config: OriginConfig, url: URL): string {
  return loopbackOrigin(config, url) ?? config.appOrigin;
}
