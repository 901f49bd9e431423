/**
 * What a Loop Habit Tracker backup (`.db`, SQLite) means, version by version, as data and
 * small pure functions: which columns each schema version has, and how Loop encodes
 * colours, reminder days, entry values and days. Plus the neutral types a backup is read
 * into ({@linkcode LoopBackup}). Pure: no I/O; `app/loop/backup_reader.ts` does the reading.
 *
 * Learnt from Loop's migrations (`uhabits-core/src/jvmMain/resources/migrations/NN.sql`,
 * where `PRAGMA user_version` is the number of the last one applied) and its records
 * (`HabitRecord.kt`, `EntryRecord.kt`, `Entry.kt`, `PaletteColor.kt`, `WeekdayList.kt`).
 * Versions 12 to 25 are read; what changed between them:
 *
 * | version | change |
 * |---|---|
 * | 12 | `Habits` (name, description, freq_num/freq_den, color as an Android ARGB int, position, archived, reminder_hour/min/days) and `Repetitions` (habit, timestamp: every row a check) |
 * | 14 | colours become an index into a 13-colour palette |
 * | 16 | `Habits.type` (0 yes/no, 1 numeric) and `Repetitions.value` (2 = checked for rows before) |
 * | 18 | `Habits.target_type`, `target_value`, `unit` |
 * | 21 | colours become an index into today's 20-colour palette |
 * | 22 | `Repetitions` cleaned: rows without a habit or a timestamp, and duplicates of a day, removed |
 * | 23 | `Habits.question`: the old `description` held the question, and moves there |
 * | 24 | `Habits.uuid` |
 * | 25 | `Repetitions.notes` |
 *
 * (13, 15, 17, 19 and 20 touched only indexes and derived tables, which are not read.)
 *
 * @example
 * ```ts
 * habitColumnsAt(17); // no "question", "uuid", "unit", …: the reader supplies Loop's defaults
 * loopColor(-16742021, 12); // { index: 8, hex: "#00897b" } (teal)
 * reminderWeekdays(84); // [1, 3, 5]: Monday, Wednesday, Friday
 * ```
 */

/** The oldest and newest `PRAGMA user_version` of Loop's database that a backup may have. */
export const LOOP_SCHEMA_VERSIONS = { oldest: 12, newest: 25 } as const;

/** The first version with each column that is not in version 12 (see the module header). */
const COLUMN_SINCE = {
  type: 16,
  value: 16,
  target_type: 18,
  target_value: 18,
  unit: 18,
  question: 23,
  uuid: 24,
  notes: 25,
} as const;

const HABIT_COLUMNS_12 = [
  "id",
  "name",
  "description",
  "freq_num",
  "freq_den",
  "color",
  "position",
  "archived",
  "reminder_hour",
  "reminder_min",
  "reminder_days",
] as const;

/** A column of `Habits` that the reader uses. */
export type HabitColumn =
  | typeof HABIT_COLUMNS_12[number]
  | "type"
  | "target_type"
  | "target_value"
  | "unit"
  | "question"
  | "uuid";

/** A column of `Repetitions` that the reader uses (`id` is not: rows are ordered by rowid). */
export type EntryColumn = "habit" | "timestamp" | "value" | "notes";

/**
 * The `Habits` columns a backup of `version` has and the reader uses, in a fixed order.
 *
 * @example
 * ```ts
 * habitColumnsAt(25).includes("uuid"); // true
 * ```
 */
export function habitColumnsAt(version: number): HabitColumn[] {
  const later = (["type", "target_type", "target_value", "unit", "question", "uuid"] as const)
    .filter((column) => version >= COLUMN_SINCE[column]);
  return [...HABIT_COLUMNS_12, ...later];
}

/**
 * The `Repetitions` columns a backup of `version` has and the reader uses.
 *
 * @example
 * ```ts
 * entryColumnsAt(15); // ["habit", "timestamp"]: every row is a check
 * ```
 */
export function entryColumnsAt(version: number): EntryColumn[] {
  const later = (["value", "notes"] as const).filter((column) => version >= COLUMN_SINCE[column]);
  return ["habit", "timestamp", ...later];
}

/**
 * Before version 23 the question ("Did you meditate today?") was kept in `description`;
 * version 23 moved it to `question` and emptied `description`.
 */
export function questionMovedAt(version: number): boolean {
  return version < COLUMN_SINCE.question;
}

/** Loop's 20 colours (PaletteColor.kt), by index: what versions 21+ store. */
export const LOOP_PALETTE = [
  "#d32f2f", // red
  "#e64a19", // deep orange
  "#f57c00", // orange
  "#ff8f00", // amber
  "#f9a825", // yellow
  "#afb42b", // lime
  "#7cb342", // light green
  "#388e3c", // green
  "#00897b", // teal
  "#00acc1", // cyan
  "#039be5", // light blue
  "#1976d2", // blue
  "#303f9f", // indigo
  "#5e35b1", // deep purple
  "#8e24aa", // purple
  "#d81b60", // pink
  "#5d4037", // brown
  "#303030", // dark grey
  "#757575", // grey
  "#aaaaaa", // light grey
] as const;

/** Versions 14–20: the 13-colour palette's index → today's index (migration 21). */
const PALETTE_13_TO_20 = [0, 1, 4, 5, 7, 8, 9, 10, 13, 14, 15, 17, 19] as const;

/** Versions 12–13: the ARGB ints Loop offered, in the 13-colour palette's order (migration 14). */
const ARGB_13 = [
  -2937041,
  -1684967,
  -415707,
  -5262293,
  -13070788,
  -16742021,
  -16732991,
  -16540699,
  -10603087,
  -7461718,
  -2614432,
  -13619152,
  -5592406,
] as const;

/** A habit's colour: its place in Loop's 20-colour palette, and that colour. */
export interface LoopColor {
  /** 0–19, see {@linkcode LOOP_PALETTE}. */
  index: number;
  /** `#rrggbb`, lowercase. */
  hex: string;
}

/**
 * The colour a stored `color` shows in today's Loop, as its migrations would turn it:
 * an ARGB int (versions 12–13) or a 13-colour index (14–20) becomes an index into the
 * 20 colours; anything Loop does not know becomes colour 0 (red), as its migrations do.
 *
 * @example
 * ```ts
 * loopColor(5, 20).hex; // "#00897b": the old palette's 5 is teal, today's 8
 * loopColor(99, 25).index; // 0
 * ```
 */
export function loopColor(stored: number, version: number): LoopColor {
  let index: number;
  if (version < 14) {
    const old = ARGB_13.indexOf(stored as typeof ARGB_13[number]);
    index = old < 0 ? 0 : PALETTE_13_TO_20[old];
  } else if (version < 21) {
    index = Number.isInteger(stored) && stored >= 0 && stored < PALETTE_13_TO_20.length ? PALETTE_13_TO_20[stored] : 0;
  } else {
    index = Number.isInteger(stored) && stored >= 0 && stored < LOOP_PALETTE.length ? stored : 0;
  }
  return { index, hex: LOOP_PALETTE[index] };
}

/**
 * A reminder's days (`reminder_days`, a bit mask whose bit 0 is Saturday, bit 1 Sunday,
 * bit 2 Monday … bit 6 Friday, as Loop numbers weekdays) as ISO weekdays (1 = Monday),
 * ascending. Bits past the seventh are ignored, as Loop does.
 *
 * @example
 * ```ts
 * reminderWeekdays(127); // [1, 2, 3, 4, 5, 6, 7]
 * reminderWeekdays(3); // [6, 7]: Saturday and Sunday
 * ```
 */
export function reminderWeekdays(mask: number): number[] {
  const days: number[] = [];
  for (let bit = 0; bit < 7; bit++) {
    if (mask & (1 << bit)) days.push(bit === 0 ? 6 : bit === 1 ? 7 : bit - 1);
  }
  return days.sort((a, b) => a - b);
}

/** Loop's marks (Entry.kt); stored as 2, 1, 0, 3 and -1. */
export type LoopMark = "YES_MANUAL" | "YES_AUTO" | "NO" | "SKIP" | "UNKNOWN";

const MARKS: Record<number, LoopMark> = { 2: "YES_MANUAL", 1: "YES_AUTO", 0: "NO", 3: "SKIP", [-1]: "UNKNOWN" };

/** What one day of a habit holds: a mark, or (numeric habits) an amount. */
export type LoopEntryValue = { mark: LoopMark } | { mark: "AMOUNT"; amount: number };

/**
 * The meaning of a stored entry value, or null when Loop gives it none (a yes/no value
 * other than -1…3).
 *
 * Yes/no habits store a mark. Numeric habits store the amount in thousandths, except
 * 3 (SKIP, which Loop's number dialog writes, and shows as skipped rather than 0.003)
 * and negative values (UNKNOWN: no value entered).
 *
 * @example
 * ```ts
 * entryValue(2, false); // { mark: "YES_MANUAL" }
 * entryValue(12500, true); // { mark: "AMOUNT", amount: 12.5 }
 * entryValue(3, true); // { mark: "SKIP" }
 * ```
 */
export function entryValue(stored: number, numeric: boolean): LoopEntryValue | null {
  if (numeric) {
    if (stored === 3) return { mark: "SKIP" };
    if (stored < 0) return { mark: "UNKNOWN" };
    return { mark: "AMOUNT", amount: stored / 1000 };
  }
  const mark = MARKS[stored];
  return mark ? { mark } : null;
}

const DAY_MS = 86_400_000;
/** Day numbers up to 9999-12-31: later ones have no `YYYY-MM-DD`. */
const LAST_DAY_MS = Date.UTC(9999, 11, 31);

/**
 * The local day an entry's timestamp stands for, `YYYY-MM-DD`, or null when it is
 * before 1970 or after 9999. Loop stores a day as the milliseconds of its midnight in
 * UTC, whatever the phone's timezone (so no timezone applies here); a time past
 * midnight is cut to its day, as Loop's `Timestamp` does.
 *
 * @example
 * ```ts
 * entryDay(1_420_070_400_000); // "2015-01-01"
 * entryDay(1_420_070_400_000 + 3_600_000); // "2015-01-01"
 * ```
 */
export function entryDay(timestamp: number): string | null {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > LAST_DAY_MS + DAY_MS - 1) return null;
  return new Date(timestamp - (timestamp % DAY_MS)).toISOString().slice(0, 10);
}

/**
 * Loop normalises a frequency whose numerator equals its denominator to 1/1 (daily)
 * (Frequency.kt); other fractions are kept as they are.
 */
export function loopFrequency(numerator: number, denominator: number): LoopFrequency {
  return numerator === denominator ? { numerator: 1, denominator: 1 } : { numerator, denominator };
}

/** "`numerator` times in `denominator` days": 1/1 daily, 3/7 three times a week, 1/3 every third day. */
export interface LoopFrequency {
  numerator: number;
  denominator: number;
}

/** A reminder: a local time and the ISO weekdays (1 = Monday) it fires on. */
export interface LoopReminder {
  hour: number;
  minute: number;
  /** May be empty: Loop keeps such a reminder, and it never fires. */
  days: number[];
}

/** One day of a habit, as the backup holds it. */
export type LoopEntry = LoopEntryValue & {
  /** The local day, `YYYY-MM-DD`. */
  date: string;
  /** Empty when there is none (and always before version 25). */
  notes: string;
};

/** One habit of a backup, with Loop's defaults filled in for columns its version lacks. */
export interface LoopHabit {
  /** Loop's row id (what its entries point at). */
  id: number;
  /** Loop's own id (version 24 on), stable across backups and devices; null before. */
  uuid: string | null;
  name: string;
  /** The question Loop asks ("Did you meditate today?"); may be empty. */
  question: string;
  /** Free-form notes about the habit; may be empty. */
  description: string;
  type: "boolean" | "numeric";
  frequency: LoopFrequency;
  /** Numeric habits: a day is met at or above (`at_least`) or at or below (`at_most`) `targetValue`. */
  targetType: "at_least" | "at_most";
  /** Numeric habits: the target per day (0 for yes/no habits and before version 18). */
  targetValue: number;
  /** Numeric habits: the unit ("pages"); may be empty. */
  unit: string;
  color: LoopColor;
  archived: boolean;
  /** Loop's `position`: habits are listed by it (then by id). */
  position: number;
  reminder: LoopReminder | null;
  /** By day, oldest first; at most one per day. */
  entries: LoopEntry[];
}

/**
 * Rows of `Repetitions` that Loop itself drops when it reads a backup (its migration 22
 * removes them from older ones), and that were left out here for the same reasons.
 */
export interface LoopDroppedEntries {
  /** Rows whose habit is missing or not in `Habits`. */
  withoutHabit: number;
  /** Rows without a timestamp. */
  withoutDay: number;
  /** Second and later rows for a day a habit already has (the first row is kept). */
  duplicates: number;
}

/** Everything of a Loop backup that can be imported. */
export interface LoopBackup {
  /** `PRAGMA user_version`, {@linkcode LOOP_SCHEMA_VERSIONS}.oldest to .newest. */
  schemaVersion: number;
  /** In Loop's order: by position, then id. */
  habits: LoopHabit[];
  dropped: LoopDroppedEntries;
}
