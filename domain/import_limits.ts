/**
 * How much one import may ask for, as data: one table of byte caps (checked before and
 * while a zip inflates, answered 413) and one of row caps (answered 400), each message
 * naming the file and the cap. Pure: no I/O.
 *
 * Sized so that the largest real accounts fit (a Loop user with 30 habits over 9 years
 * has ~100,000 check-ins, and Loop's CSV zip of it inflates to a few MiB), while the
 * worst an import can cost stays bounded and measured (`bench/import_isolation.ts`):
 * parsing ≤ 20 MiB, writing ≤ 100,000 check-ins in short statements.
 *
 * @example
 * ```ts
 * const rows = new RowCaps();
 * rows.add("habits", "Habits.csv"); // throws an ImportError (400) at the 2001st habit
 * ```
 */
import { ImportError } from "./import_data.ts";

const MiB = 1024 * 1024;

/** Byte caps of an uploaded zip: over one → 413 naming the entry and the cap. */
export const IMPORT_SIZE_CAPS = {
  /** Inflated bytes of all entries together (declared, and counted while inflating). */
  inflatedBytes: 20 * MiB,
  /** Inflated bytes of any one entry. */
  entryBytes: 10 * MiB,
  /** Entries (files) a zip may list. */
  entries: 2_100,
} as const;

/**
 * Bytes of an import request's body (`POST /api/import` and the import form), where other
 * routes take 1 MiB: the biggest file the caps take — a Loop backup (`.db`, not
 * compressed) up to the inflated-size cap, and so a zip of that — plus room for a zip's
 * own headers and the form around the file. Over it → 413 before the body is read.
 */
export const IMPORT_BODY_LIMIT_BYTES = IMPORT_SIZE_CAPS.inflatedBytes + 1 * MiB;

/** Row caps of one import, whatever the format: over one → 400 naming the file and the cap. */
export const IMPORT_ROW_CAPS = {
  habits: 2_000,
  checkins: 100_000,
  goals: 1_000,
  milestones: 5_000,
  subgoals: 5_000,
  reminders: 1_000,
  /** Twice the largest plan's cap of pauses (500). */
  pauses: 1_000,
  /** Rows of any one CSV file (Loop writes a row per day, checked or not: 100 years fit). */
  csvRows: 40_000,
} as const;

/** What a row cap counts. */
export type RowKind = keyof typeof IMPORT_ROW_CAPS;

const NOUNS: Record<RowKind, string> = {
  habits: "habits",
  checkins: "check-ins",
  goals: "goals",
  milestones: "milestones",
  subgoals: "subgoals",
  reminders: "reminders",
  pauses: "pauses",
  csvRows: "rows",
};

/**
 * The ImportError for a file over a row cap.
 *
 * @example
 * ```ts
 * overRowCap("habits", "Habits.csv").message;
 * // "Habits.csv: An import takes at most 2000 habits: split it, or remove some"
 * ```
 */
export function overRowCap(kind: RowKind, where: string): ImportError {
  const cap = IMPORT_ROW_CAPS[kind];
  return new ImportError(where, `An import takes at most ${cap} ${NOUNS[kind]}: split it, or remove some`);
}

/**
 * Counts an import's rows against {@linkcode IMPORT_ROW_CAPS}, across files (check-ins
 * come from one file per habit): the count that passes a cap throws, naming `where`.
 *
 * @example
 * ```ts
 * const rows = new RowCaps();
 * for (const habit of doc.habits) rows.add("checkins", "habits[0].checkins", habit.checkins.length);
 * ```
 */
export class RowCaps {
  #counts = new Map<RowKind, number>();

  /** Adds `n` rows of `kind` found in `where`; throws the 400 when the total passes the cap. */
  add(kind: RowKind, where: string, n = 1): void {
    const total = (this.#counts.get(kind) ?? 0) + n;
    if (total > IMPORT_ROW_CAPS[kind]) throw overRowCap(kind, where);
    this.#counts.set(kind, total);
  }
}

/**
 * The 413 for a zip over a byte cap, naming the entry and the cap.
 *
 * @example
 * ```ts
 * overSizeCap("big.csv", "It inflates to 100.0 MiB").message;
 * // "big.csv: It inflates to 100.0 MiB; an import takes files up to 10 MiB each and 20 MiB in all, 2100 files at most"
 * ```
 */
export function overSizeCap(where: string, problem: string): ImportError {
  return new ImportError(
    where,
    `${problem}; an import takes files up to ${IMPORT_SIZE_CAPS.entryBytes / MiB} MiB each and ` +
      `${IMPORT_SIZE_CAPS.inflatedBytes / MiB} MiB in all, ${IMPORT_SIZE_CAPS.entries} files at most`,
    413,
  );
}
