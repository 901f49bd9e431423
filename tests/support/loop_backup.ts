/**
 * Builds Loop Habit Tracker backups (`.db`) for tests: a SQLite database in Loop's
 * schema at a given version (12–25), with the rows a test gives, as the bytes Loop's
 * "Export full backup" would save. The CREATE statements are ours, written from reading
 * Loop's migrations: the version-12 tables, then each later version's change, so a
 * backup of version N has exactly the tables and columns Loop's version N had (also the
 * derived tables Loop later dropped, and Android's `android_metadata`).
 *
 * Rows are given with Loop's raw column names and encodings (colours as Loop stores them
 * at that version, amounts in thousandths, timestamps in milliseconds), so a test states
 * what the file holds, not what the reader should make of it.
 *
 * @example
 * ```ts
 * const bytes = buildLoopBackup(25, {
 *   habits: [{ name: "Meditate", freq_num: 1, freq_den: 1, color: 8, position: 0, archived: 0 }],
 *   repetitions: [{ habit: 1, timestamp: Date.UTC(2024, 0, 1), value: 2, notes: "" }],
 * });
 * ```
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";

/** Loop's schema in version 12: the oldest the reader takes. */
const VERSION_12 = `
  CREATE TABLE android_metadata (locale TEXT);
  INSERT INTO android_metadata VALUES ('en_US');
  CREATE TABLE Habits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    archived INTEGER,
    color INTEGER,
    description TEXT,
    freq_den INTEGER,
    freq_num INTEGER,
    highlight INTEGER,
    name TEXT,
    position INTEGER,
    reminder_hour INTEGER,
    reminder_min INTEGER,
    reminder_days INTEGER NOT NULL DEFAULT 127
  );
  CREATE TABLE Repetitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    habit INTEGER REFERENCES Habits(id),
    timestamp INTEGER
  );
  CREATE TABLE Checkmarks (id INTEGER PRIMARY KEY AUTOINCREMENT, habit INTEGER REFERENCES Habits(id),
    timestamp INTEGER, value INTEGER);
  CREATE TABLE Streak (id INTEGER PRIMARY KEY AUTOINCREMENT, end INTEGER, habit INTEGER REFERENCES Habits(id),
    length INTEGER, start INTEGER);
  CREATE TABLE Score (id INTEGER PRIMARY KEY AUTOINCREMENT, habit INTEGER REFERENCES Habits(id),
    score INTEGER, timestamp INTEGER);
`;

/** What each later version changed in the schema (colour re-numbering is data, not schema). */
const CHANGES: Record<number, string> = {
  13: `
    CREATE INDEX idx_score_habit_timestamp ON Score(habit, timestamp);
    CREATE INDEX idx_checkmark_habit_timestamp ON Checkmarks(habit, timestamp);
    CREATE INDEX idx_repetitions_habit_timestamp ON Repetitions(habit, timestamp);
    CREATE INDEX idx_streak_habit_end ON Streak(habit, end);`,
  16: `
    ALTER TABLE Habits ADD COLUMN type INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE Repetitions ADD COLUMN value INTEGER NOT NULL DEFAULT 2;`,
  17: `
    DROP TABLE Score;
    CREATE TABLE Score (id INTEGER PRIMARY KEY AUTOINCREMENT, habit INTEGER REFERENCES Habits(id),
      score REAL, timestamp INTEGER);
    CREATE INDEX idx_score_habit_timestamp ON Score(habit, timestamp);`,
  18: `
    ALTER TABLE Habits ADD COLUMN target_type INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE Habits ADD COLUMN target_value REAL NOT NULL DEFAULT 0;
    ALTER TABLE Habits ADD COLUMN unit TEXT NOT NULL DEFAULT '';`,
  19: `CREATE TABLE Events (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp INTEGER, message TEXT, server_id INTEGER);`,
  20: `DROP TABLE Checkmarks; DROP TABLE Streak; DROP TABLE Score;`,
  22: `
    DROP TABLE Repetitions;
    CREATE TABLE Repetitions (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      habit INTEGER NOT NULL REFERENCES Habits(id),
      timestamp INTEGER NOT NULL,
      value INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX idx_repetitions_habit_timestamp ON Repetitions(habit, timestamp);`,
  23: `ALTER TABLE Habits ADD COLUMN question TEXT;`,
  24: `ALTER TABLE Habits ADD COLUMN uuid TEXT;`,
  25: `ALTER TABLE Repetitions ADD COLUMN notes TEXT;`,
};

/** Rows by Loop's column names; a column left out gets the schema's default. */
export interface LoopBackupRows {
  habits?: Record<string, SQLInputValue>[];
  repetitions?: Record<string, SQLInputValue>[];
}

/**
 * A backup of Loop's schema at `version` holding `rows`; `extraSql` runs last (tests use
 * it for many rows, or to damage the schema).
 */
export function buildLoopBackup(version: number, rows: LoopBackupRows = {}, extraSql = ""): Uint8Array {
  if (version < 12 || version > 25) throw new Error(`buildLoopBackup: no schema for version ${version}`);
  let schema = VERSION_12;
  for (let v = 13; v <= version; v++) schema += CHANGES[v] ?? "";
  return sqliteFile(`${schema}\nPRAGMA user_version = ${version};`, (db) => {
    insertRows(db, "Habits", rows.habits ?? []);
    insertRows(db, "Repetitions", rows.repetitions ?? []);
    if (extraSql) db.exec(extraSql);
  });
}

/** The bytes of a SQLite database made by `sql` (then `fill`), as a file on disk holds them. */
export function sqliteFile(sql: string, fill: (db: DatabaseSync) => void = () => {}): Uint8Array {
  const db = new DatabaseSync(":memory:", { enableForeignKeyConstraints: false });
  try {
    db.exec(sql);
    fill(db);
    return db.serialize();
  } finally {
    db.close();
  }
}

function insertRows(db: DatabaseSync, table: string, rows: Record<string, SQLInputValue>[]): void {
  for (const row of rows) {
    const columns = Object.keys(row);
    db.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`)
      .run(...columns.map((column) => row[column]));
  }
}

/** Milliseconds of a day's midnight in UTC: how Loop stores the day `date` (`YYYY-MM-DD`). */
export function loopTimestamp(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/**
 * A `Habits` row of version 23+ as Loop writes a new habit: daily, teal, not archived,
 * no reminder, empty texts; `overrides` replace or add columns.
 */
export function loopHabitRow(
  name: string,
  overrides: Record<string, SQLInputValue> = {},
): Record<string, SQLInputValue> {
  return {
    name,
    description: "",
    question: "",
    freq_num: 1,
    freq_den: 1,
    color: 8,
    position: 0,
    archived: 0,
    ...overrides,
  };
}

/**
 * A version-25 backup of `habits` daily habits holding `entries` checks, spread round
 * robin (row i: habit 1 + i % habits, day i / habits), a note on every seventh row
 * (`note <i>`): a long-time user's backup, at whatever size a test needs.
 */
export function manyEntriesBackup(habits: number, entries: number): Uint8Array {
  return buildLoopBackup(
    25,
    { habits: Array.from({ length: habits }, (_, i) => loopHabitRow(`Habit ${i}`, { color: i % 20, position: i })) },
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${entries - 1})
     INSERT INTO Repetitions (habit, timestamp, value, notes)
     SELECT 1 + i % ${habits}, (i / ${habits}) * 86400000, 2, CASE WHEN i % 7 = 0 THEN 'note ' || i END FROM n;`,
  );
}
