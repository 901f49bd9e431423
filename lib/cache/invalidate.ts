/**
 * Cache invalidation: every mutation bumps the user's cache version (see ./user_cache.ts),
 * which every instance reads before serving an entry, so the next read anywhere is a MISS.
 *
 * {@linkcode invalidateOnWrite} is a root middleware, so no mutating route can forget:
 * every unsafe request (POST/PUT/PATCH/DELETE, JSON and form posts alike) of a signed-in
 * user that ended in 2xx/3xx bumps the version before its response goes out. Writes made
 * outside a request (jobs, reminders, scripts) call {@linkcode invalidateUser} themselves.
 *
 * When the bump fails (KV down or too slow), the write has already happened in Postgres
 * and cannot be undone: the response is still sent, the failure is logged at `error`
 * level (alerts watch it), and the stale entry lives at most its TTL (60 s).
 *
 * @example
 * ```ts
 * export const handler = define.middleware([authenticate, csrfGuard, invalidateOnWrite]);
 * await invalidateUser(kv, userId); // after a background job changed the user's data
 * ```
 */
import { HttpError } from "../fresh/http_error.ts";
import type { FreshContext } from "../fresh/mod.ts";
import { withTimeout } from "../kv.ts";
import { log } from "../log.ts";
import type { State } from "../state.ts";
import { versionKey } from "./user_cache.ts";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Bumps the user's cache version, so every cached read of theirs misses from now on, on
 * every instance. `sum` needs no read and no check, so it never conflicts.
 */
export async function invalidateUser(kv: Deno.Kv, userId: string, timeoutMs?: number): Promise<void> {
  const result = await withTimeout(
    kv.atomic().sum(versionKey(userId), 1n).commit(),
    timeoutMs,
    "KV cache version bump",
  );
  if (!result.ok) throw new Error("KV cache version bump was not committed");
}

/** Root middleware: after a signed-in user's successful unsafe request, invalidates their cache. */
export async function invalidateOnWrite(ctx: FreshContext<State>): Promise<Response> {
  if (!UNSAFE.has(ctx.req.method)) return await ctx.next();
  let response: Response;
  try {
    response = await ctx.next();
  } catch (error) {
    // A 4xx wrote nothing (no partial writes); anything else may have written: bump.
    if (!(error instanceof HttpError && error.status < 500)) await bump(ctx);
    throw error;
  }
  if (response.status < 400) await bump(ctx);
  return response;
}

async function bump(ctx: FreshContext<State>): Promise<void> {
  // The user as authenticated before the handler: logout clears the session, not the id.
  const user = ctx.state.user;
  if (!user) return;
  try {
    await invalidateUser(ctx.state.services.kv, user.id);
  } catch (error) {
    log.error("cache.invalidate_failed", { userId: user.id, path: ctx.url.pathname, error });
  }
}
