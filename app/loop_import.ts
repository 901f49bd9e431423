/**
 * Reads Loop Habit Tracker's CSV export (a zip: `Habits.csv` plus one folder per habit,
 * `NNN Name/Checkmarks.csv`) into habits and check-ins to import: bytes in,
 * {@linkcode ImportData} out, or an {@linkcode ImportError} naming the file and row (400)
 * or the file and the cap (413 for sizes, 400 for rows: `domain/import_limits.ts`).
 *
 * Streaming: the zip is checked against the size caps before anything inflates
 * (`lib/zip_reader.ts`), each CSV is parsed as it inflates (`lib/csv.ts`) and counted
 * against the row caps as it goes, so a file over a cap is refused after reading just
 * past the cap, not after inflating it all. Only `Habits.csv` and the `Checkmarks.csv`
 * files are inflated; other entries are only checked.
 *
 * Each habit and day is read into Loop's own terms ({@linkcode LoopHabit}, as the backup
 * reader gives them) and mapped by the same pure mapping as Loop's backup
 * (`domain/loop_mapping.ts`: `NO` → failed, `X/Y` → the exact schedule, at-most targets),
 * then fitted to the model (`app/loop/todays_model.ts`: only a target of 0 or less
 * changes). Rows are counted as a spreadsheet shows them
 * (the header is row 1):
 *
 * | Loop | read as |
 * |---|---|
 * | `Habits.csv` row N+1 | habit N, in that order; folder `NNN …` holds habit NNN's entries |
 * | `Name` (required) | name (whitespace and control characters trimmed, 1–100 characters) |
 * | `FrequencyNumerator`/`NumRepetitions` ÷ `FrequencyDenominator`/`Interval` | the frequency (both default to 1) |
 * | `Color` `#RRGGBB` | color (lowercased); missing or another form → the default green |
 * | `Type` `NUMERICAL` (Loop) or `1`, with `Unit`, `Target Value`, `Target Type` `AT_MOST`/`AT_LEAST` | a numeric habit; else yes/no |
 * | `Archived?` `true` | archived |
 * | `Question`, `Description` | read, not imported (the model has no place for them yet) |
 * | `Checkmarks.csv` `Date` (YYYY-MM-DD) | the day; not after today (older than 366 days is fine: an import is a backfill) |
 * | `Value` `YES_MANUAL`/`2`, `SKIP`/`3`, `NO`/`0`, `YES_AUTO`/`1`, `UNKNOWN`/`-1`/empty | Loop's mark |
 * | numeric habits of type `NUMERICAL`: `Value` | thousandths, as Loop stores and writes them (`12500` = 12.5; `SKIP`, `UNKNOWN` as marks) |
 * | numeric habits of type `1` (hand-made files): `Value` | the amount as written; below 0 → none |
 * | `Notes` | the note (leading whitespace and control characters dropped; up to 500 characters) |
 * | a `Checkmarks.csv` without a header (older Loop versions) | read as `Date,Value,Notes` |
 *
 * The start date of each habit is its oldest day in the file, or `today` without any.
 *
 * Loop's CSV has no ids, so each habit gets one derived from its name (and its place
 * among habits of the same name): importing the same Loop export again finds the habits
 * it imported before and only adds the check-ins they lack (db/import.ts).
 *
 * @example
 * ```ts
 * const data = await parseLoopZip(new Uint8Array(await file.arrayBuffer()), localDay(user.timezone));
 * await importUserData(db, user.id, data); // db/import.ts
 * ```
 */
import {
  entryValue,
  LOOP_PALETTE,
  type LoopEntry,
  type LoopEntryValue,
  type LoopHabit,
} from "@/domain/loop_backup_format.ts";
import { mapLoopEntry, mapLoopHabit } from "@/domain/loop_mapping.ts";
import { isValidDate } from "@/domain/calendar.ts";
import { CsvReadError, readCsvRows } from "@/lib/csv.ts";
import { cleanImportedText, derivedSourceId, type ImportData, ImportError } from "@/domain/import_data.ts";
import { IMPORT_ROW_CAPS, IMPORT_SIZE_CAPS, overRowCap, overSizeCap, RowCaps } from "@/domain/import_limits.ts";
import { DEFAULT_HABIT_COLOR } from "@/domain/habit_input.ts";
import { importHabitOf } from "@/app/loop/todays_model.ts";
import { openZip, type ZipArchive, type ZipEntry, ZipRefused } from "@/lib/zip_reader.ts";
import { AMOUNT_MAX, CHECKIN_NOTE_MAX, HABIT_NAME_MAX } from "@/domain/limits.ts";
import { characters, NOTE_CONTROL, ONE_LINE_CONTROL } from "@/domain/text_rules.ts";

/** Longest stretch of parsing between two yields to the event loop, so other requests run. */
const MAX_BUSY_MS = 10;

/**
 * A CSV table with named columns, streamed: the header row names the columns
 * (case-insensitively), `onRow` gets each data row with a `get(cells, "Name")` that reads
 * a cell by header (cleaned: `cleanImportedText`). Blank rows are skipped but keep their
 * numbers; more than {@linkcode IMPORT_ROW_CAPS}`.csvRows` rows → 400.
 */
async function readTable(
  stream: ReadableStream<Uint8Array>,
  file: string,
  required: string[],
  onRow: (get: (cells: string[], ...names: string[]) => string, cells: string[], row: number) => void | Promise<void>,
): Promise<void> {
  let index: ((...names: string[]) => number) | undefined;
  const get = (cells: string[], ...names: string[]) => {
    const at = index!(...names);
    return at >= 0 ? cleanImportedText(cells[at] ?? "") : "";
  };
  let busySince = performance.now();
  for await (const { cells, row } of readCsvRows(stream, file)) {
    if (row > IMPORT_ROW_CAPS.csvRows) throw overRowCap("csvRows", file);
    if (performance.now() - busySince > MAX_BUSY_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      busySince = performance.now();
    }
    if (!index) {
      const header = cells.map((name) => cleanImportedText(name).toLowerCase());
      for (const name of required) {
        if (!header.includes(name.toLowerCase())) {
          throw new ImportError(`${file} row 1`, `The column ${name} is missing`);
        }
      }
      index = (...names) => {
        for (const name of names) {
          const at = header.indexOf(name.toLowerCase());
          if (at >= 0) return at;
        }
        return -1;
      };
      continue;
    }
    if (!cells.some((cell) => cell.trim())) continue;
    await onRow(get, cells, row);
  }
  if (!index) throw new ImportError(file, "The file is empty: it needs a header row");
}

function wholeNumber(text: string, where: string, column: string, fallback: number): number {
  if (text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new ImportError(where, `${column} must be a whole number from 1`);
  return n;
}

/** A `Habits.csv` row in Loop's terms (its entries come from its own file). */
interface CsvHabit {
  habit: LoopHabit;
  /** `Type` `1`: a hand-made file whose values are amounts as written, not Loop's thousandths. */
  plainAmounts: boolean;
}

/** One `Habits.csv` row, without its entries yet. */
function habitOf(get: (names: string[]) => string, where: string, index: number): CsvHabit {
  const name = get(["Name"]);
  if (!name) throw new ImportError(where, "Name is empty");
  if (characters(name) > HABIT_NAME_MAX) throw new ImportError(where, `Name is over ${HABIT_NAME_MAX} characters`);
  if (ONE_LINE_CONTROL.test(name)) throw new ImportError(where, "Name has line breaks or control characters");
  const times = wholeNumber(get(["NumRepetitions", "FrequencyNumerator"]), where, "NumRepetitions", 1);
  const days = wholeNumber(get(["Interval", "FrequencyDenominator"]), where, "Interval", 1);
  if (times > days) throw new ImportError(where, "NumRepetitions must not be more than Interval");
  const color = get(["Color"]).toLowerCase();
  const type = get(["Type"]).toUpperCase();
  const target = Number(get(["Target Value", "TargetValue"]));
  const hex = /^#[0-9a-f]{6}$/.test(color) ? color : DEFAULT_HABIT_COLOR;
  return {
    plainAmounts: type === "1",
    habit: {
      id: index + 1,
      uuid: null,
      name,
      question: get(["Question"]),
      description: get(["Description"]),
      type: type === "1" || type === "NUMERICAL" ? "numeric" : "boolean",
      frequency: { numerator: times, denominator: days },
      targetType: ["AT_MOST", "1"].includes(get(["Target Type", "TargetType"]).toUpperCase()) ? "at_most" : "at_least",
      // Out of range → 0, which today's model reads as "no target" (1).
      targetValue: target > 0 && target <= AMOUNT_MAX ? target : 0,
      unit: get(["Unit"]),
      color: { index: LOOP_PALETTE.indexOf(hex as typeof LOOP_PALETTE[number]), hex },
      archived: get(["Archived?", "Archived"]).toLowerCase() === "true",
      position: index,
      reminder: null,
      entries: [],
    },
  };
}

/** Loop's marks by the names (and numbers) its CSV writes them with, as Loop stores them. */
const STORED_MARKS: Record<string, number> = {
  YES_MANUAL: 2,
  "2": 2,
  SKIP: 3,
  "3": 3,
  NO: 0,
  "0": 0,
  YES_AUTO: 1,
  "1": 1,
  UNKNOWN: -1,
  "-1": -1,
  "": -1,
};

/** A numeric habit's `Value` as Loop's entry value. */
function amountOf(value: string, plainAmounts: boolean, where: string): LoopEntryValue | null {
  if (!plainAmounts && value.toUpperCase() in STORED_MARKS && !/^-?\d+$/.test(value)) {
    // Loop writes the values 3 and -1 (and 0–2) of a numeric habit by their mark's name.
    return entryValue(STORED_MARKS[value.toUpperCase()], true);
  }
  const amount = Number(value);
  if (value === "" || !Number.isFinite(amount)) throw new ImportError(where, "Value must be a number");
  if (plainAmounts) return amount < 0 ? { mark: "UNKNOWN" } : { mark: "AMOUNT", amount };
  if (!Number.isInteger(amount)) throw new ImportError(where, "Value must be a whole number (Loop writes thousandths)");
  return entryValue(amount, true);
}

/** One `Checkmarks.csv` → the habit's days, check-ins counted against the import's cap. */
async function entriesOf(
  archive: ZipArchive,
  entry: ZipEntry,
  file: string,
  { habit, plainAmounts }: CsvHabit,
  today: string,
  caps: RowCaps,
): Promise<LoopEntry[]> {
  const { stream, headerless } = await withHeader(archive.open(entry), "Date,Value,Notes\n");
  const seen = new Set<string>();
  const entries: LoopEntry[] = [];
  await readTable(stream, file, ["Date", "Value"], (get, cells, fileRow) => {
    // Rows as a spreadsheet shows the file: without the header we added, one less.
    const where = `${file} row ${headerless ? fileRow - 1 : fileRow}`;
    const date = get(cells, "Date");
    if (!isValidDate(date)) throw new ImportError(where, "Date must be a day as YYYY-MM-DD");
    if (date > today) throw new ImportError(where, `Date ${date} is after today`);
    if (seen.has(date)) throw new ImportError(where, `A second row for ${date}`);
    seen.add(date);
    const value = get(cells, "Value");
    const notes = get(cells, "Notes", "Note");
    if (characters(notes) > CHECKIN_NOTE_MAX) {
      throw new ImportError(where, `Notes must be ${CHECKIN_NOTE_MAX} characters or fewer`);
    }
    if (NOTE_CONTROL.test(notes)) throw new ImportError(where, "Notes has control characters");
    let day: LoopEntryValue | null;
    if (habit.type === "numeric") {
      day = amountOf(value, plainAmounts, where);
      if (day?.mark === "AMOUNT" && day.amount > AMOUNT_MAX) {
        throw new ImportError(where, `Value must be ${AMOUNT_MAX} or less`);
      }
    } else {
      const stored = STORED_MARKS[value.toUpperCase()];
      day = stored === undefined ? null : entryValue(stored, false);
    }
    if (!day) {
      throw new ImportError(
        where,
        "Value must be YES_MANUAL or 2 (done), SKIP or 3 (skipped), NO or 0 (not done), YES_AUTO or 1, UNKNOWN or -1",
      );
    }
    const loopEntry: LoopEntry = { ...day, date, notes };
    if (mapLoopEntry(loopEntry)) caps.add("checkins", where);
    entries.push(loopEntry);
  });
  return entries.sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * Older Loop versions wrote Checkmarks.csv without a header row (its first cell is then a
 * day): such a stream gets `header` in front. Looks at the first chunk only, and passes
 * every byte on as it came (each is counted once against the caps).
 */
async function withHeader(
  source: ReadableStream<Uint8Array>,
  header: string,
): Promise<{ stream: ReadableStream<Uint8Array>; headerless: boolean }> {
  const reader = source.getReader();
  const first = await reader.read();
  const text = first.done ? "" : new TextDecoder().decode(first.value.subarray(0, 64));
  const headerless = isValidDate(cleanImportedText(text.split(/[,\r\n]/)[0].replaceAll('"', "")));
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (headerless) controller.enqueue(new TextEncoder().encode(header));
      if (!first.done) controller.enqueue(first.value);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { stream, headerless };
}

/** Zip and CSV refusals as the ImportError the route answers with. */
function asImportError(error: unknown): unknown {
  if (error instanceof ZipRefused) {
    const where = error.entry ?? "The zip";
    return error.status === 413 ? overSizeCap(where, error.message) : new ImportError(where, error.message);
  }
  if (error instanceof CsvReadError) return new ImportError(`${error.file} row ${error.row}`, error.problem);
  return error;
}

/**
 * Loop's CSV export zip → habits and check-ins; throws an ImportError naming the file
 * and row of the first problem, or the file and the cap it passes.
 *
 * @example
 * ```ts
 * const { habits } = await parseLoopZip(zipBytes, "2026-03-03");
 * ```
 */
export async function parseLoopZip(zip: Uint8Array, today: string): Promise<ImportData> {
  const loopHabits = await readLoopZip(zip, today);
  const sameName = new Map<string, number>();
  return {
    source: "loop",
    goals: [],
    reminders: [],
    habits: await Promise.all(loopHabits.map(async (loopHabit, i) => {
      const key = loopHabit.name.toLowerCase();
      const occurrence = (sameName.get(key) ?? 0) + 1;
      sameName.set(key, occurrence);
      return importHabitOf(mapLoopHabit(loopHabit), {
        sourceId: await derivedSourceId(`loop:habit:${key}#${occurrence}`),
        position: i,
        startDate: loopHabit.entries[0]?.date ?? today,
      });
    })),
  };
}

/**
 * Loop's CSV export zip → its habits in Loop's own terms (as `app/loop/backup_reader.ts`
 * reads a backup: marks, amounts, notes, frequency, target type), checked and capped,
 * before any mapping: what `parseLoopZip` maps, and what tests map to the full habit model.
 *
 * @example
 * ```ts
 * const habits = (await readLoopZip(zipBytes, "2026-03-03")).map(mapLoopHabit);
 * ```
 */
export async function readLoopZip(zip: Uint8Array, today: string): Promise<LoopHabit[]> {
  let archive: ZipArchive;
  try {
    archive = await openZip(zip, IMPORT_SIZE_CAPS);
  } catch (error) {
    if (
      error instanceof ZipRefused && error.status === 400 && error.entry === null && /not a zip/.test(error.message)
    ) {
      throw new ImportError("The file", "It is not a zip archive: upload Loop's CSV export (.zip) as it is");
    }
    throw asImportError(error);
  }
  try {
    return await readLoopArchive(archive, today);
  } catch (error) {
    throw asImportError(error);
  } finally {
    archive.close();
  }
}

async function readLoopArchive(archive: ZipArchive, today: string): Promise<LoopHabit[]> {
  // Habits.csv at the top, or inside one folder when the zip was re-packed from a folder.
  const habitsEntry = archive.entries.filter((entry) => /(^|\/)Habits\.csv$/i.test(entry.name))
    .sort((a, b) => a.name.split("/").length - b.name.split("/").length)[0];
  if (!habitsEntry) throw new ImportError("The zip", "Habits.csv is missing: upload Loop's CSV export as it is");
  const root = habitsEntry.name.slice(0, habitsEntry.name.length - "Habits.csv".length);

  const caps = new RowCaps();
  const habits: CsvHabit[] = [];
  await readTable(archive.open(habitsEntry), "Habits.csv", ["Name"], (get, cells, row) => {
    caps.add("habits", "Habits.csv");
    habits.push(habitOf((names) => get(cells, ...names), `Habits.csv row ${row}`, habits.length));
  });

  const read = new Set<number>();
  for (const entry of archive.entries) {
    if (!entry.name.startsWith(root)) continue;
    const file = entry.name.slice(root.length);
    const match = /^(\d{3,}) [^/]*\/Checkmarks\.csv$/i.exec(file);
    if (!match) continue;
    const n = Number(match[1]);
    if (n < 1 || n > habits.length) throw new ImportError(file, `Habits.csv has no habit number ${n}`);
    if (read.has(n)) throw new ImportError(file, `A second Checkmarks.csv for habit number ${n}`);
    read.add(n);
    habits[n - 1].habit.entries = await entriesOf(archive, entry, file, habits[n - 1], today, caps);
  }
  return habits.map(({ habit }) => habit);
}
