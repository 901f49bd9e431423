/**
 * The pure math of an exact sliding-window limit: a log of the times of the requests
 * that were let through, at most `limit` of them, each forgotten `windowMs` after it.
 *
 * Why a sliding log and not GCRA: GCRA with a burst of `limit` lets `limit` through at
 * once and then one more every `windowMs / limit`, so a 60 s window can hold up to
 * 2 × limit − 1 of them; API.md promises "no more than the limit in ANY 60 s window".
 * The log keeps exactly that promise, is still ONE small value per (action, subject)
 * (≤ limit numbers: 200 × 8 bytes, far under KV's 64 KiB) and gives Retry-After
 * exactly: the moment the oldest logged request leaves the window.
 *
 * @example
 * ```ts
 * const policy = { limit: 2, windowMs: 60_000 };
 * let log: number[] = [];
 * const first = decide(policy, log, 0); // allowed, remaining 1
 * log = first.log;
 * decide(policy, decide(policy, log, 1).log, 2).allowed; // false, retryAfterMs 59_998
 * ```
 */

/** How many requests any window of `windowMs` may hold. */
export interface WindowPolicy {
  limit: number;
  windowMs: number;
}

/** The outcome of one attempt against one log. */
export interface Decision {
  allowed: boolean;
  /** Requests still allowed in the current window after this one. */
  remaining: number;
  /** When refused: ms until one more would pass (> 0). When allowed: 0. */
  retryAfterMs: number;
  /** Ms until the oldest logged request leaves the window (0 when the log is empty). */
  resetMs: number;
  /** The log to store: the kept times, plus `now` when allowed. Unchanged when refused. */
  log: number[];
}

/**
 * Decides one request at `now` (ms) against `log` (times of past allowed requests,
 * oldest first). Times at or before `now - windowMs` have left the window.
 */
export function decide(policy: WindowPolicy, log: readonly number[], now: number): Decision {
  const kept = log.filter((t) => t > now - policy.windowMs).sort((a, b) => a - b);
  if (kept.length >= policy.limit) {
    // The request that must leave for a slot to open is the limit-th most recent.
    const blocking = kept[kept.length - policy.limit];
    const retryAfterMs = Math.max(1, blocking + policy.windowMs - now);
    return { allowed: false, remaining: 0, retryAfterMs, resetMs: retryAfterMs, log: kept };
  }
  const next = [...kept, now].sort((a, b) => a - b);
  return {
    allowed: true,
    remaining: policy.limit - next.length,
    retryAfterMs: 0,
    resetMs: Math.max(0, next[0] + policy.windowMs - now),
    log: next,
  };
}

/** Whole seconds for `Retry-After`: rounded up, and never below 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
