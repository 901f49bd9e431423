/**
 * app/loop/backup_reader.ts: Loop backups built by the test in Loop's schema at every
 * version from 12 to 25 read into the same habits and entries (as far as each version
 * can hold them); Loop's own clean-up rules; and hostile files refused with a clear 400
 * (or 413): wrong versions, not SQLite, truncated, damaged, over the caps, views and
 * generated columns in place of tables, cells of the wrong type, SQL in names.
 */
import { DatabaseSync } from "node:sqlite";
import { ImportError } from "@/domain/import_data.ts";
import type { LoopBackup, LoopHabit } from "@/domain/loop_backup_format.ts";
import { type LoopBackupCaps, readLoopBackup } from "@/app/loop/backup_reader.ts";
import { assert, assertEquals, assertMatch } from "@/tests/support/assert.ts";
import {
  buildLoopBackup,
  loopHabitRow,
  loopTimestamp as day,
  manyEntriesBackup,
  sqliteFile,
} from "@/tests/support/loop_backup.ts";

const CAPS: LoopBackupCaps = { fileBytes: 20 * 1024 * 1024, habits: 2_000, entries: 100_000 };
const NONE_DROPPED = { withoutHabit: 0, withoutDay: 0, duplicates: 0 };

async function refusal(bytes: Uint8Array, caps: LoopBackupCaps = CAPS): Promise<ImportError> {
  try {
    await readLoopBackup(bytes, caps);
  } catch (error) {
    assert(error instanceof ImportError, `expected an ImportError, got ${error}`);
    return error;
  }
  throw new Error("expected an ImportError, the backup was read");
}

/** Colours as Loop stores them at `version`: an ARGB int, then a 13-colour index, then a 20-colour index. */
const TEAL = (v: number) => v < 14 ? -16742021 : v < 21 ? 5 : 8;
const RED = (v: number) => v < 14 ? -2937041 : 0;
const LIGHT_GREY = (v: number) => v < 14 ? -5592406 : v < 21 ? 12 : 19;

/**
 * The same account at every version, as far as the version can hold it: a daily habit
 * with a reminder, an archived "2 times in 3 days" habit listed first by position, and
 * (16+) a numeric habit. Rows are written out of order on purpose.
 */
function account(v: number) {
  const habits: Record<string, number | string | null>[] = [
    {
      id: 1,
      name: "Meditate",
      // Before 23 the question lives in `description` (Loop moves it in migration 23).
      description: v < 23 ? "Did you meditate today?" : "Ten minutes, eyes closed",
      freq_num: 1,
      freq_den: 1,
      color: TEAL(v),
      position: 1,
      archived: 0,
      highlight: 0,
      reminder_hour: 8,
      reminder_min: 30,
      reminder_days: 4 + 16 + 64, // Monday, Wednesday, Friday
      ...(v >= 23 ? { question: "Did you meditate today?" } : {}),
      ...(v >= 24 ? { uuid: "6f1c0b9e2a4d4f0e9b7d3c2a1e0f9d8c" } : {}),
    },
    {
      id: 2,
      name: "Run",
      description: v < 23 ? "" : "",
      freq_num: 2,
      freq_den: 3,
      color: RED(v),
      position: 0,
      archived: 1,
      highlight: 0,
      reminder_hour: null,
      reminder_min: null,
      reminder_days: 127,
      ...(v >= 23 ? { question: "Did you run?" } : {}),
    },
  ];
  if (v >= 16) {
    habits.push({
      id: 5,
      name: "Pages",
      description: "",
      freq_num: 1,
      freq_den: 1,
      color: LIGHT_GREY(v),
      position: 2,
      archived: 0,
      reminder_hour: 21,
      reminder_min: 0,
      reminder_days: 1 + 2, // Saturday, Sunday
      type: 1,
      ...(v >= 18 ? { target_type: 0, target_value: 20, unit: "pages" } : {}),
    });
  }
  const mark = (habit: number, date: string, value: number, notes = "") => ({
    habit,
    timestamp: day(date),
    ...(v >= 16 ? { value } : {}),
    ...(v >= 25 ? { notes } : {}),
  });
  const repetitions = [
    mark(1, "2024-01-03", 0, "Sick"),
    mark(1, "2024-01-01", 2),
    mark(2, "2024-01-03", 2),
    mark(1, "2024-01-02", 3),
    mark(2, "2024-01-01", 2, "Easy 5k"),
  ];
  if (v >= 16) {
    repetitions.push(mark(5, "2024-01-01", 12_500), mark(5, "2024-01-02", 3), mark(5, "2024-01-03", 0));
    repetitions.push(mark(5, "2024-01-04", -1, "Book lost"));
  }
  return { habits, repetitions };
}

/** What every version's backup of {@linkcode account} reads as, written out by hand. */
function expected(v: number): LoopBackup {
  const notes = (text: string) => v >= 25 ? text : "";
  // Before 16, every row of Repetitions is a check: there was no other mark.
  const mark = (m: "YES_MANUAL" | "NO" | "SKIP") => v >= 16 ? m : "YES_MANUAL";
  const habits: LoopHabit[] = [
    {
      id: 2,
      uuid: null,
      name: "Run",
      question: v >= 23 ? "Did you run?" : "",
      description: "",
      type: "boolean",
      frequency: { numerator: 2, denominator: 3 },
      targetType: "at_least",
      targetValue: 0,
      unit: "",
      color: { index: 0, hex: "#d32f2f" },
      archived: true,
      position: 0,
      reminder: null,
      entries: [
        { date: "2024-01-01", mark: "YES_MANUAL", notes: notes("Easy 5k") },
        { date: "2024-01-03", mark: "YES_MANUAL", notes: "" },
      ],
    },
    {
      id: 1,
      uuid: v >= 24 ? "6f1c0b9e2a4d4f0e9b7d3c2a1e0f9d8c" : null,
      name: "Meditate",
      question: "Did you meditate today?",
      description: v >= 23 ? "Ten minutes, eyes closed" : "",
      type: "boolean",
      frequency: { numerator: 1, denominator: 1 },
      targetType: "at_least",
      targetValue: 0,
      unit: "",
      color: { index: 8, hex: "#00897b" },
      archived: false,
      position: 1,
      reminder: { hour: 8, minute: 30, days: [1, 3, 5] },
      entries: [
        { date: "2024-01-01", mark: "YES_MANUAL", notes: "" },
        { date: "2024-01-02", mark: mark("SKIP"), notes: "" },
        { date: "2024-01-03", mark: mark("NO"), notes: notes("Sick") },
      ],
    },
  ];
  if (v >= 16) {
    habits.push({
      id: 5,
      uuid: null,
      name: "Pages",
      question: "",
      description: "",
      type: "numeric",
      frequency: { numerator: 1, denominator: 1 },
      targetType: "at_least",
      targetValue: v >= 18 ? 20 : 0,
      unit: v >= 18 ? "pages" : "",
      color: { index: 19, hex: "#aaaaaa" },
      archived: false,
      position: 2,
      reminder: { hour: 21, minute: 0, days: [6, 7] },
      entries: [
        { date: "2024-01-01", mark: "AMOUNT", amount: 12.5, notes: "" },
        { date: "2024-01-02", mark: "SKIP", notes: "" },
        { date: "2024-01-03", mark: "AMOUNT", amount: 0, notes: "" },
        { date: "2024-01-04", mark: "UNKNOWN", notes: notes("Book lost") },
      ],
    });
  }
  return { schemaVersion: v, habits, dropped: NONE_DROPPED };
}

for (let version = 12; version <= 25; version++) {
  Deno.test(`readLoopBackup: a version ${version} backup reads as the account it holds`, async () => {
    const backup = await readLoopBackup(buildLoopBackup(version, account(version)), CAPS);
    assertEquals(backup, expected(version));
  });
}

Deno.test("readLoopBackup: numeric targets at most, monthly and weekly frequencies, colours only in the new palette", async () => {
  const backup = await readLoopBackup(
    buildLoopBackup(25, {
      habits: [
        loopHabitRow("Coffee", {
          question: "How many cups?",
          color: 3,
          type: 1,
          target_type: 1,
          target_value: 2.5,
          unit: "cups",
          uuid: "0123456789abcdef0123456789abcdef",
        }),
        loopHabitRow("Call mum", { freq_den: 7, color: 12, position: 1 }),
        loopHabitRow("Budget", { freq_num: 2, freq_den: 30, color: 16, position: 2 }),
        loopHabitRow("Stretch", { freq_num: 5, freq_den: 5, color: 6, position: 3 }),
      ],
      repetitions: [{ habit: 1, timestamp: day("2024-06-30"), value: 3_000, notes: "Too many" }],
    }),
    CAPS,
  );
  const summary = backup.habits.map((h) => [h.name, h.type, h.targetType, h.targetValue, h.unit, h.frequency, h.color]);
  assertEquals(summary, [
    ["Coffee", "numeric", "at_most", 2.5, "cups", { numerator: 1, denominator: 1 }, { index: 3, hex: "#ff8f00" }],
    ["Call mum", "boolean", "at_least", 0, "", { numerator: 1, denominator: 7 }, { index: 12, hex: "#303f9f" }],
    ["Budget", "boolean", "at_least", 0, "", { numerator: 2, denominator: 30 }, { index: 16, hex: "#5d4037" }],
    // Loop reads 5/5 as daily.
    ["Stretch", "boolean", "at_least", 0, "", { numerator: 1, denominator: 1 }, { index: 6, hex: "#7cb342" }],
  ]);
  assertEquals(backup.habits[0].entries, [{ date: "2024-06-30", mark: "AMOUNT", amount: 3, notes: "Too many" }]);
  assertEquals(backup.habits[0].uuid, "0123456789abcdef0123456789abcdef");
});

Deno.test("readLoopBackup: YES_AUTO and UNKNOWN rows with notes are kept as they are stored", async () => {
  const backup = await readLoopBackup(
    buildLoopBackup(25, {
      habits: [loopHabitRow("Floss", { freq_num: 3, freq_den: 7, color: 1 })],
      repetitions: [
        { habit: 1, timestamp: day("2024-02-01"), value: 1, notes: "Counted by Loop" },
        { habit: 1, timestamp: day("2024-02-02"), value: -1, notes: "Only a note" },
        { habit: 1, timestamp: day("2024-02-03"), value: 2, notes: null },
      ],
    }),
    CAPS,
  );
  assertEquals(backup.habits[0].entries, [
    { date: "2024-02-01", mark: "YES_AUTO", notes: "Counted by Loop" },
    { date: "2024-02-02", mark: "UNKNOWN", notes: "Only a note" },
    { date: "2024-02-03", mark: "YES_MANUAL", notes: "" },
  ]);
});

Deno.test("readLoopBackup: what Loop's migration 22 removes is left out and counted (version 21)", async () => {
  const rows = {
    habits: [{ id: 7, name: "Read", description: "", freq_num: 1, freq_den: 1, color: 8, position: 0, archived: 0 }],
    repetitions: [
      { habit: 7, timestamp: day("2023-05-01"), value: 2 },
      { habit: 7, timestamp: day("2023-05-01"), value: 3 }, // same day again: the first row wins
      { habit: 7, timestamp: day("2023-05-01") + 3_600_000, value: 0 }, // same day, later hour
      { habit: 99, timestamp: day("2023-05-02"), value: 2 }, // no such habit
      { habit: null, timestamp: day("2023-05-02"), value: 2 },
      { habit: 7, timestamp: null, value: 2 },
      { habit: 7, timestamp: day("2023-05-02") + 1, value: 3 }, // not at midnight: its day
    ],
  };
  const backup = await readLoopBackup(buildLoopBackup(21, rows), CAPS);
  assertEquals(backup.habits[0].entries, [
    { date: "2023-05-01", mark: "YES_MANUAL", notes: "" },
    { date: "2023-05-02", mark: "SKIP", notes: "" },
  ]);
  assertEquals(backup.dropped, { withoutHabit: 2, withoutDay: 1, duplicates: 2 });
});

Deno.test("readLoopBackup: the same rows in a newer file (constraints removed by hand) are treated alike", async () => {
  const bytes = buildLoopBackup(
    25,
    {
      habits: [loopHabitRow("Read")],
    },
    `DROP TABLE Repetitions;
     CREATE TABLE Repetitions (id INTEGER PRIMARY KEY AUTOINCREMENT, habit INTEGER, timestamp INTEGER, value INTEGER, notes TEXT);
     INSERT INTO Repetitions (habit, timestamp, value, notes) VALUES
       (1, ${day("2023-05-01")}, 2, 'first'), (1, ${day("2023-05-01")}, 0, 'second'),
       (2, ${day("2023-05-01")}, 2, NULL), (1, NULL, 2, NULL);
     INSERT INTO Repetitions (id, habit, timestamp, value, notes)
       VALUES (-9223372036854775808, 1, ${day("2023-04-30")}, 3, 'lowest rowid');`,
  );
  const backup = await readLoopBackup(bytes, CAPS);
  assertEquals(backup.habits[0].entries, [
    { date: "2023-04-30", mark: "SKIP", notes: "lowest rowid" },
    { date: "2023-05-01", mark: "YES_MANUAL", notes: "first" },
  ]);
  assertEquals(backup.dropped, { withoutHabit: 1, withoutDay: 1, duplicates: 1 });
});

Deno.test("readLoopBackup: names and notes with SQL, quotes and emoji are read as text, nothing runs", async () => {
  const name = `Robert'); DROP TABLE Habits; --`;
  const note = `" OR 1=1; SELECT * FROM sqlite_master; 🧘 <script>alert(1)</script>`;
  const backup = await readLoopBackup(
    buildLoopBackup(25, {
      habits: [loopHabitRow(name, { question: "x'; --" })],
      repetitions: [{ habit: 1, timestamp: day("2024-01-01"), value: 2, notes: note }],
    }),
    CAPS,
  );
  assertEquals(backup.habits.map((h) => [h.name, h.question, h.entries[0].notes]), [[name, "x'; --", note]]);
});

Deno.test("readLoopBackup: a file saved in WAL mode reads the same", async () => {
  const bytes = buildLoopBackup(25, account(25));
  const wal = bytes.slice();
  wal[18] = 2;
  wal[19] = 2;
  assertEquals(await readLoopBackup(wal, CAPS), expected(25));
  assertEquals(bytes[18], 1, "the caller's bytes are not changed");
});

Deno.test("readLoopBackup: a version outside 12–25 is refused, naming the version found", async () => {
  const at = (version: number) =>
    sqliteFile(
      `CREATE TABLE Habits (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE Repetitions (id INTEGER PRIMARY KEY);
                PRAGMA user_version = ${version};`,
    );
  const eleven = await refusal(at(11));
  assertEquals(eleven.status, 400);
  assertMatch(
    eleven.message,
    /^The file: It is a backup of Loop's database version 11, older than this import reads \(12 to 25\)/,
  );
  assertMatch(eleven.message, /restore it in an up-to-date Loop/);
  const twentySix = await refusal(at(26));
  assertMatch(
    twentySix.message,
    /^The file: It is a backup of Loop's database version 26, newer than this import reads \(12 to 25\)/,
  );
  assertMatch((await refusal(at(0))).message, /without a schema version \(0\), not Loop's/);
  assertMatch((await refusal(at(2 ** 31 - 1))).message, /version 2147483647, newer/);
  assertMatch((await refusal(at(-3))).message, /version -3, older/);
});

Deno.test("readLoopBackup: files that are not SQLite, or cut short, or damaged, are refused", async () => {
  const notSqlite = [
    new Uint8Array(),
    new TextEncoder().encode("Date,Value\n2024-01-01,2\n"),
    new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new Array(200).fill(0)]), // a zip
    new TextEncoder().encode("SQLite format 3\0"), // the magic alone
  ];
  for (const bytes of notSqlite) {
    const error = await refusal(bytes);
    assertEquals(error.status, 400);
    assertEquals(
      error.message,
      "The file: It is not a SQLite database: upload the .db file that Loop's Settings → Export full backup saves",
    );
  }

  // Cut anywhere, also by one byte or one whole page at the end (a page SQLite might not miss).
  const whole = buildLoopBackup(25, account(25));
  for (const length of [100, 4096, whole.length / 2, whole.length - 4096, whole.length - 1]) {
    const error = await refusal(whole.slice(0, length));
    assertEquals(error.status, 400);
    assertEquals(
      error.message,
      `The file: It is incomplete (${length} bytes, where its header promises ${whole.length}): ` +
        "copy the backup from your phone again, or make a new one in Loop",
    );
  }
  const oddPageSize = whole.slice();
  oddPageSize[16] = 0x03; // 768 bytes: not a power of two
  assertMatch((await refusal(oddPageSize)).message, /^The file: It is damaged \(its page size is 768\)/);

  // Garbage over the pages after the first (the schema page stays readable).
  const damaged = whole.slice();
  for (let i = 4096; i < damaged.length; i += 7) damaged[i] = (damaged[i] + 91) & 0xff;
  assertMatch((await refusal(damaged)).message, /^The file: It is damaged/);
});

Deno.test("readLoopBackup: damage in a table the import does not read still refuses the file", async () => {
  const whole = buildLoopBackup(25, account(25));
  const db = new DatabaseSync(":memory:");
  db.deserialize(whole);
  const { rootpage } = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'Events'").get()!;
  const pageSize = Number(db.prepare("PRAGMA page_size").get()!.page_size);
  db.close();
  const damaged = whole.slice();
  damaged[(Number(rootpage) - 1) * pageSize] = 0x07; // not a b-tree page type
  assertEquals(
    (await refusal(damaged)).message,
    `The file: It is damaged (SQLite finds: Tree ${rootpage} page ${rootpage}: btreeInitPage() returns error code 11): ` +
      "make a new backup in Loop and upload that",
  );
});

Deno.test("readLoopBackup: a backup at the entries cap reads whole, and other work runs meanwhile", async () => {
  const bytes = manyEntriesBackup(25, 100_000);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  try {
    const backup = await readLoopBackup(bytes, CAPS);
    assertEquals(backup.habits.reduce((n, h) => n + h.entries.length, 0), 100_000);
    // Habit 4 holds rows 3, 28, 53, …: one a day; rows divisible by 7 have a note.
    assertEquals(backup.habits[3].entries.slice(0, 3), [
      { date: "1970-01-01", mark: "YES_MANUAL", notes: "" },
      { date: "1970-01-02", mark: "YES_MANUAL", notes: "note 28" },
      { date: "1970-01-03", mark: "YES_MANUAL", notes: "" },
    ]);
    assertEquals(backup.habits[3].entries.at(-1)!.date, "1980-12-13"); // row 99978: day 3999
  } finally {
    clearInterval(timer);
  }
  assert(ticks > 0, "no timer ran while 100,000 entries were read");
});

Deno.test("readLoopBackup: missing tables and columns, views, virtual tables and generated columns are refused", async () => {
  const habits = `CREATE TABLE Habits (id INTEGER PRIMARY KEY AUTOINCREMENT, archived INTEGER, color INTEGER,
    description TEXT, freq_den INTEGER, freq_num INTEGER, highlight INTEGER, name TEXT, position INTEGER,
    reminder_hour INTEGER, reminder_min INTEGER, reminder_days INTEGER NOT NULL DEFAULT 127)`;
  const repetitions =
    "CREATE TABLE Repetitions (id INTEGER PRIMARY KEY AUTOINCREMENT, habit INTEGER, timestamp INTEGER)";
  const v12 = (sql: string) => sqliteFile(`${sql}; PRAGMA user_version = 12;`);

  assertMatch(
    (await refusal(v12(habits))).message,
    /^The file: It has no Repetitions table, so it is not a Loop backup/,
  );
  assertMatch((await refusal(v12(repetitions))).message, /^The file: It has no Habits table/);
  assertMatch(
    (await refusal(sqliteFile(`${habits}; ${repetitions}; PRAGMA user_version = 16;`))).message,
    /^The file: Its Habits table has no type column, which Loop's database version 16 has/,
  );
  // A view would run its SQL on every read: here an endless recursive query.
  const endless = `CREATE VIEW Repetitions AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)
    SELECT i AS id, 1 AS habit, i AS timestamp FROM n`;
  assertMatch(
    (await refusal(v12(`${habits}; ${endless}`))).message,
    /^The file: Its Repetitions is not an ordinary table/,
  );
  assertMatch(
    (await refusal(v12(`${repetitions}; CREATE VIRTUAL TABLE Habits USING fts5(name, description)`))).message,
    /^The file: Its Habits is not an ordinary table/,
  );
  const generated = habits.replace("name TEXT,", "name TEXT GENERATED ALWAYS AS (zeroblob(100000000)) VIRTUAL,");
  assertMatch((await refusal(v12(`${generated}; ${repetitions}`))).message, /^The file: Its Habits\.name is computed/);
  const withoutRowid =
    "CREATE TABLE Repetitions (id INTEGER PRIMARY KEY, habit INTEGER, timestamp INTEGER) WITHOUT ROWID";
  assertMatch(
    (await refusal(v12(`${habits}; ${withoutRowid}`))).message,
    /^The file: It cannot be read as Loop's database/,
  );
});

Deno.test("readLoopBackup: over the size cap → 413; over the row caps → 400, before any row is read", async () => {
  const bytes = buildLoopBackup(25, account(25));
  const big = await refusal(bytes, { ...CAPS, fileBytes: 4096 });
  assertEquals(big.status, 413);
  assertEquals(
    big.message,
    `The file: It is ${(bytes.length / 1024).toFixed(1)} KiB; a Loop backup may be up to 4.0 KiB`,
  );
  assertEquals((await readLoopBackup(bytes, { ...CAPS, fileBytes: bytes.length })).habits.length, 3);

  const habits = await refusal(bytes, { ...CAPS, habits: 2 });
  assertEquals(habits.status, 400);
  assertEquals(habits.message, "The backup: It holds 3 habits; an import takes at most 2");

  // 150,000 rows against the real cap of 100,000: refused from the count alone.
  const huge = buildLoopBackup(
    25,
    {
      habits: [loopHabitRow("Read")],
    },
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 149999)
     INSERT INTO Repetitions (habit, timestamp, value) SELECT 1, i * 86400000, 2 FROM n;`,
  );
  const many = await refusal(huge);
  assertEquals(many.status, 400);
  assertEquals(
    many.message,
    "The backup: It holds 150000 entries (days checked, skipped or noted); an import takes at most 100000",
  );
});

Deno.test("readLoopBackup: cells Loop could not read refuse the file, naming the row", async () => {
  const habit = loopHabitRow("Read");
  const cases: [rows: Parameters<typeof buildLoopBackup>[1], message: RegExp][] = [
    [{ habits: [{ ...habit, name: null }] }, /^Habits row id 1: It has no name$/],
    [
      { habits: [{ ...habit, name: new Uint8Array([1, 2]) }] },
      /^Habits row id 1: name is binary data; Loop stores text$/,
    ],
    [{ habits: [{ ...habit, freq_num: 0 }] }, /^Habits row id 1: freq_num is 0; Loop stores a whole number from 1$/],
    [{ habits: [{ ...habit, freq_den: "weekly" }] }, /^Habits row id 1: freq_den is "weekly"/],
    [{ habits: [{ ...habit, freq_den: null }] }, /^Habits row id 1: freq_den is empty/],
    [{ habits: [{ ...habit, type: 2 }] }, /^Habits row id 1: type is 2; Loop stores 0 \(yes\/no\) or 1 \(numeric\)$/],
    [{ habits: [{ ...habit, target_value: "lots" }] }, /^Habits row id 1: target_value is "lots"/],
    [{ habits: [{ ...habit, position: 1.5 }] }, /^Habits row id 1: position is 1\.5/],
    [{ habits: [{ ...habit, color: 2n ** 40n }] }, /^Habits row id 1: color is 1099511627776;/],
    [
      { habits: [{ ...habit, reminder_hour: 24, reminder_min: 0 }] },
      /^Habits row id 1: Its reminder is at hour 24, minute 0: not a time of day$/,
    ],
    [{ habits: [{ ...habit, reminder_hour: 7, reminder_min: -1 }] }, /not a time of day/],
    [
      { habits: [habit], repetitions: [{ habit: 1, timestamp: day("2024-01-01"), value: 7 }] },
      /^Repetitions row id 1 \(habit "Read"\), 2024-01-01: Its value 7 is not one of Loop's marks/,
    ],
    [
      { habits: [habit], repetitions: [{ habit: 1, timestamp: "yesterday", value: 2 }] },
      /^Repetitions row id 1 \(habit "Read"\): Its timestamp "yesterday" is not a day from 1970 to 9999$/,
    ],
    [
      { habits: [habit], repetitions: [{ habit: 1, timestamp: -86400000, value: 2 }] },
      /Its timestamp -86400000 is not a day/,
    ],
    [
      { habits: [habit], repetitions: [{ habit: 1, timestamp: 2n ** 62n, value: 2 }] },
      /Its timestamp 4611686018427387904 is not a day/,
    ],
    [
      {
        habits: [habit],
        repetitions: [{ habit: 1, timestamp: day("2024-01-01"), value: 2, notes: new Uint8Array([0]) }],
      },
      /^Repetitions row id 1 \(habit "Read"\), 2024-01-01: Its notes are binary data, not text$/,
    ],
  ];
  for (const [rows, message] of cases) {
    const error = await refusal(buildLoopBackup(25, rows));
    assertEquals(error.status, 400);
    assertMatch(error.message, message);
  }
  // Two habits under one id cannot happen in Loop's table; a hand-made one is refused.
  const twice = buildLoopBackup(
    25,
    {},
    `DROP TABLE Habits; CREATE TABLE Habits (id INTEGER, archived INTEGER, color INTEGER, description TEXT,
       freq_den INTEGER, freq_num INTEGER, highlight INTEGER, name TEXT, position INTEGER, reminder_hour INTEGER,
       reminder_min INTEGER, reminder_days INTEGER, type INTEGER, target_type INTEGER, target_value REAL, unit TEXT,
       question TEXT, uuid TEXT);
     INSERT INTO Habits (id, archived, color, description, freq_den, freq_num, name, position, type, target_type,
       target_value, unit, question) VALUES (1, 0, 8, '', 1, 1, 'A', 0, 0, 0, 0, '', ''),
       (1, 0, 8, '', 1, 1, 'B', 1, 0, 0, 0, '', ''), (NULL, 0, 8, '', 1, 1, 'C', 2, 0, 0, 0, '', '');`,
  );
  assertMatch((await refusal(twice)).message, /^Habits row id 1: A second habit has this id$/);
});

Deno.test("readLoopBackup: a text over the value cap is refused, not read into memory", async () => {
  const bytes = buildLoopBackup(25, {
    habits: [loopHabitRow("x".repeat(2 * 1024 * 1024))],
  });
  const error = await refusal(bytes);
  assertEquals(error.status, 400);
  assertMatch(error.message, /^The file: A value in it is over 1024 KiB/);
});
