/**
 * The KV half of deleting an account (Postgres erases its rows in one statement:
 * db/accounts.ts `deleteAccount`): every KV entry that is the user's goes, in the same
 * request —
 *
 * - the read cache (`["cache", userId, …]`) and the user's cache version, whose
 *   disappearance also makes every instance forget the user's sessions and tokens at
 *   once (app/auth/auth_cache.ts matches memory by the version's versionstamp);
 * - every rate-limit budget keyed by the user or by their e-mail (one key per policy of
 *   {@linkcode ACTION_POLICIES}: no scan of other users' keys). Budgets keyed by IP are
 *   the address's, not the user's, and stay.
 *
 * A request of the user that was already running on another instance may still write a
 * cache entry after this; such entries are unreachable (no version, no user) and KV drops
 * them with their `expireIn` (two minutes).
 *
 * @example
 * ```ts
 * if (!await deleteOwnAccount(ctx, password)) throw new HttpError(400, "Wrong password");
 * ```
 */
import { deleteAccount, passwordHashOf } from "@/db/accounts.ts";
import { verifyPassword } from "@/lib/auth/password.ts";
import { versionKey } from "@/lib/cache/user_cache.ts";
import { type FreshContext, HttpError } from "fresh";
import { isLockedError, withTimeout } from "@/lib/kv.ts";
import { budgetKey } from "@/lib/rate_limit/kv_limiter.ts";
import { emailSubject, userSubject } from "@/app/rate_limit/middleware.ts";
import { ACTION_POLICIES } from "@/lib/rate_limit/policies.ts";
import type { State } from "./state.ts";

/** KV allows 1000 mutations per atomic operation; smaller batches keep each commit short. */
const BATCH = 500;

/** Every KV key that belongs to the user, as the app writes them today. */
export async function userKvKeys(kv: Deno.Kv, user: { id: string; email: string }): Promise<Deno.KvKey[]> {
  const keys: Deno.KvKey[] = [versionKey(user.id)];
  for await (const entry of kv.list({ prefix: ["cache", user.id] })) keys.push(entry.key);
  const email = await emailSubject(user.email);
  for (const policy of ACTION_POLICIES) {
    if (policy.subject === "user") keys.push(budgetKey(policy.action, userSubject(user.id)));
    if (policy.subject === "email") keys.push(budgetKey(policy.action, email));
  }
  return keys;
}

/** Deletes every KV entry of the user (see the module doc); bounded per KV call. */
export async function eraseAccountKv(kv: Deno.Kv, user: { id: string; email: string }): Promise<number> {
  const keys = await withTimeout(userKvKeys(kv, user), 10_000, "KV account key listing");
  for (let i = 0; i < keys.length; i += BATCH) {
    await deleteBatch(kv, keys.slice(i, i + BATCH));
  }
  return keys.length;
}

/** Deletes `keys` in one atomic commit; "database is locked" (another process writing the file) is retried. */
async function deleteBatch(kv: Deno.Kv, keys: Deno.KvKey[]): Promise<void> {
  for (let attempt = 1;; attempt++) {
    const op = kv.atomic();
    for (const key of keys) op.delete(key);
    try {
      await withTimeout(op.commit(), 2_000, "KV account erase");
      return;
    } catch (error) {
      if (!isLockedError(error) || attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, attempt * 10 * Math.random()));
    }
  }
}

/**
 * Deletes the signed-in user's account when `password` is theirs (false, and nothing
 * done, when it is not): the rows, then every KV entry. Afterwards the request belongs to
 * nobody, so the pipeline does not write the user's cache version back after the
 * response (app/cache/invalidate.ts).
 */
export async function deleteOwnAccount(ctx: FreshContext<State>, password: string): Promise<boolean> {
  const user = ctx.state.user;
  if (!user) throw new HttpError(401);
  const { db, kv } = ctx.state.services;
  if (!await verifyPassword(await passwordHashOf(db, user.id), password)) return false;
  const email = await deleteAccount(db, user.id);
  await eraseAccountKv(kv, { id: user.id, email });
  ctx.state.user = undefined;
  ctx.state.auth = undefined;
  return true;
}
