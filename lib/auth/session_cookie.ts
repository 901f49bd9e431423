/**
 * The session cookie: `HttpOnly; SameSite=Lax; Path=/`, `Secure` (and the `__Host-`
 * prefix, which pins it to this host) when the app is served over https.
 *
 * @example
 * ```ts
 * headers.append("Set-Cookie", sessionCookie(config, secret));
 * const secret = readSessionCookie(config, req.headers.get("cookie"));
 * ```
 */
import type { Config } from "@/lib/config.ts";

/** Sliding sessions: a session lasts this long after it was last seen (the cookie and the row alike). */
export const SESSION_DAYS = 30;

function cookieName(config: Pick<Config, "appOrigin">): string {
  return config.appOrigin.startsWith("https:") ? "__Host-cg_session" : "cg_session";
}

function attributes(config: Pick<Config, "appOrigin">): string {
  return `Path=/; HttpOnly; SameSite=Lax${config.appOrigin.startsWith("https:") ? "; Secure" : ""}`;
}

/** `Set-Cookie` value that stores the session secret for 30 days. */
export function sessionCookie(config: Pick<Config, "appOrigin">, secret: string): string {
  return `${cookieName(config)}=${secret}; Max-Age=${SESSION_DAYS * 86_400}; ${attributes(config)}`;
}

/** `Set-Cookie` value that removes the session cookie. */
export function clearSessionCookie(config: Pick<Config, "appOrigin">): string {
  return `${cookieName(config)}=; Max-Age=0; ${attributes(config)}`;
}

/** The session secret from a `Cookie` header, if present and well-formed. */
export function readSessionCookie(config: Pick<Config, "appOrigin">, header: string | null): string | undefined {
  if (!header) return undefined;
  const name = cookieName(config);
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) {
      const value = rest.join("=");
      return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}
