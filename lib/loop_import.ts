/**
 * Reads Loop Habit Tracker's CSV export (a zip: `Habits.csv` plus one folder per habit,
 * `NNN Name/Checkmarks.csv`) into habits and check-ins to import. Pure: bytes in,
 * {@linkcode ImportData} out, or an {@linkcode ImportError} naming the file and row.
 *
 * The mapping (rows are counted as a spreadsheet shows them: the header is row 1):
 *
 * | Loop | ConsistencyGrid |
 * |---|---|
 * | `Habits.csv` row N+1 | habit N, in that order; folder `NNN …` holds habit NNN's entries |
 * | `Name` (required) | name (trimmed, 1–100 characters) |
 * | `NumRepetitions`/`FrequencyNumerator` ÷ `Interval`/`FrequencyDenominator` | schedule: x/1 → daily; x/7 → weekly x times; else weekly round(7·x/y) times (1–7). Both default to 1 |
 * | `Color` `#RRGGBB` | color (lowercased); missing or another form → the default green |
 * | `Type` 1 with `Unit`, `Target Value` | a numeric habit (target > 0, else 1; unit, else "units"); else yes/no |
 * | `Archived?` `true` | archived |
 * | `Question`, `Description`, `Position`, others | ignored |
 * | `Checkmarks.csv` `Date` (YYYY-MM-DD) | the check-in's day; not after today (older than 366 days is fine: an import is a backfill) |
 * | `Value` `2`/`YES_MANUAL` | done |
 * | `Value` `3`/`SKIP` | skipped |
 * | `Value` `1`/`YES_AUTO`, `0`/`NO`, `-1`/`UNKNOWN`, empty | no check-in (Loop computes YES_AUTO from the frequency; it was never checked) |
 * | numeric habits: `Value` a number > 0 | done with that amount; 0 or less → no check-in |
 * | `Notes` | the note (empty → none; up to 500 characters) |
 * | a `Checkmarks.csv` without a header (older Loop versions) | read as `Date,Value,Notes` |
 *
 * The start date of each habit is its oldest check-in, or `today` without any.
 *
 * @example
 * ```ts
 * const data = parseLoopZip(new Uint8Array(await file.arrayBuffer()), localDay(user.timezone));
 * await importUserData(db, user.id, data, today); // db/import.ts
 * ```
 */
import { unzipSync } from "fflate";
import { isValidDate } from "./calendar.ts";
import { type ExportCheckin, type ImportData, ImportError, type ImportHabit } from "./export_format.ts";
import { AMOUNT_MAX, CHECKIN_NOTE_MAX, DEFAULT_HABIT_COLOR, HABIT_NAME_MAX } from "./habit_input.ts";
import type { Schedule } from "./stats.ts";

/**
 * RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF line ends) → rows of cells.
 * A trailing empty line is dropped; an unterminated quote throws an ImportError.
 *
 * @example
 * ```ts
 * parseCsv('a,"b ""c"""\r\n1,2\r\n', "x.csv"); // [["a", 'b "c"'], ["1", "2"]]
 * ```
 */
export function parseCsv(text: string, file: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 BOM is not part of the header
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === "") quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (quoted) throw new ImportError(`${file} row ${rows.length + 1}`, "A quoted cell is never closed");
  if (cell !== "" || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** A table with named columns: `get(row, "Name")` reads a cell by header, case-insensitively. */
function table(rows: string[][], file: string, required: string[]) {
  if (!rows.length) throw new ImportError(file, "The file is empty: it needs a header row");
  const header = rows[0].map((name) => name.trim().toLowerCase());
  for (const name of required) {
    if (!header.includes(name.toLowerCase())) throw new ImportError(`${file} row 1`, `The column ${name} is missing`);
  }
  const index = (...names: string[]) => {
    for (const name of names) {
      const at = header.indexOf(name.toLowerCase());
      if (at >= 0) return at;
    }
    return -1;
  };
  return {
    /** Data rows with their spreadsheet row number; blank lines skipped. */
    rows: rows.slice(1).map((cells, i) => ({ cells, row: i + 2 })).filter(({ cells }) => cells.some((c) => c.trim())),
    get: (cells: string[], ...names: string[]) => {
      const at = index(...names);
      return at >= 0 ? (cells[at] ?? "").trim() : "";
    },
  };
}

function wholeNumber(text: string, where: string, column: string, fallback: number): number {
  if (text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new ImportError(where, `${column} must be a whole number from 1`);
  return n;
}

function scheduleOf(times: number, days: number): Schedule {
  if (days === 1) return { type: "daily" };
  if (days === 7 && times <= 7) return { type: "weekly", times };
  return { type: "weekly", times: Math.min(7, Math.max(1, Math.round((7 * times) / days))) };
}

/** One `Habits.csv` row, without its check-ins yet. */
function habitOf(
  get: (names: string[]) => string,
  where: string,
): Omit<ImportHabit, "checkins" | "startDate" | "position"> {
  const name = get(["Name"]);
  if (!name) throw new ImportError(where, "Name is empty");
  if ([...name].length > HABIT_NAME_MAX) throw new ImportError(where, `Name is over ${HABIT_NAME_MAX} characters`);
  const times = wholeNumber(get(["NumRepetitions", "FrequencyNumerator"]), where, "NumRepetitions", 1);
  const days = wholeNumber(get(["Interval", "FrequencyDenominator"]), where, "Interval", 1);
  if (times > days) throw new ImportError(where, "NumRepetitions must not be more than Interval");
  const color = get(["Color"]).toLowerCase();
  const numeric = get(["Type"]) === "1";
  const target = Number(get(["Target Value", "TargetValue"]));
  return {
    name,
    color: /^#[0-9a-f]{6}$/.test(color) ? color : DEFAULT_HABIT_COLOR,
    kind: numeric ? "numeric" : "boolean",
    target: numeric ? (target > 0 && target <= AMOUNT_MAX ? target : 1) : null,
    unit: numeric ? (get(["Unit"]).slice(0, 20).trim() || "units") : null,
    schedule: scheduleOf(times, days),
    archived: get(["Archived?", "Archived"]).toLowerCase() === "true",
  };
}

const DONE = new Set(["2", "YES_MANUAL"]);
const SKIPPED = new Set(["3", "SKIP"]);
const NOTHING = new Set(["", "0", "1", "-1", "NO", "YES_AUTO", "UNKNOWN"]);

/** One `Checkmarks.csv` → check-ins (null for a row that is no check-in). */
function checkinsOf(text: string, file: string, kind: ImportHabit["kind"], today: string): ExportCheckin[] {
  const cells = parseCsv(text, file);
  // Older Loop versions wrote entries without a header row: the first cell is then a day.
  if (isValidDate(cells[0]?.[0]?.trim())) cells.unshift(["Date", "Value", "Notes"]);
  const { rows, get } = table(cells, file, ["Date", "Value"]);
  const seen = new Set<string>();
  const checkins: ExportCheckin[] = [];
  for (const { cells, row } of rows) {
    const where = `${file} row ${row}`;
    const date = get(cells, "Date");
    if (!isValidDate(date)) throw new ImportError(where, "Date must be a day as YYYY-MM-DD");
    if (date > today) throw new ImportError(where, `Date ${date} is after today`);
    if (seen.has(date)) throw new ImportError(where, `A second row for ${date}`);
    seen.add(date);
    const value = get(cells, "Value");
    const rawNote = get(cells, "Notes", "Note");
    if ([...rawNote].length > CHECKIN_NOTE_MAX) {
      throw new ImportError(where, `Notes must be ${CHECKIN_NOTE_MAX} characters or fewer`);
    }
    const note = rawNote || null;
    if (kind === "numeric") {
      const amount = Number(value);
      if (value === "" || !Number.isFinite(amount)) throw new ImportError(where, "Value must be a number");
      if (amount > AMOUNT_MAX) throw new ImportError(where, `Value must be ${AMOUNT_MAX} or less`);
      if (amount > 0) checkins.push({ date, status: "done", value: amount, note });
    } else if (DONE.has(value)) checkins.push({ date, status: "done", value: null, note });
    else if (SKIPPED.has(value)) checkins.push({ date, status: "skipped", value: null, note });
    else if (!NOTHING.has(value)) {
      throw new ImportError(where, "Value must be 2 (done), 3 (skipped), or 1, 0, -1 (no check-in)");
    }
  }
  return checkins.sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * Loop's CSV export zip → habits and check-ins; throws an ImportError naming the file
 * and row of the first problem.
 *
 * @example
 * ```ts
 * const { habits } = parseLoopZip(zipBytes, "2026-03-03");
 * ```
 */
export function parseLoopZip(zip: Uint8Array, today: string): ImportData {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch {
    throw new ImportError("The file", "It is not a zip archive: upload Loop's CSV export (.zip) as it is");
  }
  const decoder = new TextDecoder("utf-8", { fatal: false });
  const names = Object.keys(files).filter((name) => !name.endsWith("/"));
  // Habits.csv at the top, or inside one folder when the zip was re-packed from a folder.
  const habitsPath = names.filter((name) => /(^|\/)Habits\.csv$/i.test(name))
    .sort((a, b) => a.split("/").length - b.split("/").length)[0];
  if (!habitsPath) throw new ImportError("The zip", "Habits.csv is missing: upload Loop's CSV export as it is");
  const root = habitsPath.slice(0, habitsPath.length - "Habits.csv".length);

  const { rows, get } = table(parseCsv(decoder.decode(files[habitsPath]), "Habits.csv"), "Habits.csv", ["Name"]);
  const habits = rows.map(({ cells, row }) => habitOf((n) => get(cells, ...n), `Habits.csv row ${row}`));
  const checkins: ExportCheckin[][] = habits.map(() => []);

  for (const name of names) {
    if (!name.startsWith(root)) continue;
    const match = /^(\d{3,}) [^/]*\/Checkmarks\.csv$/i.exec(name.slice(root.length));
    if (!match) continue;
    const file = name.slice(root.length);
    const n = Number(match[1]);
    if (n < 1 || n > habits.length) throw new ImportError(file, `Habits.csv has no habit number ${n}`);
    checkins[n - 1] = checkinsOf(decoder.decode(files[name]), file, habits[n - 1].kind, today);
  }
  return {
    source: "loop",
    goals: [],
    reminders: [],
    habits: habits.map((habit, i) => ({
      ...habit,
      position: i,
      startDate: checkins[i][0]?.date ?? today,
      checkins: checkins[i],
    })),
  };
}
