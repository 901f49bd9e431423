/**
 * The shape of a user's export and its two encodings: one JSON document
 * ({@linkcode ExportDocument}) and a zip of CSV files, one per table
 * ({@linkcode exportCsvZip}). Pure: the data comes from `db/export.ts`.
 *
 * CSV files are RFC 4180 (comma-separated, CRLF line ends, a field with a comma, a quote
 * or a line break in double quotes, quotes doubled), UTF-8 with a header row. A text cell
 * that starts with `=`, `+`, `-` or `@` gets a leading `'` so a spreadsheet shows it as
 * text instead of running it as a formula (CSV injection); numbers are written as
 * numbers and never prefixed. The JSON export is the lossless one (and the one that
 * imports back); the CSV zip is for spreadsheets.
 *
 * @example
 * ```ts
 * const doc = await exportUserData(db, user.id); // db/export.ts
 * const json = JSON.stringify(doc, null, 2);
 * const zip = exportCsvZip(doc); // Uint8Array
 * ```
 */
import { zipSync } from "fflate";
import { z } from "zod";
import { type SettingsInput, settingsSchema } from "./account_input.ts";
import { isValidDate } from "./calendar.ts";
import { AMOUNT_MAX, CHECKIN_NOTE_MAX, DEFAULT_HABIT_COLOR, habitCreateSchema } from "./habit_input.ts";
import type { Schedule } from "./stats.ts";

/** Bumped when the document's shape changes incompatibly; import reads this version. */
export const EXPORT_VERSION = 1;
/** The `format` field every export carries, so an import knows what it was given. */
export const EXPORT_FORMAT = "consistencygrid-export";

export interface ExportSettings {
  displayName: string | null;
  timezone: string;
  weekStart: number;
  theme: string;
  emailReminders: boolean;
}

export interface ExportCheckin {
  date: string;
  status: "done" | "skipped";
  value: number | null;
  note: string | null;
}

export interface ExportHabit {
  /** The id in the exporting account; import gives new ids and remaps references. */
  id: string;
  name: string;
  color: string;
  kind: "boolean" | "numeric";
  target: number | null;
  unit: string | null;
  schedule: Schedule;
  archived: boolean;
  position: number;
  startDate: string;
  createdAt: string;
  checkins: ExportCheckin[];
}

export interface ExportMilestone {
  title: string;
  dueDate: string | null;
  done: boolean;
}

export interface ExportSubgoal {
  title: string;
  /** 0–100. */
  progress: number;
  done: boolean;
}

export interface ExportGoal {
  id: string;
  title: string;
  description: string | null;
  targetDate: string | null;
  status: "active" | "done" | "dropped";
  /** Place among the pinned goals (0 first); null when not pinned. */
  pinPosition: number | null;
  createdAt: string;
  /** In the goal's order. */
  milestones: ExportMilestone[];
  subgoals: ExportSubgoal[];
}

export interface ExportReminder {
  id: string;
  /** The `id` of one of this document's habits, or null. */
  habitId: string | null;
  title: string;
  /** `HH:MM`, the user's local time. */
  time: string;
  /** ISO weekdays, 1 = Monday. */
  days: number[];
  enabled: boolean;
}

/** Everything of one user, read in one consistent snapshot. */
export interface ExportDocument {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  settings: ExportSettings;
  habits: ExportHabit[];
  goals: ExportGoal[];
  reminders: ExportReminder[];
}

/**
 * One CSV cell: RFC 4180 quoting, and a `'` before text that a spreadsheet would read as
 * a formula. `null`/`undefined` → empty.
 *
 * @example
 * ```ts
 * csvCell('say "hi", then go'); // '"say ""hi"", then go"'
 * csvCell("=HYPERLINK(...)"); // "'=HYPERLINK(...)" (quoted too when it holds a comma or quote)
 * csvCell(-3); // "-3" (a number stays a number)
 * ```
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return String(value);
  const text = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A whole CSV file: a header row, then one line per row, CRLF-terminated.
 *
 * @example
 * ```ts
 * csvTable(["name", "done"], [["Read", true]]); // "name,done\r\nRead,true\r\n"
 * ```
 */
export function csvTable(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const line = (cells: readonly unknown[]) =>
    cells.map((cell) => csvCell(cell as string | number | boolean | null)).join(",") + "\r\n";
  return line(header) + rows.map(line).join("");
}

/** The CSV files of an export by name, as text (what {@linkcode exportCsvZip} zips). */
export function exportCsvFiles(doc: ExportDocument): Record<string, string> {
  const s = doc.settings;
  return {
    "settings.csv": csvTable(
      ["display_name", "timezone", "week_start", "theme", "email_reminders"],
      [[s.displayName, s.timezone, s.weekStart, s.theme, s.emailReminders]],
    ),
    "habits.csv": csvTable(
      ["id", "name", "color", "kind", "target", "unit", "schedule", "archived", "position", "start_date", "created_at"],
      doc.habits.map((h) => [
        h.id,
        h.name,
        h.color,
        h.kind,
        h.target,
        h.unit,
        JSON.stringify(h.schedule),
        h.archived,
        h.position,
        h.startDate,
        h.createdAt,
      ]),
    ),
    "checkins.csv": csvTable(
      ["habit_id", "habit_name", "date", "status", "value", "note"],
      doc.habits.flatMap((h) => h.checkins.map((c) => [h.id, h.name, c.date, c.status, c.value, c.note])),
    ),
    "goals.csv": csvTable(
      ["id", "title", "description", "target_date", "status", "pin_position", "created_at"],
      doc.goals.map((g) => [g.id, g.title, g.description, g.targetDate, g.status, g.pinPosition, g.createdAt]),
    ),
    "milestones.csv": csvTable(
      ["goal_id", "position", "title", "due_date", "done"],
      doc.goals.flatMap((g) => g.milestones.map((m, i) => [g.id, i, m.title, m.dueDate, m.done])),
    ),
    "subgoals.csv": csvTable(
      ["goal_id", "position", "title", "progress", "done"],
      doc.goals.flatMap((g) => g.subgoals.map((sg, i) => [g.id, i, sg.title, sg.progress, sg.done])),
    ),
    "reminders.csv": csvTable(
      ["id", "habit_id", "title", "time", "days", "enabled"],
      doc.reminders.map((r) => [r.id, r.habitId, r.title, r.time, r.days.join(" "), r.enabled]),
    ),
  };
}

/**
 * The CSV export: a zip (deflated) of `settings.csv`, `habits.csv`, `checkins.csv`,
 * `goals.csv`, `milestones.csv`, `subgoals.csv` and `reminders.csv`. Rows refer to each
 * other by the exported ids (`habit_id`, `goal_id`); reminder `days` are ISO weekdays
 * separated by spaces.
 *
 * @example
 * ```ts
 * return new Response(exportCsvZip(doc), { headers: { "content-type": "application/zip" } });
 * ```
 */
export function exportCsvZip(doc: ExportDocument): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder();
  const files = Object.fromEntries(
    Object.entries(exportCsvFiles(doc)).map(([name, text]) => [name, encoder.encode(text)]),
  );
  return zipSync(files, { level: 6 }) as Uint8Array<ArrayBuffer>;
}

/** One habit to import, validated: the export's habit without ids and timestamps. */
export interface ImportHabit {
  name: string;
  color: string;
  kind: "boolean" | "numeric";
  target: number | null;
  unit: string | null;
  schedule: Schedule;
  archived: boolean;
  /** Order within its list (active or archived); imported habits keep it, after the user's own. */
  position: number;
  startDate: string;
  checkins: ExportCheckin[];
}

/** A goal to import: the export's goal without its id. */
export type ImportGoal = Omit<ExportGoal, "id" | "createdAt"> & { createdAt: string | null };

/** A reminder to import; `habitIndex` points into {@linkcode ImportData.habits}. */
export type ImportReminder = Omit<ExportReminder, "id" | "habitId"> & { habitIndex: number | null };

/** What `importUserData` (db/import.ts) writes: from a JSON export or Loop's CSV. */
export interface ImportData {
  /** Where it came from, for the activity row. */
  source: "json" | "loop";
  /** Applied to the account when present (the JSON export carries them; Loop does not). */
  settings?: SettingsInput;
  habits: ImportHabit[];
  goals: ImportGoal[];
  reminders: ImportReminder[];
}

/**
 * A file (or document) that cannot be imported: `where` names the file and row (or the
 * JSON path) so the person can fix it; the route answers 400 with the message.
 *
 * @example
 * ```ts
 * throw new ImportError("Habits.csv row 4", "Interval must be a number");
 * // message: "Habits.csv row 4: Interval must be a number"
 * ```
 */
export class ImportError extends Error {
  override name = "ImportError";
  constructor(readonly where: string, readonly problem: string) {
    super(`${where}: ${problem}`);
  }
}

// deno-lint-ignore no-control-regex
const NOTE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** A check-in as the export writes it; `today` bounds the day (no future check-ins). */
function checkinSchema(today: string) {
  return z.object({
    date: z.string({ error: "Send the date as YYYY-MM-DD" })
      .refine(isValidDate, "Send the date as a real day, YYYY-MM-DD")
      .refine((date) => date <= today, "The date is after today"),
    status: z.enum(["done", "skipped"], { error: 'The status is "done" or "skipped"' }),
    value: z.number({ error: "The value is a number or null" }).min(0, "The value is 0 or more")
      .max(AMOUNT_MAX, `The value is ${AMOUNT_MAX} or less`).nullable().default(null),
    note: z.string({ error: "The note is text or null" })
      .refine((text) => [...text].length <= CHECKIN_NOTE_MAX, `Keep the note to ${CHECKIN_NOTE_MAX} characters`)
      .refine((text) => !NOTE_CONTROL.test(text), "Remove control characters from the note")
      .nullable().default(null).transform((text) => text === "" ? null : text),
  });
}

/** The parts of an exported habit that creating a habit does not already check. */
const habitExtrasSchema = z.object({
  archived: z.boolean({ error: "archived is true or false" }).default(false),
  position: z.int({ error: "position is a whole number from 0" }).min(0, "position is a whole number from 0")
    .max(100_000, "position is a whole number up to 100000").default(0),
  startDate: z.string({ error: "Send startDate as YYYY-MM-DD" }).refine(isValidDate, "Send startDate as YYYY-MM-DD"),
  checkins: z.array(z.unknown(), { error: "checkins is a list" }).default([]),
});

function describe(path: readonly PropertyKey[]): string {
  return path.map((part) => typeof part === "number" ? `[${part}]` : `.${String(part)}`).join("").replace(/^\./, "");
}

/** The first problem of a failed parse as an {@linkcode ImportError} at `prefix`. */
function firstProblem(prefix: string, error: z.ZodError): ImportError {
  const [first] = error.issues;
  const where = [prefix, describe(first.path)].filter(Boolean).join(".").replace(".[", "[");
  return new ImportError(where || "The document", first.message);
}

/**
 * Reads a JSON export (any version-1 document this app wrote, possibly edited by hand)
 * into {@linkcode ImportData}, or throws an {@linkcode ImportError} naming the first bad
 * row by its path (`habits[2].checkins[5].date: The date is after today`).
 *
 * @example
 * ```ts
 * const data = parseExportDocument(JSON.parse(text), localDay(user.timezone));
 * ```
 */
export function parseExportDocument(value: unknown, today: string): ImportData {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ImportError("The document", "Send a JSON export: one object with format, version and habits");
  }
  const doc = value as Record<string, unknown>;
  if (doc.format !== EXPORT_FORMAT || doc.version !== EXPORT_VERSION) {
    throw new ImportError(
      "The document",
      `This is not a ConsistencyGrid export (expected format "${EXPORT_FORMAT}", version ${EXPORT_VERSION})`,
    );
  }
  let settings: SettingsInput | undefined;
  if (doc.settings !== undefined) {
    const parsed = settingsSchema.safeParse(doc.settings);
    if (!parsed.success) throw firstProblem("settings", parsed.error);
    settings = parsed.data;
  }
  if (!Array.isArray(doc.habits)) throw new ImportError("habits", "Send the habits as a list");
  const checkin = checkinSchema(today);
  const habits = doc.habits.map((raw: unknown, i): ImportHabit => {
    const at = `habits[${i}]`;
    const record = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    const { name, color, kind, target, unit, schedule } = record;
    const base = habitCreateSchema.safeParse({ name, color, kind, target, unit, schedule });
    if (!base.success) throw firstProblem(at, base.error);
    const extras = habitExtrasSchema.safeParse(record);
    if (!extras.success) throw firstProblem(at, extras.error);
    const seen = new Set<string>();
    const checkins = extras.data.checkins.map((rawCheckin, j) => {
      const parsed = checkin.safeParse(rawCheckin);
      if (!parsed.success) throw firstProblem(`${at}.checkins[${j}]`, parsed.error);
      const c = parsed.data;
      if (seen.has(c.date)) throw new ImportError(`${at}.checkins[${j}]`, `A second check-in on ${c.date}`);
      seen.add(c.date);
      if (c.value !== null && base.data.kind !== "numeric") {
        throw new ImportError(`${at}.checkins[${j}].value`, "Only check-ins of numeric habits have a value");
      }
      return c;
    });
    return {
      name: base.data.name,
      color: base.data.color ?? DEFAULT_HABIT_COLOR,
      kind: base.data.kind ?? "boolean",
      target: base.data.target ?? null,
      unit: base.data.unit ?? null,
      schedule: base.data.schedule ?? { type: "daily" },
      archived: extras.data.archived,
      position: extras.data.position,
      startDate: extras.data.startDate,
      checkins,
    };
  });
  const habitIndex = new Map(doc.habits.map((raw: unknown, i) => [(raw as { id?: unknown })?.id, i]));
  return {
    source: "json",
    settings,
    habits,
    goals: list(doc.goals, "goals").map((raw, i) => parseRow(goalSchema, raw, `goals[${i}]`)),
    reminders: list(doc.reminders, "reminders").map((raw, i) => {
      const { habitId, ...reminder } = parseRow(reminderSchema, raw, `reminders[${i}]`);
      if (habitId !== null && !habitIndex.has(habitId)) {
        throw new ImportError(`reminders[${i}].habitId`, "No habit in this document has that id");
      }
      return { ...reminder, habitIndex: habitId === null ? null : habitIndex.get(habitId)! };
    }),
  };
}

/** A list that older documents may lack (then empty). */
function list(value: unknown, where: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ImportError(where, "Send a list");
  return value;
}

function parseRow<T extends z.ZodType>(schema: T, raw: unknown, where: string): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw firstProblem(where, parsed.error);
  return parsed.data;
}

function title(max: number) {
  return z.string({ error: "Send the title as text" }).trim().min(1, "The title is empty")
    .refine((text) => [...text].length <= max, `Keep the title to ${max} characters`);
}

const dayOrNull = z.string({ error: "Send the day as YYYY-MM-DD or null" })
  .refine(isValidDate, "Send the day as YYYY-MM-DD").nullable().default(null);

const goalSchema = z.object({
  title: title(200),
  description: z.string({ error: "Send the description as text or null" }).trim()
    .max(2000, "Keep the description to 2000 characters").nullable().default(null)
    .transform((text) => text || null),
  targetDate: dayOrNull,
  status: z.enum(["active", "done", "dropped"], { error: 'The status is "active", "done" or "dropped"' })
    .default("active"),
  pinPosition: z.int({ error: "pinPosition is a whole number or null" }).min(0, "pinPosition is 0 or more")
    .nullable().default(null),
  createdAt: z.iso.datetime({ error: "Send createdAt as an ISO date-time" }).nullable().default(null),
  milestones: z.array(
    z.object({
      title: title(200),
      dueDate: dayOrNull,
      done: z.boolean({ error: "done is true or false" }).default(false),
    }),
    { error: "milestones is a list" },
  ).default([]),
  subgoals: z.array(
    z.object({
      title: title(200),
      progress: z.int({ error: "progress is a whole number from 0 to 100" })
        .min(0, "progress is a whole number from 0 to 100").max(100, "progress is a whole number from 0 to 100")
        .default(0),
      done: z.boolean({ error: "done is true or false" }).default(false),
    }),
    { error: "subgoals is a list" },
  ).default([]),
});

const reminderSchema = z.object({
  habitId: z.string({ error: "habitId is a habit's id from this document, or null" }).nullable().default(null),
  title: title(100),
  time: z.string({ error: "Send the time as HH:MM" }).regex(
    /^([01]\d|2[0-3]):[0-5]\d$/,
    "Send the time as HH:MM, 00:00 to 23:59",
  ),
  days: z.array(
    z.int({ error: "Days are ISO weekdays 1 to 7" }).min(1, "Days are ISO weekdays 1 to 7").max(
      7,
      "Days are ISO weekdays 1 to 7",
    ),
    { error: "days is a list of ISO weekdays" },
  ).min(1, "Choose at least one day").transform((days) => [...new Set(days)].sort((a, b) => a - b)),
  enabled: z.boolean({ error: "enabled is true or false" }).default(true),
});
