/**
 * What an import writes, whatever file it came from: {@linkcode ImportData}, read by
 * `domain/import_document.ts` (our JSON export) or `app/loop_import.ts` (Loop Habit
 * Tracker's CSV zip) and written by `db/import.ts`. Also the rules both readers share:
 * the error that names a file and row ({@linkcode ImportError}), how imported text is
 * cleaned ({@linkcode cleanImportedText}) and the id an object is matched by on a later
 * import ({@linkcode sourceIdOf}). Pure.
 *
 * @example
 * ```ts
 * const data: ImportData = { source: "json", habits: [], goals: [], reminders: [] };
 * ```
 */
import type { SettingsInput } from "./account_input.ts";
import type {
  ExportCheckin,
  ExportGoal,
  ExportHabit,
  ExportMilestone,
  ExportPause,
  ExportReminder,
  ExportSubgoal,
} from "./export_format.ts";

/** A check-in to import: as the export writes it. */
export type ImportCheckin = ExportCheckin;

/**
 * `sourceId`: the id the object had where it came from (a UUID), or null when it had
 * none. An import skips an object whose `sourceId` is the id of one of the user's own
 * objects, or the `sourceId` an earlier import recorded: importing a file again adds
 * nothing it already added.
 */
interface FromSource {
  sourceId: string | null;
}

/**
 * One habit to import, validated: the exported habit without its id and creation time.
 * `position` orders it within its list (active or archived); new habits keep it, after
 * the user's own.
 */
export interface ImportHabit extends Omit<ExportHabit, "id" | "createdAt" | "direction">, FromSource {
  /** `at_most` for a limit habit (numeric only); absent = `at_least` (files from before issue 11, Loop files). */
  direction?: ExportHabit["direction"];
}

export interface ImportMilestone extends Omit<ExportMilestone, "id">, FromSource {}

export interface ImportSubgoal extends Omit<ExportSubgoal, "id">, FromSource {}

/** A goal to import; `createdAt` may be missing from a hand-written document. */
export interface ImportGoal extends Omit<ExportGoal, "id" | "createdAt" | "milestones" | "subgoals">, FromSource {
  createdAt: string | null;
  milestones: ImportMilestone[];
  subgoals: ImportSubgoal[];
}

/** A reminder to import; `habitIndex` points into {@linkcode ImportData.habits}. */
export interface ImportReminder extends Omit<ExportReminder, "id" | "habitId">, FromSource {
  habitIndex: number | null;
}

/**
 * A pause to import; `habitIndex` points into {@linkcode ImportData.habits}, null = every
 * habit. `createdAt` is kept so that an export of the import lists pauses in the same order.
 */
export interface ImportPause extends Omit<ExportPause, "id" | "habitId" | "createdAt">, FromSource {
  habitIndex: number | null;
  createdAt: string | null;
}

/** What `importUserData` (db/import.ts) writes. */
export interface ImportData {
  /** Where it came from, for the activity row. */
  source: "json" | "loop";
  /** Applied when present, unless the file came from this account (see db/import.ts). */
  settings?: SettingsInput;
  habits: ImportHabit[];
  goals: ImportGoal[];
  reminders: ImportReminder[];
  /** Absent from formats that have none (Loop's). */
  pauses?: ImportPause[];
}

/**
 * A file (or document) that cannot be imported: `where` names the file and row (or the
 * JSON path) so the person can fix it; `status` is 400 (bad or too many rows) or 413
 * (too big). Nothing is written.
 *
 * @example
 * ```ts
 * throw new ImportError("Habits.csv row 4", "Interval must be a number");
 * // message: "Habits.csv row 4: Interval must be a number"
 * ```
 */
export class ImportError extends Error {
  override name = "ImportError";
  constructor(readonly where: string, readonly problem: string, readonly status: 400 | 413 = 400) {
    super(`${where}: ${problem}`);
  }
}

/** Whitespace, control and format characters (BOM, zero-width, bidi marks) at the start. */
const LEADING_JUNK = /^[\p{White_Space}\p{Cc}\p{Cf}]+/u;

/**
 * Imported text without what nobody types at its start: whitespace, control characters
 * (TAB, CR, LF, NUL, …) and invisible format characters. A spreadsheet skips them and
 * then reads `=…` as a formula; the app would keep a note that starts invisibly. The
 * end is trimmed of whitespace too. What is left is validated like typed text.
 *
 * @example
 * ```ts
 * cleanImportedText("\t\u200b=1+1 "); // "=1+1" (and the CSV export neutralises that)
 * ```
 */
export function cleanImportedText(text: string): string {
  return text.replace(LEADING_JUNK, "").trimEnd();
}

/**
 * A lone UTF-16 surrogate cannot be stored as UTF-8: Postgres would get U+FFFD instead.
 * The import refuses such text rather than change it silently.
 */
export function isWellFormedText(text: string): boolean {
  return text.isWellFormed();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The id an imported object is matched by: a UUID as this app exports them (lowercased);
 * anything else (a hand-written document's `"id": "h1"`) matches nothing.
 *
 * @example
 * ```ts
 * sourceIdOf("3F1C0B9E-0000-4000-8000-000000000001"); // "3f1c0b9e-0000-4000-8000-000000000001"
 * sourceIdOf("h1"); // null
 * ```
 */
export function sourceIdOf(id: unknown): string | null {
  return typeof id === "string" && UUID.test(id) ? id.toLowerCase() : null;
}

/**
 * A stable id derived from `key` (SHA-256, shaped as a UUID, version nibble 8 = custom
 * per RFC 9562), for sources without ids of their own: the same key always gives the
 * same id, so importing the same Loop export twice finds its habits again.
 *
 * @example
 * ```ts
 * await derivedSourceId("loop:habit:meditate#1"); // always the same UUID
 * ```
 */
export async function derivedSourceId(key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
  digest[6] = (digest[6] & 0x0f) | 0x80;
  digest[8] = (digest[8] & 0x3f) | 0x80;
  const hex = Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
