/**
 * The exact, cross-instance decision: one KV key per (action, subject) holding the
 * sliding log of {@link decide}; a decision is get → decide → atomic check(versionstamp)
 * + set, retried on conflict or "database is locked". Every process sharing the KV sees
 * the same log, and the versionstamp check makes the read-decide-write one step, so no
 * more than `limit` requests pass in any window, whatever the number of processes.
 *
 * The whole decision is bounded by a deadline (100 ms by default): a slow or failing
 * KV rejects instead of making the request wait; the caller picks fail-open/closed.
 *
 * @example
 * ```ts
 * const d = await consume(kv, { action: "habits.create", limit: 100, windowMs: 60_000 }, userId);
 * if (!d.allowed) throw new HttpError(429, "Slow down", { headers: retryAfterHeader(d.retryAfterMs) });
 * ```
 */
import { commitWithRetry, KvTimeoutError, withTimeout } from "../kv.ts";
import { decide, type Decision, type WindowPolicy } from "./sliding_window.ts";

/** The longest a rate-limit decision may wait on KV. */
export const DECISION_DEADLINE_MS = 100;

export interface ConsumeOptions {
  /** The clock, in ms (injectable for tests). */
  now?: () => number;
  /** Bound for the whole decision, retries included. */
  deadlineMs?: number;
  /** Commit tries before giving up on a hot key. */
  tries?: number;
}

/** The KV key of one budget. */
export function budgetKey(action: string, subject: string): Deno.KvKey {
  return ["rate_limit", action, subject];
}

/**
 * Counts one request against `subject`'s budget for `policy.action`, atomically.
 * Rejects with KvTimeoutError past the deadline, or with the KV's error.
 */
export async function consume(
  kv: Deno.Kv,
  policy: WindowPolicy & { action: string },
  subject: string,
  { now = Date.now, deadlineMs = DECISION_DEADLINE_MS, tries = 16 }: ConsumeOptions = {},
): Promise<Decision> {
  const key = budgetKey(policy.action, subject);
  const giveUpAt = performance.now() + deadlineMs;
  let decision: Decision | undefined;
  const run = commitWithRetry(kv, async (op) => {
    // Stop retrying in the background once the caller has stopped waiting.
    if (performance.now() > giveUpAt) throw new KvTimeoutError("rate-limit decision past its deadline");
    const entry = await kv.get<number[]>(key);
    decision = decide(policy, entry.value ?? [], now());
    if (!decision.allowed) return false;
    op.check(entry).set(key, decision.log, { expireIn: policy.windowMs });
  }, { tries, timeoutMs: deadlineMs });
  await withTimeout(run, deadlineMs, "rate-limit decision");
  return decision!;
}
