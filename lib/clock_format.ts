/**
 * Times of day the way the reader's browser shows them. A browser's `<input type="time">`
 * displays "08:00 AM" or "08:00" by its own locale, which pages cannot change, so the
 * times pages print (reminder lists, activity, notifications) follow the same locale,
 * read from `Accept-Language`: a list that says "16:52" next to a field that says
 * "04:52 PM" reads as two different times. Pure functions, no I/O.
 *
 * @example
 * ```ts
 * const cycle = hourCycleOf("en-US,en;q=0.9"); // "h12"
 * formatClock("16:52", cycle); // "4:52 PM"
 * formatClock("16:52", hourCycleOf("de-DE")); // "16:52"
 * ```
 */

/** 12-hour clock with AM/PM, or 24-hour. */
export type HourCycle = "h12" | "h23";

/** Without a usable `Accept-Language` (scripts, odd clients): the 24-hour clock. */
export const DEFAULT_HOUR_CYCLE: HourCycle = "h23";

/** The language a reader prefers most: the highest `q` in `Accept-Language`, first on a tie. */
function preferredLanguage(acceptLanguage: string): string | undefined {
  let best: { tag: string; q: number } | undefined;
  for (const entry of acceptLanguage.split(",").slice(0, 20)) {
    const [tag, ...params] = entry.trim().split(";");
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!tag || tag === "*" || !(q > 0)) continue;
    if (!best || q > best.q) best = { tag, q };
  }
  return best?.tag;
}

/** The hour cycle of the reader's preferred language ("en-US" → h12, "en-GB" → h23). */
export function hourCycleOf(acceptLanguage: string | null | undefined): HourCycle {
  const tag = acceptLanguage ? preferredLanguage(acceptLanguage.slice(0, 500)) : undefined;
  if (!tag) return DEFAULT_HOUR_CYCLE;
  try {
    const cycle = new Intl.DateTimeFormat(tag, { hour: "numeric" }).resolvedOptions().hourCycle;
    return cycle === "h11" || cycle === "h12" ? "h12" : "h23";
  } catch {
    // Not a language tag Intl knows.
    return DEFAULT_HOUR_CYCLE;
  }
}

/** `"HH:MM"` (24-hour, as stored) in the reader's cycle: "16:52" → "4:52 PM" or "16:52". */
export function formatClock(time: string, cycle: HourCycle): string {
  if (cycle === "h23") return time;
  const [hours, minutes] = time.split(":").map(Number);
  const suffix = hours < 12 ? "AM" : "PM";
  return `${hours % 12 === 0 ? 12 : hours % 12}:${String(minutes).padStart(2, "0")} ${suffix}`;
}
