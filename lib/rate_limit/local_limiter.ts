/**
 * The per-instance, approximate limiter for anonymous `/api` requests and
 * authenticated reads: no KV at all (a read must not cost a KV write).
 *
 * Each key keeps a sliding-window counter (this window's count + the previous one's,
 * weighted by how much of it still overlaps), 3 numbers per key. Memory is bounded:
 * at most `capacity` keys, least recently used evicted first (a Map keeps insertion
 * order; a hit re-inserts). An evicted key starts afresh: approximate, as API.md allows.
 *
 * @example
 * ```ts
 * const reads = new LocalLimiter({ action: "reads", limit: 600, windowMs: 60_000 });
 * const d = reads.hit(userId); // { allowed, remaining, retryAfterMs, resetMs }
 * ```
 */
import type { WindowPolicy } from "./sliding_window.ts";

interface Counter {
  windowStart: number;
  current: number;
  previous: number;
}

export interface LocalDecision {
  allowed: boolean;
  remaining: number;
  retryAfterMs: number;
  resetMs: number;
}

export class LocalLimiter {
  readonly #counters = new Map<string, Counter>();
  readonly #capacity: number;
  readonly #now: () => number;

  constructor(
    readonly policy: WindowPolicy & { action: string },
    options: { capacity?: number; now?: () => number } = {},
  ) {
    this.#capacity = options.capacity ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Keys held now (never above the capacity). */
  get size(): number {
    return this.#counters.size;
  }

  /** Counts one request for `key` when it is within the limit. */
  hit(key: string): LocalDecision {
    const { limit, windowMs } = this.policy;
    const now = this.#now();
    const start = now - (now % windowMs);
    let counter = this.#counters.get(key);
    this.#counters.delete(key);
    if (!counter || counter.windowStart <= start - 2 * windowMs) {
      counter = { windowStart: start, current: 0, previous: 0 };
    } else if (counter.windowStart < start) {
      counter = {
        windowStart: start,
        current: 0,
        previous: counter.windowStart === start - windowMs ? counter.current : 0,
      };
    }
    this.#counters.set(key, counter);
    if (this.#counters.size > this.#capacity) this.#counters.delete(this.#counters.keys().next().value!);
    const overlap = 1 - (now - start) / windowMs;
    const used = counter.previous * overlap + counter.current;
    const resetMs = start + windowMs - now;
    if (used + 1 > limit) {
      // Enough of the previous window must slide out, or this window must end.
      const excess = used + 1 - limit;
      const slide = counter.previous > 0 ? Math.ceil((excess / counter.previous) * windowMs) : Infinity;
      // Past the boundary this window's count becomes the one that slides out.
      const afterReset = resetMs + Math.ceil(windowMs * Math.max(0, 1 - (limit - 1) / counter.current));
      const retryAfterMs = Math.max(1, slide <= resetMs ? slide : afterReset);
      return { allowed: false, remaining: 0, retryAfterMs, resetMs };
    }
    counter.current++;
    return { allowed: true, remaining: Math.max(0, Math.floor(limit - used - 1)), retryAfterMs: 0, resetMs };
  }
}
