/**
 * Calendar days as the user lives them. A day is a `YYYY-MM-DD` string in the user's
 * IANA timezone; arithmetic happens on day numbers (days since 1970-01-01), which have
 * no timezone and no DST, so "yesterday" is always `addDays(today, -1)`.
 *
 * @example
 * ```ts
 * const today = localDay("Pacific/Kiritimati", new Date("2026-01-01T10:30:00Z")); // "2026-01-02"
 * isoWeekday(today); // 5 (Friday)
 * addDays(today, -1); // "2026-01-01"
 * ```
 */
import { BoundedMemo } from "./bounded_memo.ts";

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // One formatter per zone (a few hundred at most): constructing one costs ~50 µs.
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True for an IANA zone name this runtime knows ("Europe/Berlin", "UTC"). */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== "string" || timeZone.length === 0 || timeZone.length > 64) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock date and time in `timeZone` at `instant`. */
export function localDateTime(timeZone: string, instant: Date = new Date()): { date: string; time: string } {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/** The user's local calendar day at `instant` ("today" by default). */
export function localDay(timeZone: string, instant?: Date): string {
  if (instant !== undefined) return localDateTime(timeZone, instant).date;
  // "Today" is asked several times by every request; formatting a date in a zone costs
  // microseconds. Every zone's offset is whole minutes, so a zone's day can only change
  // at the start of a UTC minute: within one, the answer is remembered.
  const now = Date.now();
  const minute = now - (now % 60_000);
  const known = todayIn.get(timeZone);
  if (known?.minute === minute) return known.day;
  return todayIn.remember(timeZone, { minute, day: localDateTime(timeZone, new Date(now)).date }).day;
}

const todayIn = new BoundedMemo<string, { minute: number; day: string }>(1_024);

/** True for a real calendar date in `YYYY-MM-DD` form (no 2026-02-30). */
export function isValidDate(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const m = DATE.exec(value);
  if (!m) return false;
  const n = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number(m[1]) >= 1900 && Number(m[1]) <= 9999 && fromDayNumber(n / DAY_MS) === value;
}

// Both conversions are plain integer arithmetic (H. Hinnant's days_from_civil and
// civil_from_days): rendering a dashboard converts tens of thousands of days, and going
// through `Date` and `toISOString()` made these the hottest functions under load.

// Pages convert the same few hundred days on every request (a grid is the last 53
// weeks): both directions are remembered, a bounded table each, emptied when full.
const MEMO_MAX = 8_192;
const numberOfDate = new BoundedMemo<string, number>(MEMO_MAX);
const dateOfNumber = new BoundedMemo<number, string>(MEMO_MAX);

/** Days since 1970-01-01 for a `YYYY-MM-DD` date. */
export function dayNumber(date: string): number {
  return numberOfDate.get(date) ?? numberOfDate.remember(date, computeDayNumber(date));
}

/** The `YYYY-MM-DD` date of a day number. */
export function fromDayNumber(n: number): string {
  return dateOfNumber.get(n) ?? dateOfNumber.remember(n, computeDate(n));
}

function computeDayNumber(date: string): number {
  if (!DATE.test(date)) throw new RangeError(`Not a YYYY-MM-DD date: ${date}`);
  let y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function computeDate(n: number): string {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${m < 10 ? "0" : ""}${m}-${d < 10 ? "0" : ""}${d}`;
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(dayNumber(date) + days);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function diffDays(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

export function isoWeekday(date: string): Weekday {
  // 1970-01-01 was a Thursday (ISO 4).
  return ((((dayNumber(date) + 3) % 7) + 7) % 7 + 1) as Weekday;
}

/** The first day of the week containing `date`, for weeks that start on `weekStart`. */
export function startOfWeek(date: string, weekStart: Weekday = 1): string {
  const offset = (isoWeekday(date) - weekStart + 7) % 7;
  return addDays(date, -offset);
}

export interface GridCell {
  date: string;
  /** After the user's today: drawn empty. */
  future: boolean;
}

export interface GridLayout {
  /** Columns of 7 cells each, oldest week first; rows follow the week start. */
  weeks: GridCell[][];
  /** Month labels: the column where each month's first row-day appears. */
  months: { column: number; label: string }[];
  /** Weekday of each row, top to bottom. */
  rows: Weekday[];
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * The layout of a consistency grid: `weeks` columns ending with the week that holds
 * `today`, each column one week starting on `weekStart`.
 */
export function gridLayout(today: string, weekStart: Weekday = 1, weeks = 53): GridLayout {
  const first = addDays(startOfWeek(today, weekStart), -7 * (weeks - 1));
  const todayN = dayNumber(today);
  const firstN = dayNumber(first);
  const columns: GridCell[][] = [];
  const months: { column: number; label: string }[] = [];
  let lastMonth = -1;
  for (let w = 0; w < weeks; w++) {
    const column: GridCell[] = [];
    for (let d = 0; d < 7; d++) {
      const n = firstN + w * 7 + d;
      column.push({ date: fromDayNumber(n), future: n > todayN });
    }
    const month = Number(column[0].date.slice(5, 7)) - 1;
    if (month !== lastMonth) {
      // Skip a label squeezed into the very first column when the next one starts a month too.
      const crowded = w === 0 && addDays(column[0].date, 7).slice(5, 7) !== column[0].date.slice(5, 7);
      if (!crowded) months.push({ column: w, label: MONTHS[month] });
      lastMonth = month;
    }
    columns.push(column);
  }
  const rows = Array.from({ length: 7 }, (_, i) => ((weekStart - 1 + i) % 7 + 1) as Weekday);
  return { weeks: columns, months, rows };
}

/** "Monday" … "Sunday" for a weekday. */
export function weekdayName(day: Weekday, style: "long" | "short" = "long"): string {
  return (style === "long" ? WEEKDAY_NAMES : WEEKDAY_SHORT_NAMES)[day - 1];
}

const WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const WEEKDAY_SHORT_NAMES = WEEKDAY_NAMES.map((name) => name.slice(0, 3));

/** "Mon 3 Mar 2026"-style label for titles and screen readers (a grid makes hundreds per page). */
export function formatDay(date: string): string {
  const weekday = isoWeekday(date); // validates the date
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  return `${WEEKDAY_SHORT_NAMES[weekday - 1]} ${d} ${MONTHS[m - 1]} ${date.slice(0, 4)}`;
}
