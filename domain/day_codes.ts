/**
 * A run of grid days in a compact, cacheable form: one character per day for how its
 * cell looks, and per day an index into a table of the day's distinct labels. A year of
 * the dashboard's "Your year" is ~370 characters plus a few dozen labels, where the raw
 * check-ins behind it are a year of rows per habit (issue 13 §3: the dashboard's cache
 * held ~840 KB of JSON for 20 habits; this holds ~2 KB).
 *
 * What a cell shows is its state, its partial level (1–3, see `partialLevel`) and its
 * label; the exact 0–1 score of a partial day is not kept. Decoding gives each day a
 * score with the same state, level and fullness (`score >= 1` only for `done`), so a
 * grid, its summary and its run of full days render the same from the decoded days as
 * from the computed ones (tests/domain/day_codes_test.ts renders both).
 *
 * New day states are one more row in {@linkcode DAY_CODES}: its type is keyed by every
 * cell state, so a state added to `CellState` without a character fails type checking.
 *
 * @example
 * ```ts
 * const encoded = encodeDays(overallGridDays(habits, index, from, today), from, today);
 * const days = decodeDays(encoded); // Map<date, GridDay>, ready for <ConsistencyGrid days={days} />
 * ```
 */
import { dayNumber, fromDayNumber } from "./calendar.ts";
import { type CellState, type GridDay, partialLevel } from "./grid_days.ts";

/** How one cell looks: a state, with a partial day split by how much of it is filled. */
export type DayLook = Exclude<CellState, "partial"> | "partial1" | "partial2" | "partial3";

/**
 * THE table of looks → characters (one each, unique, never `~`). Cached encodings carry
 * {@linkcode DAY_CODES_FORMAT}: change a character (not just add one) → bump it.
 */
export const DAY_CODES: Readonly<Record<DayLook, string>> = {
  done: "d",
  partial1: "1",
  partial2: "2",
  partial3: "3",
  skipped: "s",
  failed: "x",
  paused: "p",
  missed: "m",
  open: "o",
  off: ".",
  empty: "e",
};

/** The version of the encoding; part of every cache key that stores one. */
export const DAY_CODES_FORMAT = 2;

/** A day the map does not hold (drawn as "not scheduled" by the grid). */
const ABSENT = "~";

/** The score a decoded day gets for its look: the middle of what its level draws. */
const PARTIAL_SCORE = { 1: 0.25, 2: 0.5, 3: 0.75 } as const;

/** Label indexes are written in this alphabet, `labelWidth` characters each. */
const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/** Days `from`…`to` in compact form (see the module doc). */
export interface EncodedDays {
  /** The first day. */
  from: string;
  /** One {@linkcode DAY_CODES} character per day from `from`. */
  looks: string;
  /** The distinct labels, in order of first use. */
  labels: string[];
  /** Per day, its label's index in `labels`, `labelWidth` digits each (nothing for an absent day). */
  labelIndex: string;
  labelWidth: number;
}

const LOOK_OF = new Map<string, DayLook>(Object.entries(DAY_CODES).map(([look, code]) => [code, look as DayLook]));

/** The look of a day, as {@linkcode DAY_CODES} names it. */
export function dayLook(day: GridDay): DayLook {
  return day.state === "partial" ? `partial${partialLevel(day.score)}` : day.state;
}

/** A day back from its look and label. */
function dayOf(look: DayLook, label: string): GridDay {
  if (look === "partial1" || look === "partial2" || look === "partial3") {
    return { state: "partial", score: PARTIAL_SCORE[Number(look.slice(-1)) as 1 | 2 | 3], label };
  }
  return { state: look, score: look === "done" ? 1 : 0, label };
}

/** Encodes every day from `from` to `to` (inclusive) of `days`. */
export function encodeDays(days: ReadonlyMap<string, GridDay>, from: string, to: string): EncodedDays {
  const labels: string[] = [];
  const indexOf = new Map<string, number>();
  const looks: string[] = [];
  const picked: number[] = [];
  for (let n = dayNumber(from); n <= dayNumber(to); n++) {
    const day = days.get(fromDayNumber(n));
    if (!day) {
      looks.push(ABSENT);
      continue;
    }
    looks.push(DAY_CODES[dayLook(day)]);
    let index = indexOf.get(day.label);
    if (index === undefined) indexOf.set(day.label, index = labels.push(day.label) - 1);
    picked.push(index);
  }
  let labelWidth = 1;
  while (DIGITS.length ** labelWidth < labels.length) labelWidth++;
  const labelIndex = picked.map((index) => digits(index, labelWidth)).join("");
  return { from, looks: looks.join(""), labels, labelIndex, labelWidth };
}

/** The days of an encoding, by date; throws on an encoding this code cannot read. */
export function decodeDays(encoded: EncodedDays): Map<string, GridDay> {
  const days = new Map<string, GridDay>();
  const first = dayNumber(encoded.from);
  let at = 0;
  for (let i = 0; i < encoded.looks.length; i++) {
    const code = encoded.looks[i];
    if (code === ABSENT) continue;
    const look = LOOK_OF.get(code);
    const label = encoded.labels[number(encoded.labelIndex.slice(at, at += encoded.labelWidth))];
    if (!look || label === undefined) throw new Error(`Unreadable day code "${code}" at ${i}: re-encode the days`);
    days.set(fromDayNumber(first + i), dayOf(look, label));
  }
  return days;
}

function digits(n: number, width: number): string {
  let out = "";
  for (let i = 0; i < width; i++, n = Math.floor(n / DIGITS.length)) out = DIGITS[n % DIGITS.length] + out;
  return out;
}

function number(text: string): number {
  let n = 0;
  for (const char of text) n = n * DIGITS.length + DIGITS.indexOf(char);
  return text.length > 0 && !/[^0-9A-Za-z_-]/.test(text) ? n : -1;
}
