/**
 * A `Map` used as a memo of pure results that empties itself when it reaches `max`
 * entries: the values in use at once are few (the days a page shows, the zones and days
 * of current requests), so when it fills, what it held is mostly stale, and starting
 * over costs a few recomputations instead of an eviction order kept on every hit.
 *
 * @example
 * ```ts
 * const squares = new BoundedMemo<number, number>(1_000);
 * const square = (n: number) => squares.get(n) ?? squares.remember(n, n * n);
 * ```
 */
export class BoundedMemo<K, V> extends Map<K, V> {
  readonly max: number;

  constructor(max: number) {
    super();
    this.max = max;
  }

  /** Stores `value` under `key`, emptying the memo first when it is full, and returns it. */
  remember(key: K, value: V): V {
    if (this.size >= this.max) this.clear();
    this.set(key, value);
    return value;
  }
}
