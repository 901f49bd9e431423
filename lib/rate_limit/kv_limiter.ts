/**
 * The exact, cross-instance decision: one KV key per (action, subject) holding the
 * sliding log of {@link decide}, read, decided and written back with an atomic
 * check(versionstamp) + set. Every process sharing the KV sees the same log, and the
 * versionstamp check makes read-decide-write one step, so no more than `limit` requests
 * pass in any window, whatever the number of processes and however they interleave.
 *
 * Contention is not an outage, so it is waited out, never failed open:
 * - Same key, same instance: requests queue per key and are decided in batches. A batch
 *   is one read of the log, every waiting request decided against it in arrival order,
 *   and one commit: 60 requests at once on one instance cost a couple of commits instead
 *   of 60 commits racing each other (which is what let 34 of 60 through before: every
 *   loser of a race retried until a 100 ms deadline and was then let through).
 * - Across instances: a failed versionstamp check (another instance committed first) or
 *   SQLite's "database is locked" means read and decide again, after a jittered backoff,
 *   for as long as the decision budget ({@link DECISION_BUDGET_MS}, seconds) lasts. With
 *   one batch in flight per instance, at most as many writers race as there are instances.
 * - Past the budget the request is refused with {@link KvContentionError} (a 503), never
 *   let through uncounted. The per-key queue is bounded ({@link MAX_WAITING_PER_KEY}).
 *
 * Only a KV that is really in trouble rejects otherwise: one that throws (anything but a
 * lock), or one whose call does not settle within {@link KV_CALL_TIMEOUT_MS} (a remote KV
 * that is unreachable retries forever inside Deno). Then the whole queue for the key gets
 * that error at once, and the middleware applies the policy's fail-open/closed mode.
 *
 * Why not cheaper structures: KV's `sum` needs no check and never conflicts, but a
 * counter cannot be conditionally incremented, so "count, then see whether it was over"
 * spends budget on refused requests (or needs a compensating write that others may have
 * read), and fixed sub-window counters can only bound "any 60 s window" by refusing
 * early. One slot key per allowed request (limit keys, claimed by check+set) conflicts
 * less but costs `limit / 10` reads per decision. Batching keeps the one small log value
 * and its exact Retry-After, and removes the contention that made it slow.
 *
 * @example
 * ```ts
 * const d = await consume(kv, { action: "habits.create", limit: 100, windowMs: 60_000 }, userId);
 * if (!d.allowed) throw new ApiError(429, "Slow down", { headers: retryAfterHeader(d.retryAfterMs) });
 * ```
 */
import { isLockedError, KvContentionError, withTimeout } from "@/lib/kv.ts";
import { commitGrouped } from "@/lib/kv_commits.ts";
import { decide, type Decision, type WindowPolicy } from "./sliding_window.ts";

/** How long a decision may wait out contention (queue and retries) before a 503. */
export const DECISION_BUDGET_MS = 5_000;

/** One KV read or commit slower than this means the KV is unreachable (fail open/closed). */
export const KV_CALL_TIMEOUT_MS = 2_000;

/** Requests one instance keeps waiting on one key; more are refused as contention. */
export const MAX_WAITING_PER_KEY = 1_000;

/** Longest pause between two tries of a contended commit (full jitter below it). */
const MAX_BACKOFF_MS = 40;

export interface ConsumeOptions {
  /** The clock, in ms (injectable for tests). */
  now?: () => number;
  /** How long contention may delay the decision; {@link DECISION_BUDGET_MS} by default. */
  budgetMs?: number;
  /** Bound for each KV call; {@link KV_CALL_TIMEOUT_MS} by default. */
  callTimeoutMs?: number;
}

/** The KV key of one budget. */
export function budgetKey(action: string, subject: string): Deno.KvKey {
  return ["rate_limit", action, subject];
}

interface Waiter {
  resolve(decision: Decision): void;
  reject(error: unknown): void;
  /** `performance.now()` past which contention has used up this request's budget. */
  giveUpAt: number;
}

/** The requests waiting on one key of one instance; present only while some are. */
interface KeyQueue {
  waiting: Waiter[];
}

// One set of queues per KV handle (each test app opens its own); gone with the handle.
const queuesByKv = new WeakMap<Deno.Kv, Map<string, KeyQueue>>();

/** How many keys have decisions queued or running on this instance (tests check it drains to 0). */
export function waitingKeys(kv: Deno.Kv): number {
  return queuesByKv.get(kv)?.size ?? 0;
}

/**
 * Counts one request against `subject`'s budget for `policy.action`, exactly.
 * Rejects with {@link KvContentionError} when contention outlasted the budget, with
 * `KvTimeoutError` when the KV did not answer, or with the KV's own error.
 */
export function consume(
  kv: Deno.Kv,
  policy: WindowPolicy & { action: string },
  subject: string,
  options: ConsumeOptions = {},
): Promise<Decision> {
  const key = budgetKey(policy.action, subject);
  let queues = queuesByKv.get(kv);
  if (!queues) queuesByKv.set(kv, queues = new Map());
  const id = JSON.stringify([key, policy.limit, policy.windowMs]);
  return new Promise<Decision>((resolve, reject) => {
    const waiter = { resolve, reject, giveUpAt: performance.now() + (options.budgetMs ?? DECISION_BUDGET_MS) };
    const queue = queues.get(id);
    if (queue) {
      if (queue.waiting.length >= MAX_WAITING_PER_KEY) {
        reject(new KvContentionError(`more than ${MAX_WAITING_PER_KEY} requests are waiting on one rate-limit key`));
      } else {
        queue.waiting.push(waiter);
      }
      return;
    }
    const fresh: KeyQueue = { waiting: [waiter] };
    queues.set(id, fresh);
    drain(kv, key, policy, fresh, options, () => queues.delete(id));
  });
}

/**
 * Decides batch after batch until nobody waits on the key, then calls `close` in the
 * same synchronous step that found the queue empty: a request arriving a moment later
 * starts a new queue instead of joining one nobody drains. Never rejects. The clock and
 * the call bound are those of the request that opened the queue (they are the app's, not
 * the request's); each request keeps its own budget.
 */
async function drain(
  kv: Deno.Kv,
  key: Deno.KvKey,
  policy: WindowPolicy,
  queue: KeyQueue,
  options: ConsumeOptions,
  close: () => void,
): Promise<void> {
  while (queue.waiting.length > 0) {
    const batch = queue.waiting;
    queue.waiting = [];
    try {
      await decideBatch(kv, key, policy, batch, options);
    } catch (error) {
      // The KV failed: those who queued meanwhile would only wait for the same failure.
      for (const waiter of [...batch, ...queue.waiting]) waiter.reject(error);
      queue.waiting = [];
    }
  }
  close();
}

/**
 * One read, every waiter decided in order against the log, one commit; retried on a
 * conflict or a lock until each waiter's budget runs out. Throws when the KV fails.
 */
async function decideBatch(
  kv: Deno.Kv,
  key: Deno.KvKey,
  policy: WindowPolicy,
  batch: Waiter[],
  { now = Date.now, callTimeoutMs = KV_CALL_TIMEOUT_MS }: ConsumeOptions,
): Promise<void> {
  let live = batch;
  for (let attempt = 0;; attempt++) {
    const at = performance.now();
    // A request whose budget is spent was never counted: refusing it keeps the count exact.
    live = live.filter((waiter) => {
      if (waiter.giveUpAt > at) return true;
      waiter.reject(new KvContentionError(`rate-limit decision still contended after ${attempt} tries`));
      return false;
    });
    if (live.length === 0) return;
    try {
      const entry = await withTimeout(kv.get<number[]>(key), callTimeoutMs, "rate-limit read");
      const time = now();
      let log = entry.value ?? [];
      const decisions = live.map(() => {
        const decision = decide(policy, log, time);
        log = decision.log;
        return decision;
      });
      // Refusals alone change nothing: no write, nothing to race for.
      // Grouped with the other commits of this instance (lib/kv_commits.ts); its check
      // still decides for this key alone.
      const committed = !decisions.some((d) => d.allowed) || await withTimeout(
            commitGrouped(kv, { checks: [entry], sets: [{ key, value: log, expireIn: policy.windowMs }] }),
            callTimeoutMs,
            "rate-limit commit",
          ) !== null;
      if (committed) {
        live.forEach((waiter, i) => waiter.resolve(decisions[i]));
        return;
      }
    } catch (error) {
      if (!isLockedError(error)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(MAX_BACKOFF_MS, 2 ** attempt)));
  }
}
