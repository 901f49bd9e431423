/**
 * The guard every signed-in route starts with.
 *
 * @example
 * ```ts
 * const user = requireUser(ctx); // 401 for the API; pages redirect to /login?next=…
 * ```
 */
import type { AuthUser } from "@/db/users.ts";
import type { FreshContext } from "fresh";
import type { State } from "@/app/state.ts";
import { HttpError } from "fresh";

export function requireUser(ctx: FreshContext<State>): AuthUser {
  if (!ctx.state.user) throw new HttpError(401);
  return ctx.state.user;
}

/** The hash of the request's own session when it came with the session cookie (undefined for a token or nobody). */
export function currentSessionHash(ctx: FreshContext<State>): string | undefined {
  return ctx.state.auth?.kind === "session" ? ctx.state.auth.sessionHash : undefined;
}
