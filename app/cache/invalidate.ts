/**
 * Cache invalidation: every write that changes what a user sees bumps that user's cache
 * version (see ./user_cache.ts), which every instance reads before serving a cached read
 * or a remembered session, so the next read anywhere is fresh.
 *
 * Three ways in, one function underneath ({@linkcode invalidateUsers}):
 * - {@linkcode invalidateOnWrite}, a root middleware: every unsafe request (POST/PUT/PATCH/
 *   DELETE, JSON and form posts alike) that ended in 2xx/3xx bumps the signed-in user and
 *   every user the handler named with {@linkcode markUsersChanged}, before the response
 *   goes out. No mutating route can forget its own user; a route that changes someone it
 *   was not signed in as (Stripe's webhook changes a plan) names them.
 * - Work outside requests (app/scheduler.ts jobs) returns the users it changed and the
 *   scheduler bumps them ({@linkcode invalidateQuietly}).
 * - tests/lib/cache/writers_test.ts walks every such writer and compares each user's rows
 *   before and after: a user whose rows changed without a bump fails it.
 *
 * When the bump fails (KV down or too slow), the write has already happened in Postgres
 * and cannot be undone: the response is still sent, the failure is logged at `error`
 * level (alerts watch it), and the stale entry lives at most its TTL (60 s).
 *
 * @example
 * ```ts
 * export const handler = define.middleware([authenticate, csrfGuard, invalidateOnWrite]);
 * markUsersChanged(ctx.state, [customerUserId]); // in a handler that changed another user
 * await invalidateQuietly(kv, deliveries.map((d) => d.userId), "scheduler.reminders");
 * ```
 */
import type { FreshContext } from "fresh";
import { withTimeout } from "@/lib/kv.ts";
import { commitGrouped } from "@/lib/kv_commits.ts";
import { log } from "@/lib/log.ts";
import type { State } from "@/app/state.ts";
import { NO_VERSION, readVersion, VERSION_TTL_MS, versionKey } from "@/lib/cache/user_cache.ts";
import { carryRemembered, remembersAt } from "@/app/auth/remembered.ts";
import { HttpError } from "fresh";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Version bumps per atomic commit (KV allows 1000 mutations; keep commits small). */
const BUMPS_PER_COMMIT = 100;

/**
 * Bumps the cache version of every user in `userIds`, so every cached read and remembered
 * session of theirs is re-read from Postgres from now on, on every instance. A bump is a
 * blind `set` (the new versionstamp is the version), so it never conflicts; it carries
 * `expireIn` like every KV entry of the app.
 */
export async function invalidateUsers(kv: Deno.Kv, userIds: Iterable<string>, timeoutMs?: number): Promise<void> {
  const ids = [...new Set(userIds)];
  for (let first = 0; first < ids.length; first += BUMPS_PER_COMMIT) {
    const bumpedAt = Date.now();
    const sets = ids.slice(first, first + BUMPS_PER_COMMIT).map((id) => ({
      key: versionKey(id),
      value: { bumpedAt },
      expireIn: VERSION_TTL_MS,
    }));
    // Grouped with the other requests' commits (lib/kv_commits.ts): resolves once this
    // bump is durable, so the response still goes out after it.
    const versionstamp = await withTimeout(commitGrouped(kv, { sets }), timeoutMs, "KV cache version bump");
    if (versionstamp === null) throw new Error("KV cache version bump was not committed");
  }
}

/** {@linkcode invalidateUsers} for one user. */
export function invalidateUser(kv: Deno.Kv, userId: string, timeoutMs?: number): Promise<void> {
  return invalidateUsers(kv, [userId], timeoutMs);
}

/**
 * {@linkcode invalidateUsers} after a write that already happened: a failure is logged
 * (`cache.invalidate_failed`, error level), never thrown, since the write stands.
 */
export async function invalidateQuietly(kv: Deno.Kv, userIds: Iterable<string>, where: string): Promise<void> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return;
  try {
    await invalidateUsers(kv, ids);
  } catch (error) {
    log.error("cache.invalidate_failed", { where, users: ids.length, userIds: ids.slice(0, 10), error });
  }
}

/**
 * Names users a request changed besides the signed-in one (e.g. the customer of a
 * Stripe event): {@linkcode invalidateOnWrite} bumps them once the request succeeded.
 */
export function markUsersChanged(state: Pick<State, "changedUserIds">, userIds: Iterable<string>): void {
  state.changedUserIds ??= new Set();
  for (const id of userIds) state.changedUserIds.add(id);
}

/** Root middleware: after a successful unsafe request, invalidates the users it changed. */
export function invalidateOnWrite(ctx: FreshContext<State>): Promise<Response> {
  // A safe method changes nothing: pass it on without an async frame of its own.
  if (!UNSAFE.has(ctx.req.method)) return ctx.next();
  return invalidateAfter(ctx);
}

async function invalidateAfter(ctx: FreshContext<State>): Promise<Response> {
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
  if (ctx.state.keepsAuth && !ctx.state.changedUserIds?.size && await bumpKeepingAuth(ctx.state)) return;
  // The user as authenticated before the handler: logout clears the session, not the id.
  const ids = new Set(ctx.state.changedUserIds);
  if (ctx.state.user) ids.add(ctx.state.user.id);
  await invalidateQuietly(ctx.state.services.kv, ids, `${ctx.req.method} ${ctx.url.pathname}`);
}

/**
 * Marks the request's write as one that cannot change the signed-in user's credentials
 * or profile (a check-in), so the bump after it keeps this instance's memory of the
 * user (see {@linkcode bumpKeepingAuth}): their next request here needs no lookup.
 */
export function keepsSignedInUser(state: Pick<State, "keepsAuth">): void {
  state.keepsAuth = true;
}

/**
 * The signed-in user's bump when their write left credentials and profile alone: a
 * commit that checks the version is still the one the request authenticated under.
 * When it commits, nothing else (a log-out, a revoked token, a settings change on any
 * instance) moved the version in between, so this instance's memory of the user is
 * carried to the new version (app/auth/remembered.ts `carryRemembered`).
 *
 * When the check fails because another write of the user committed first, the version
 * now in KV is read: if this instance remembers the user under exactly that version,
 * that write was one that kept them too (another check-in here carried the memory to
 * it; a memory is only ever stored or carried under a version its credentials were
 * valid at), so the bump is checked against it instead, up to
 * {@linkcode KEEP_AUTH_TRIES} times. Two check-ins of one user at once (two devices, a
 * script) then both keep the memory instead of costing the next request a lookup.
 * Otherwise returns false: the caller bumps blindly and the memory is dropped, as for
 * any write. Other instances forget the user either way.
 */
async function bumpKeepingAuth(state: State): Promise<boolean> {
  const { user, userVersion, services } = state;
  if (!user || userVersion === undefined || userVersion === NO_VERSION) return false;
  const key = versionKey(user.id);
  try {
    let expected = userVersion;
    for (let tries = 0; tries < KEEP_AUTH_TRIES; tries++) {
      const versionstamp = await withTimeout(
        commitGrouped(services.kv, {
          checks: [{ key, versionstamp: expected }],
          sets: [{ key, value: { bumpedAt: Date.now() }, expireIn: VERSION_TTL_MS }],
        }),
        undefined,
        "KV cache version bump",
      );
      if (versionstamp !== null) {
        carryRemembered(services, user.id, expected, versionstamp);
        return true;
      }
      const current = await readVersion(services.kv, user.id);
      if (current === NO_VERSION || !remembersAt(services, user.id, current)) return false;
      expected = current;
    }
    return false;
  } catch (error) {
    log.warn("cache.invalidate_checked_failed", { userId: user.id, error });
    return false; // bumped blindly next, which logs at error level if KV is really down
  }
}

/** Checked bumps one write tries before it gives the memory up (see {@linkcode bumpKeepingAuth}). */
const KEEP_AUTH_TRIES = 3;
