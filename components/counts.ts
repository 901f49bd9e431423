/**
 * Counts and rates as the UI writes them. Imports nothing, so islands can use it without
 * bundling the server's validation code (components/habit_labels.ts re-exports it).
 *
 * @example
 * ```ts
 * countOf(5, "day"); // "5 days"
 * percent(0.8333); // "83 %"
 * ```
 */

/** "5 days", "1 week". */
export function countOf(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** "83 %" from a 0–1 rate. */
export function percent(rate: number): string {
  return `${Math.round(rate * 100)} %`;
}
