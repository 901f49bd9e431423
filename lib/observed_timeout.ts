/**
 * Deadlines that count only time this process could see passing.
 *
 * A plain `setTimeout` deadline raced against an answer blames the other side for the
 * process's own pauses: when the event loop was blocked (a long synchronous task, a
 * starved CPU), the timer and the answer that arrived meanwhile are both ready when it
 * wakes, and the timer may run first. Used for statement deadlines (db/deadline.ts), the
 * health ping and KV calls (lib/kv.ts).
 *
 * @example
 * ```ts
 * const timer = observedTimeout(() => reject(new Error("no answer")), 1_000);
 * answer.finally(() => timer.clear());
 * ```
 */

/** A timer that fired this much later than asked was held up by this process, not by the server. */
export const STALL_TOLERANCE_MS = 250;
/** After a stall, the least time answers that arrived meanwhile get before the deadline counts again. */
const CATCH_UP_MS = 50;

/** A pending {@linkcode observedTimeout}. */
export interface ObservedTimer {
  clear(): void;
}

/**
 * `setTimeout` for deadlines: when the timer fires more than {@linkcode STALL_TOLERANCE_MS}
 * late, the event loop was blocked, and an answer (a query's, a KV call's) may be sitting unread behind
 * the timer (or a worker, starved alike, may still be writing it);
 * it waits as long again as the stall lasted (at least {@linkcode CATCH_UP_MS}, at most
 * `ms`), and again while stalls go on, before calling `fn`. A peer that is truly
 * silent still hits the deadline, at most about twice the stalls' length later.
 */
export function observedTimeout(fn: () => void, ms: number): ObservedTimer {
  let handle: ReturnType<typeof setTimeout>;
  const start = (delay: number) => {
    const due = performance.now() + delay;
    handle = setTimeout(() => {
      const late = performance.now() - due;
      if (late > STALL_TOLERANCE_MS) start(Math.min(Math.max(late, CATCH_UP_MS), ms));
      else fn();
    }, delay);
  };
  start(ms);
  return { clear: () => clearTimeout(handle) };
}
