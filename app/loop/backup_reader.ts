/**
 * Reads Loop Habit Tracker's full backup (the `.db` file its Settings → Export full
 * backup writes: Loop's SQLite database) from bytes into a {@linkcode LoopBackup}, or
 * refuses it with an {@linkcode ImportError} that says why (400, or 413 over the size
 * cap). Versions 12 to 25 of Loop's schema are read (`domain/loop_backup_format.ts` says
 * what each holds); anything else is refused naming the version found.
 *
 * ## In memory, with `node:sqlite`
 * The bytes are opened as an in-memory database (`DatabaseSync.deserialize`): nothing is
 * written to disk, so this works where there is no disk (Deno Deploy), and needs no FFI
 * or native addon (SQLite is built into Deno). `node:sqlite` is loaded on first use, so
 * a runtime without it fails this one import, not the app's start.
 *
 * ## The file is not trusted
 * An uploaded SQLite file is a program's state, not just data: its schema is SQL that
 * SQLite runs. Following SQLite's advice for files from an attacker
 * (https://www.sqlite.org/security.html):
 *
 * - the size cap is checked before anything is opened; the header must say SQLite;
 * - defensive mode, `trusted_schema = OFF`, `cell_size_check = ON`, `query_only = ON`,
 *   and no value longer than {@linkcode MAX_VALUE_BYTES};
 * - `PRAGMA quick_check` before reading: a damaged file is refused as a whole, never
 *   read in part;
 * - `Habits` and `Repetitions` must be ordinary tables (not views or virtual tables,
 *   whose SQL would run on a read) whose columns are stored, not generated; then an
 *   authorizer lets statements read those two tables and do nothing else;
 * - the row counts are checked against the caps before any row is read;
 * - every cell is checked for its type and range (SQLite lets any column hold any
 *   type), and read as a BigInt so that no integer is silently rounded;
 * - rows are read in chunks, yielding to the event loop between them.
 *
 * ## Loop's own rules
 * A backup is read the way Loop reads it: columns a version lacks get the values Loop's
 * migrations give them, and rows of `Repetitions` without a habit, without a timestamp
 * or repeating a day are left out (as Loop's migration 22 removes them), and counted in
 * {@linkcode LoopBackup.dropped}. A value Loop itself cannot read (a habit without a
 * name, a yes/no value of 7) refuses the file, naming the row.
 *
 * @example
 * ```ts
 * const backup = await readLoopBackup(new Uint8Array(await file.arrayBuffer()), {
 *   fileBytes: 20 << 20,
 *   habits: 2_000,
 *   entries: 100_000,
 * });
 * backup.habits[0].entries[0]; // { date: "2024-03-01", mark: "YES_MANUAL", notes: "" }
 * ```
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { ImportError } from "@/domain/import_data.ts";
import {
  entryColumnsAt,
  entryDay,
  entryValue,
  habitColumnsAt,
  LOOP_SCHEMA_VERSIONS,
  type LoopBackup,
  loopColor,
  type LoopEntry,
  loopFrequency,
  type LoopHabit,
  questionMovedAt,
  reminderWeekdays,
} from "@/domain/loop_backup_format.ts";

/** How much one backup may hold; over a cap → an ImportError naming it. */
export interface LoopBackupCaps {
  /** Bytes of the file (413 above). */
  fileBytes: number;
  /** Rows of `Habits` (400 above). */
  habits: number;
  /** Rows of `Repetitions`, whatever they hold (400 above). */
  entries: number;
}

/** The longest text or blob a cell may hold: Loop's names and notes are far shorter. */
export const MAX_VALUE_BYTES = 1024 * 1024;

/** Longest stretch of reading between two yields to the event loop, so other requests run. */
const MAX_BUSY_MS = 10;

/** Rows of `Repetitions` per statement. */
const CHUNK_ROWS = 250;

const FILE = "The file";
const PICK_THE_BACKUP = "upload the .db file that Loop's Settings → Export full backup saves";
const SQLITE_HEADER = new TextEncoder().encode("SQLite format 3\0");

// SQLite result codes (https://www.sqlite.org/rescode.html) of errors a bad file causes.
const SQLITE_CORRUPT = 11;
const SQLITE_TOOBIG = 18;
const SQLITE_AUTH = 23;
const SQLITE_NOTADB = 26;

type SqliteModule = typeof import("node:sqlite");
let sqlite: Promise<SqliteModule> | undefined;

/**
 * Loop's backup → its habits and entries (see the module header); throws an
 * {@linkcode ImportError} for a file it will not read.
 *
 * @example
 * ```ts
 * const { schemaVersion, habits, dropped } = await readLoopBackup(bytes, caps);
 * ```
 */
export async function readLoopBackup(bytes: Uint8Array, caps: LoopBackupCaps): Promise<LoopBackup> {
  if (bytes.length > caps.fileBytes) {
    throw new ImportError(FILE, `It is ${size(bytes.length)}; a Loop backup may be up to ${size(caps.fileBytes)}`, 413);
  }
  if (!isSqliteFile(bytes)) throw new ImportError(FILE, `It is not a SQLite database: ${PICK_THE_BACKUP}`);
  checkWhole(bytes);
  sqlite ??= import("node:sqlite");
  const { DatabaseSync, constants } = await sqlite;
  const db = new DatabaseSync(":memory:", { enableForeignKeyConstraints: false });
  try {
    db.deserialize(withoutWal(bytes));
    db.enableDefensive(true);
    db.exec("PRAGMA trusted_schema = OFF; PRAGMA cell_size_check = ON; PRAGMA query_only = ON;");
    db.limits.length = MAX_VALUE_BYTES;
    const version = checkVersion(db);
    checkIntact(db);
    // Opening and checking the whole file is the longest stretch without a break.
    await yieldToEventLoop();
    checkTables(db, version);
    const counts = checkCounts(db, caps);
    db.setAuthorizer((action, table) => {
      if (action === constants.SQLITE_SELECT) return constants.SQLITE_OK;
      if (action === constants.SQLITE_READ && READABLE.has((table ?? "").toLowerCase())) return constants.SQLITE_OK;
      return constants.SQLITE_DENY;
    });
    const habits = readHabits(db, version, counts.habits);
    const dropped = await readEntries(db, version, habits, counts.entries);
    return { schemaVersion: version, habits: [...habits.values()].sort(byLoopOrder), dropped };
  } catch (error) {
    throw asImportError(error);
  } finally {
    db.close();
  }
}

const READABLE = new Set(["habits", "repetitions"]);

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function size(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} bytes`;
}

function isSqliteFile(bytes: Uint8Array): boolean {
  // 100 bytes: the database header every SQLite file starts with.
  return bytes.length >= 100 && SQLITE_HEADER.every((byte, i) => bytes[i] === byte);
}

/**
 * A SQLite file is a whole number of pages, and (when the header's count is current) as
 * many as its header says: a file cut short in a copy or an upload is refused as such,
 * even when the pages it lost were ones SQLite would not miss.
 */
function checkWhole(bytes: Uint8Array): void {
  const header = new DataView(bytes.buffer, bytes.byteOffset, 100);
  const stored = header.getUint16(16);
  const pageSize = stored === 1 ? 65_536 : stored;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) {
    throw new ImportError(
      FILE,
      `It is damaged (its page size is ${stored}): make a new backup in Loop and upload that`,
    );
  }
  // The page count at offset 28 is current when the number at 92 matches the change counter at 24.
  const countIsCurrent = header.getUint32(92) === header.getUint32(24) && header.getUint32(28) > 0;
  const pages = bytes.length / pageSize;
  if (!Number.isInteger(pages) || (countIsCurrent && header.getUint32(28) !== pages)) {
    throw new ImportError(
      FILE,
      `It is incomplete (${bytes.length} bytes, where its header promises ` +
        `${countIsCurrent ? header.getUint32(28) * pageSize : `a multiple of ${pageSize}`}): ` +
        "copy the backup from your phone again, or make a new one in Loop",
    );
  }
}

/**
 * A file saved in WAL mode (header bytes 18–19 = 2) cannot be opened in memory; its
 * content is the same in rollback mode (1), so a copy says that. Loop turns WAL off, but
 * a backup copied by other tools may have it on.
 */
function withoutWal(bytes: Uint8Array): Uint8Array {
  if (bytes[18] !== 2 && bytes[19] !== 2) return bytes;
  const copy = bytes.slice();
  copy[18] = 1;
  copy[19] = 1;
  return copy;
}

function checkVersion(db: DatabaseSync): number {
  const version = Number(Object.values(db.prepare("PRAGMA user_version").get() ?? {})[0]);
  const { oldest, newest } = LOOP_SCHEMA_VERSIONS;
  const range = `${oldest} to ${newest}`;
  if (version === 0) {
    throw new ImportError(FILE, `It is a SQLite database without a schema version (0), not Loop's: ${PICK_THE_BACKUP}`);
  }
  if (version < oldest) {
    throw new ImportError(
      FILE,
      `It is a backup of Loop's database version ${version}, older than this import reads (${range}): ` +
        "restore it in an up-to-date Loop (Settings → Import data), then export a full backup again",
    );
  }
  if (version > newest) {
    throw new ImportError(
      FILE,
      `It is a backup of Loop's database version ${version}, newer than this import reads (${range}): ` +
        "export Loop's CSV (Settings → Export as CSV) and import that zip instead",
    );
  }
  return version;
}

function checkIntact(db: DatabaseSync): void {
  const rows = db.prepare("PRAGMA quick_check(1)").all();
  const result = String(Object.values(rows[0] ?? {})[0] ?? "");
  if (result !== "ok") {
    // "*** in database main ***\nTree 13 page 13: …": the first problem SQLite found, on one line.
    const problem = result.replace(/\*\*\* in database \w+ \*\*\*/, "").replace(/\s+/g, " ").trim().slice(0, 200);
    throw new ImportError(FILE, `It is damaged (SQLite finds: ${problem}): make a new backup in Loop and upload that`);
  }
}

/** `Habits` and `Repetitions` as Loop makes them: ordinary tables with the version's columns, stored. */
function checkTables(db: DatabaseSync, version: number): void {
  const wanted = { Habits: habitColumnsAt(version), Repetitions: entryColumnsAt(version) };
  for (const [table, columns] of Object.entries(wanted)) {
    const found = db.prepare(
      "SELECT type, sql FROM sqlite_master WHERE lower(name) = lower(?) AND type IN ('table', 'view')",
    ).all(table);
    if (found.length === 0) {
      throw new ImportError(FILE, `It has no ${table} table, so it is not a Loop backup: ${PICK_THE_BACKUP}`);
    }
    const [{ type, sql }] = found;
    if (found.length > 1 || type !== "table" || /^\s*create\s+virtual\b/i.test(String(sql ?? ""))) {
      throw new ImportError(FILE, `Its ${table} is not an ordinary table, as Loop makes it: ${PICK_THE_BACKUP}`);
    }
    const stored = new Map<string, boolean>();
    for (const column of db.prepare(`PRAGMA table_xinfo(${table})`).all()) {
      stored.set(String(column.name).toLowerCase(), Number(column.hidden) === 0);
    }
    for (const column of columns) {
      const isStored = stored.get(column);
      if (isStored === undefined) {
        throw new ImportError(
          FILE,
          `Its ${table} table has no ${column} column, which Loop's database version ${version} has: ` +
            "it is damaged or was not made by Loop",
        );
      }
      if (!isStored) {
        throw new ImportError(FILE, `Its ${table}.${column} is computed, not stored as Loop stores it`);
      }
    }
  }
}

/** The rows of both tables, within the caps. */
function checkCounts(db: DatabaseSync, caps: LoopBackupCaps): { habits: number; entries: number } {
  const count = (table: string) => Number(Object.values(db.prepare(`SELECT count(*) FROM ${table}`).get()!)[0]);
  const habits = count("Habits");
  if (habits > caps.habits) {
    throw new ImportError("The backup", `It holds ${habits} habits; an import takes at most ${caps.habits}`);
  }
  const entries = count("Repetitions");
  if (entries > caps.entries) {
    throw new ImportError(
      "The backup",
      `It holds ${entries} entries (days checked, skipped or noted); an import takes at most ${caps.entries}`,
    );
  }
  return { habits, entries };
}

/** Reading found another number of rows than counting did: only a damaged file does that. */
function miscounted(table: string, counted: number, read: number): ImportError {
  return new ImportError(
    FILE,
    `It is damaged (its ${table} table counts ${counted} rows but ${read} can be read): ` +
      "make a new backup in Loop and upload that",
  );
}

type Cell = null | number | bigint | string | Uint8Array;

/** A statement that returns rows as arrays of cells, integers as BigInts. */
function rowsOf(statement: StatementSync): StatementSync {
  statement.setReadBigInts(true);
  statement.setReturnArrays(true);
  return statement;
}

const SAFE = { min: BigInt(Number.MIN_SAFE_INTEGER), max: BigInt(Number.MAX_SAFE_INTEGER) };

/** An integer cell as a number; undefined when the cell holds something else (or null). */
function integer(cell: Cell, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number | undefined {
  let n: number;
  if (typeof cell === "bigint") {
    if (cell < SAFE.min || cell > SAFE.max) return undefined;
    n = Number(cell);
  } else if (typeof cell === "number" && Number.isInteger(cell)) n = cell;
  else return undefined;
  return n >= min && n <= max ? n : undefined;
}

/** A text cell; null reads as empty (Loop's default). A blob or number is not text. */
function text(cell: Cell): string | undefined {
  if (cell === null) return "";
  return typeof cell === "string" ? cell : undefined;
}

/** A cell as a message shows it: numbers as they are, text quoted and cut short. */
function describe(cell: Cell): string {
  if (cell === null) return "empty";
  if (cell instanceof Uint8Array) return "binary data";
  if (typeof cell === "string") return JSON.stringify(cell.slice(0, 40));
  return String(cell);
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** Reads every habit (the count is already capped), keyed by Loop's id. */
function readHabits(db: DatabaseSync, version: number, counted: number): Map<number, LoopHabit> {
  const columns = habitColumnsAt(version);
  const rows = rowsOf(db.prepare(`SELECT ${columns.join(", ")} FROM Habits`)).all() as unknown as Cell[][];
  if (rows.length !== counted) throw miscounted("Habits", counted, rows.length);
  const habits = new Map<number, LoopHabit>();
  rows.forEach((cells, i) => {
    const row = Object.fromEntries(columns.map((column, at) => [column, cells[at]])) as Record<string, Cell>;
    const id = integer(row.id);
    if (id === undefined) throw new ImportError(`Habits row ${i + 1}`, `Its id is ${describe(row.id)}, not a number`);
    const where = `Habits row id ${id}`;
    if (habits.has(id)) throw new ImportError(where, "A second habit has this id");
    const need = <T>(value: T | undefined, column: string, what: string): T => {
      if (value === undefined) {
        throw new ImportError(where, `${column} is ${describe(row[column])}; Loop stores ${what}`);
      }
      return value;
    };
    if (row.name === null) throw new ImportError(where, "It has no name");
    const name = need(text(row.name), "name", "text");
    const numerator = need(integer(row.freq_num, 1, INT32.max), "freq_num", "a whole number from 1");
    const denominator = need(integer(row.freq_den, 1, INT32.max), "freq_den", "a whole number from 1");
    const type = version >= 16 ? need(integer(row.type, 0, 1), "type", "0 (yes/no) or 1 (numeric)") : 0;
    const targetType = row.target_type === undefined
      ? 0
      : need(integer(row.target_type, 0, 1), "target_type", "0 (at least) or 1 (at most)");
    const targetValue = row.target_value === undefined ? 0 : need(finite(row.target_value), "target_value", "a number");
    const description = need(text(row.description), "description", "text");
    // Before version 23 the question was in `description` (see domain/loop_backup_format.ts).
    const question = questionMovedAt(version) ? description : need(text(row.question), "question", "text");
    const uuid = row.uuid === undefined || row.uuid === null ? null : need(text(row.uuid), "uuid", "text");
    habits.set(id, {
      id,
      uuid,
      name,
      question,
      description: questionMovedAt(version) ? "" : description,
      type: type === 1 ? "numeric" : "boolean",
      frequency: loopFrequency(numerator, denominator),
      targetType: targetType === 1 ? "at_most" : "at_least",
      targetValue,
      unit: row.unit === undefined ? "" : need(text(row.unit), "unit", "text"),
      color: loopColor(need(integer(row.color, INT32.min, INT32.max), "color", "a colour number"), version),
      archived: need(integer(row.archived, INT32.min, INT32.max), "archived", "0 or 1") !== 0,
      position: need(integer(row.position, INT32.min, INT32.max), "position", "a whole number"),
      reminder: reminderOf(row, where),
      entries: [],
    });
  });
  return habits;
}

function finite(cell: Cell): number | undefined {
  if (typeof cell === "bigint") return integer(cell);
  return typeof cell === "number" && Number.isFinite(cell) ? cell : undefined;
}

/** Loop has a reminder when both its hour and minute are set. */
function reminderOf(row: Record<string, Cell>, where: string): LoopHabit["reminder"] {
  if (row.reminder_hour === null || row.reminder_min === null) return null;
  const hour = integer(row.reminder_hour, 0, 23);
  const minute = integer(row.reminder_min, 0, 59);
  const mask = integer(row.reminder_days, INT32.min, INT32.max);
  if (hour === undefined || minute === undefined) {
    throw new ImportError(
      where,
      `Its reminder is at hour ${describe(row.reminder_hour)}, minute ${describe(row.reminder_min)}: not a time of day`,
    );
  }
  if (mask === undefined) throw new ImportError(where, `reminder_days is ${describe(row.reminder_days)}, not days`);
  return { hour, minute, days: reminderWeekdays(mask) };
}

function byLoopOrder(a: LoopHabit, b: LoopHabit): number {
  return a.position - b.position || a.id - b.id;
}

/**
 * Reads `Repetitions` in rowid order, in chunks, into each habit's `entries` (then sorts
 * them by day); returns what was left out, as Loop leaves it out (see the module header).
 */
async function readEntries(
  db: DatabaseSync,
  version: number,
  habits: Map<number, LoopHabit>,
  counted: number,
): Promise<LoopBackup["dropped"]> {
  const has = new Set(entryColumnsAt(version));
  // Columns a version lacks get what Loop's migrations give them: 2 (a check), no notes.
  // rowid: the order rows were written (Loop keeps the first row of a day). A table
  // WITHOUT ROWID has none, and was not made by Loop: these statements refuse it.
  const select = `SELECT rowid, habit, timestamp, ${has.has("value") ? "value" : "2"}, ` +
    `${has.has("notes") ? "notes" : "NULL"} FROM Repetitions`;
  const first = rowsOf(db.prepare(`${select} ORDER BY rowid LIMIT ?`));
  const next = rowsOf(db.prepare(`${select} WHERE rowid > ? ORDER BY rowid LIMIT ?`));
  const dropped = { withoutHabit: 0, withoutDay: 0, duplicates: 0 };
  const days = new Map<number, Set<string>>([...habits.keys()].map((id) => [id, new Set()]));
  let after: bigint | undefined;
  let read = 0;
  await yieldToEventLoop();
  let busySince = performance.now();
  while (read <= counted) {
    const rows = (after === undefined ? first.all(CHUNK_ROWS) : next.all(after, CHUNK_ROWS)) as unknown as Cell[][];
    read += rows.length;
    for (const [rowid, habitCell, timestampCell, valueCell, notesCell] of rows) {
      if (typeof rowid !== "bigint" || (after !== undefined && rowid <= after)) {
        throw new ImportError(FILE, "It is damaged (its Repetitions rows are out of order): make a new backup in Loop");
      }
      after = rowid;
      const habitId = integer(habitCell);
      const habit = habitId === undefined ? undefined : habits.get(habitId);
      if (!habit) {
        dropped.withoutHabit++;
        continue;
      }
      if (timestampCell === null) {
        dropped.withoutDay++;
        continue;
      }
      const timestamp = integer(timestampCell);
      const date = timestamp === undefined ? null : entryDay(timestamp);
      if (date === null) {
        throw new ImportError(
          entryWhere(rowid, habit),
          `Its timestamp ${describe(timestampCell)} is not a day from 1970 to 9999`,
        );
      }
      const seen = days.get(habit.id)!;
      if (seen.has(date)) {
        dropped.duplicates++;
        continue;
      }
      seen.add(date);
      habit.entries.push(entryOf(valueCell, notesCell, habit, date, rowid));
    }
    if (rows.length < CHUNK_ROWS) break;
    if (performance.now() - busySince > MAX_BUSY_MS) {
      await yieldToEventLoop();
      busySince = performance.now();
    }
  }
  if (read !== counted) throw miscounted("Repetitions", counted, read);
  for (const habit of habits.values()) {
    habit.entries.sort((a, b) => a.date < b.date ? -1 : 1);
    if (performance.now() - busySince > MAX_BUSY_MS) {
      await yieldToEventLoop();
      busySince = performance.now();
    }
  }
  return dropped;
}

function entryWhere(rowid: bigint, habit: LoopHabit, date?: string): string {
  return `Repetitions row id ${rowid} (habit ${JSON.stringify(habit.name.slice(0, 40))})${date ? `, ${date}` : ""}`;
}

function entryOf(valueCell: Cell, notesCell: Cell, habit: LoopHabit, date: string, rowid: bigint): LoopEntry {
  const stored = integer(valueCell, INT32.min, INT32.max);
  const value = stored === undefined ? null : entryValue(stored, habit.type === "numeric");
  if (value === null) {
    throw new ImportError(
      entryWhere(rowid, habit, date),
      habit.type === "numeric"
        ? `Its value ${describe(valueCell)} is not an amount`
        : `Its value ${describe(valueCell)} is not one of Loop's marks ` +
          "(2 done, 0 not done, 3 skipped, 1 done automatically, -1 unknown)",
    );
  }
  const notes = text(notesCell);
  if (notes === undefined) {
    throw new ImportError(entryWhere(rowid, habit, date), `Its notes are ${describe(notesCell)}, not text`);
  }
  return { ...value, date, notes };
}

/** SQLite's refusals of a bad file as the 400 they are; anything else is ours and passes. */
function asImportError(error: unknown): unknown {
  if (error instanceof ImportError) return error;
  const { code, errcode, message } = (error ?? {}) as { code?: unknown; errcode?: unknown; message?: unknown };
  if (code !== "ERR_SQLITE_ERROR") return error;
  switch (errcode) {
    case SQLITE_NOTADB:
      return new ImportError(FILE, `It is not a SQLite database: ${PICK_THE_BACKUP}`);
    case SQLITE_CORRUPT:
      return new ImportError(FILE, "It is damaged: make a new backup in Loop and upload that");
    case SQLITE_TOOBIG:
      return new ImportError(FILE, `A value in it is over ${MAX_VALUE_BYTES / 1024} KiB: it was not made by Loop`);
    case SQLITE_AUTH:
      return new ImportError(FILE, "Reading it would run more than Loop's tables: it was not made by Loop");
    default:
      return new ImportError(FILE, `It cannot be read as Loop's database (${String(message).slice(0, 200)})`);
  }
}
