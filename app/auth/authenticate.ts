/**
 * Who is asking: a `Bearer` personal API token, or the session cookie. Sets
 * `ctx.state.user` and `ctx.state.auth`; an unknown token is a 401 (a script should
 * learn its token is wrong), an unknown cookie is simply no user.
 *
 * @example
 * ```ts
 * // routes/_middleware.ts
 * export const handler = [authenticate, csrfGuard];
 * ```
 */
import { findUserBySession, findUserByToken } from "@/db/users.ts";
import type { FreshContext } from "fresh";
import type { State } from "@/app/state.ts";
import { rememberedUser } from "./auth_cache.ts";
import { sha256Hex } from "@/lib/auth/secret.ts";
import { readSessionCookie } from "@/lib/auth/session_cookie.ts";
import { HttpError } from "fresh";

/** Health checks must answer without I/O, whatever cookies a probe sends. */
const NO_AUTH = /^\/api\/health(\/|$)/;

export function authenticate(ctx: FreshContext<State>): Promise<Response> {
  if (NO_AUTH.test(ctx.url.pathname)) return ctx.next();
  // No credential header: nothing to look up, so no async frame either (the common
  // anonymous request, probes, assets).
  const authorization = ctx.req.headers.get("authorization");
  if (!authorization && !ctx.req.headers.has("cookie")) return ctx.next();
  return authenticateWith(ctx, authorization);
}

async function authenticateWith(ctx: FreshContext<State>, authorization: string | null): Promise<Response> {
  const { db, config } = ctx.state.services;
  if (authorization) {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    const tokenHash = token ? await sha256Hex(token) : null;
    const found = tokenHash
      ? await rememberedUser(ctx.state.services, `t:${tokenHash}`, () => findUserByToken(db, tokenHash))
      : null;
    if (!found) throw new HttpError(401, "The API token is missing, malformed or revoked");
    ctx.state.user = found.user;
    ctx.state.userVersion = found.version;
    ctx.state.auth = { kind: "token" };
    return ctx.next();
  }
  const secret = readSessionCookie(config, ctx.req.headers.get("cookie"));
  if (secret) {
    const sessionHash = await sha256Hex(secret);
    const found = await rememberedUser(
      ctx.state.services,
      `s:${sessionHash}`,
      () => findUserBySession(db, sessionHash),
    );
    if (found) {
      ctx.state.user = found.user;
      ctx.state.userVersion = found.version;
      ctx.state.auth = { kind: "session", sessionHash };
    }
  }
  return ctx.next();
}
