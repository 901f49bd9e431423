/**
 * POST /api/import and the import form take Loop Habit Tracker's full backup (`.db`):
 * backups built in Loop's schema at versions 12, 16, 18 and 25 import end to end, and
 * our export afterwards holds what the backup held (on the habit model: see
 * app/loop/todays_model.ts); importing it again adds nothing; hostile or unreadable
 * backups are a 4xx naming the problem with nothing written; the import routes take a
 * body bigger than the app's 1 MiB (a real backup is), up to their own limit, and every
 * other route keeps 1 MiB.
 */
import { IMPORT_BODY_LIMIT_BYTES } from "@/domain/import_limits.ts";
import { json } from "@/tests/support/api.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { type Doc, exportOf, upload, userCounts } from "@/tests/support/imports.ts";
import { buildLoopBackup, loopHabitRow, loopTimestamp, manyEntriesBackup } from "@/tests/support/loop_backup.ts";
import { html } from "@/tests/support/pages.ts";
import { createTestUser } from "@/tests/support/users.ts";

const day = loopTimestamp;

/** A version-25 backup with one of everything Loop has. */
function fullBackup(): Uint8Array {
  return buildLoopBackup(25, {
    habits: [
      loopHabitRow("Meditate", {
        position: 0,
        color: 8,
        question: "Did you meditate?",
        uuid: "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        reminder_hour: 7,
        reminder_min: 30,
        reminder_days: 127,
      }),
      loopHabitRow("Wake up early", {
        position: 1,
        color: 3,
        freq_num: 2,
        freq_den: 3,
        reminder_hour: 21,
        reminder_min: 5,
        reminder_days: 0,
      }),
      loopHabitRow("Pages", { position: 2, color: 11, type: 1, target_type: 0, target_value: 20, unit: "pages" }),
      loopHabitRow("Coffee", {
        position: 3,
        color: 15,
        type: 1,
        target_type: 1,
        target_value: 2,
        unit: "cups",
        archived: 1,
        freq_num: 3,
        freq_den: 7,
      }),
    ],
    repetitions: [
      { habit: 1, timestamp: day("2024-03-01"), value: 2, notes: "calm" },
      { habit: 1, timestamp: day("2024-03-02"), value: 3, notes: "" },
      { habit: 1, timestamp: day("2024-03-03"), value: 0, notes: "Sick" },
      { habit: 1, timestamp: day("2024-03-04"), value: -1, notes: "only a note" },
      { habit: 1, timestamp: day("2024-03-05"), value: -1, notes: null },
      { habit: 2, timestamp: day("2024-03-01"), value: 2, notes: null },
      { habit: 2, timestamp: day("2024-03-02"), value: 1, notes: "Forgot to do it, really" },
      { habit: 3, timestamp: day("2024-03-01"), value: 12_500, notes: "" },
      { habit: 3, timestamp: day("2024-03-02"), value: 0, notes: "none today" },
      { habit: 3, timestamp: day("2024-03-03"), value: 3, notes: "" },
      { habit: 3, timestamp: day("2024-03-04"), value: -1, notes: "" },
      { habit: 4, timestamp: day("2024-02-28"), value: 1_000, notes: "" },
    ],
  });
}

const done = (date: string, note: string | null = null, value: number | null = null) => ({
  date,
  status: "done",
  value,
  note,
});
const skipped = (date: string, note: string | null = null) => ({ date, status: "skipped", value: null, note });

/** What our export holds of {@linkcode fullBackup}: the habit's fields and days, the reminders by habit name. */
const FULL_EXPORTED = {
  habits: [
    {
      name: "Meditate",
      color: "#00897b",
      kind: "boolean",
      target: null,
      unit: null,
      direction: "at_least",
      schedule: { type: "daily" },
      archived: false,
      tags: [],
      startDate: "2024-03-01",
      // The NO day is failed, with its note; the UNKNOWN day with a note is kept as a
      // skip; the one without is nothing.
      checkins: [
        done("2024-03-01", "calm"),
        skipped("2024-03-02"),
        { date: "2024-03-03", status: "failed", value: null, note: "Sick" },
        skipped("2024-03-04", "only a note"),
      ],
    },
    {
      name: "Wake up early",
      color: "#ff8f00",
      kind: "boolean",
      target: null,
      unit: null,
      direction: "at_least",
      schedule: { type: "times_in_days", times: 2, days: 3 },
      archived: false,
      tags: [],
      startDate: "2024-03-01",
      checkins: [done("2024-03-01"), skipped("2024-03-02", "Forgot to do it, really")],
    },
    {
      name: "Pages",
      color: "#1976d2",
      kind: "numeric",
      target: 20,
      unit: "pages",
      direction: "at_least",
      schedule: { type: "daily" },
      archived: false,
      tags: [],
      startDate: "2024-03-01",
      checkins: [done("2024-03-01", null, 12.5), done("2024-03-02", "none today", 0), skipped("2024-03-03")],
    },
    {
      name: "Coffee",
      color: "#d81b60",
      kind: "numeric",
      target: 2,
      unit: "cups",
      direction: "at_most",
      schedule: { type: "weekly", times: 3 },
      archived: true,
      tags: [],
      startDate: "2024-02-28",
      checkins: [done("2024-02-28", null, 1)],
    },
  ],
  reminders: [
    { habit: "Meditate", title: "Meditate", time: "07:30", days: [1, 2, 3, 4, 5, 6, 7], enabled: true },
    // Loop keeps a reminder on no weekday, and it never fires: here it is off.
    { habit: "Wake up early", title: "Wake up early", time: "21:05", days: [1, 2, 3, 4, 5, 6, 7], enabled: false },
  ],
};

/** The export's habits (in its order) and reminders, without ids, creation times and positions. */
function exported(doc: Doc): { habits: Record<string, unknown>[]; reminders: Record<string, unknown>[] } {
  const names = new Map(doc.habits.map((h) => [h.id, h.name]));
  return {
    habits: doc.habits.map(({ id: _id, createdAt: _createdAt, position: _position, ...habit }) => habit),
    reminders: doc.reminders.map(({ id: _id, habitId, ...reminder }) => ({ habit: names.get(habitId), ...reminder })),
  };
}

Deno.test("/api/import: Loop's backup (.db)", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const { db } = services;
  const importFile = (auth: Record<string, string>, bytes: Uint8Array, name = "Loop Habits Backup.db") =>
    app.request("/api/import", { method: "POST", headers: auth, body: upload(bytes, name) });

  await t.step("a version-25 backup imports, and our export holds what it held", async () => {
    const user = await createTestUser(services);
    const body = await json(await importFile(user.bearer, fullBackup()), 201);
    assertEquals(body.imported.habits, 4);
    assertEquals(body.imported.checkins, 10);
    assertEquals(body.imported.reminders, 2);
    assertEquals(exported(await exportOf(app, user.bearer)), FULL_EXPORTED);

    // The same backup again: everything is found, nothing is added or changed.
    const again = await json(await importFile(user.bearer, fullBackup()), 201);
    assertEquals(again.imported.habits, 0);
    assertEquals(again.imported.checkins, 0);
    assertEquals(again.imported.reminders, 0);
    assertEquals(again.imported.existing.habits, 4);
    assertEquals(exported(await exportOf(app, user.bearer)), FULL_EXPORTED);
  });

  await t.step("a version-12 backup: old colours, every row a check, the question in the description", async () => {
    const user = await createTestUser(services);
    const backup = buildLoopBackup(12, {
      habits: [{
        name: "Run",
        description: "Did you run?",
        freq_num: 3,
        freq_den: 7,
        color: -16742021,
        position: 0,
        archived: 0,
        reminder_hour: 8,
        reminder_min: 0,
        reminder_days: 84,
      }],
      repetitions: [
        { habit: 1, timestamp: day("2017-05-02") },
        { habit: 1, timestamp: day("2017-05-01") },
        { habit: 1, timestamp: day("2017-05-01") },
      ],
    });
    await json(await importFile(user.bearer, backup), 201);
    assertEquals(exported(await exportOf(app, user.bearer)), {
      habits: [{
        name: "Run",
        color: "#00897b",
        kind: "boolean",
        target: null,
        unit: null,
        direction: "at_least",
        schedule: { type: "weekly", times: 3 },
        archived: false,
        tags: [],
        startDate: "2017-05-01",
        checkins: [done("2017-05-01"), done("2017-05-02")],
      }],
      reminders: [{ habit: "Run", title: "Run", time: "08:00", days: [1, 3, 5], enabled: true }],
    });
  });

  await t.step("versions 16 and 18: numeric habits before and after targets", async () => {
    for (const [version, expected] of [[16, { target: 1, unit: "units" }], [18, { target: 5, unit: "km" }]] as const) {
      const user = await createTestUser(services);
      const numeric: Record<string, number | string> = version >= 18
        ? { target_type: 0, target_value: 5, unit: "km" }
        : {};
      const backup = buildLoopBackup(version, {
        habits: [{
          name: "Walk",
          description: "",
          freq_num: 1,
          freq_den: 1,
          color: 5,
          position: 0,
          archived: 0,
          type: 1,
          ...numeric,
        }],
        repetitions: [{ habit: 1, timestamp: day("2019-01-01"), value: 4_250 }, {
          habit: 1,
          timestamp: day("2019-01-02"),
          value: 3,
        }],
      });
      await json(await importFile(user.bearer, backup), 201);
      const [habit] = exported(await exportOf(app, user.bearer)).habits;
      assertEquals(habit, {
        name: "Walk",
        // Version 16–20 colour 5 is the 13-colour palette's teal.
        color: "#00897b",
        kind: "numeric",
        ...expected,
        direction: "at_least",
        schedule: { type: "daily" },
        archived: false,
        tags: [],
        startDate: "2019-01-01",
        checkins: [done("2019-01-01", null, 4.25), skipped("2019-01-02")],
      }, `version ${version}`);
    }
  });

  await t.step("the import form takes the backup too, and the page says which file to pick", async () => {
    const user = await createTestUser(services);
    const page = await html(await app.request("/export", { headers: user.bearer }), 200);
    assertStringIncludes(page, "Settings → Export full backup");
    const res = await app.request("/export", {
      method: "POST",
      headers: { ...user.bearer, origin: "http://localhost" },
      body: upload(fullBackup(), "Loop Habits Backup.db"),
    });
    assertEquals(res.status, 303, await res.clone().text());
    assertEquals((await userCounts(db, user.id)).habits, 4);
  });

  await t.step("hostile or unreadable backups → 4xx naming the problem, nothing written", async () => {
    const valid = fullBackup();
    const cases: [string, Uint8Array, number, RegExp][] = [
      ["version 26", buildLoopBackup(25, {}, "PRAGMA user_version = 26;"), 400, /version 26, newer/],
      ["version 11", buildLoopBackup(12, {}, "PRAGMA user_version = 11;"), 400, /version 11, older/],
      ["cut short", valid.slice(0, valid.length - 4096), 400, /incomplete/],
      [
        "SQLite's header on garbage",
        new Uint8Array([...new TextEncoder().encode("SQLite format 3\0"), ...new Uint8Array(8192).fill(7)]),
        400,
        /damaged|not a SQLite/,
      ],
      [
        "a view where Loop has a table",
        buildLoopBackup(25, {}, "DROP TABLE Habits; CREATE VIEW Habits AS SELECT 1 AS id;"),
        400,
        /not an ordinary table/,
      ],
      [
        "a name over 100 characters",
        buildLoopBackup(25, { habits: [loopHabitRow("x".repeat(101))] }),
        400,
        /Habit 1 of the backup .*over 100 characters/,
      ],
      [
        "a day after today",
        buildLoopBackup(25, {
          habits: [loopHabitRow("Read")],
          repetitions: [{ habit: 1, timestamp: day("2999-01-01"), value: 2 }],
        }),
        400,
        /2999-01-01 is after your today/,
      ],
      [
        "a note with a control character",
        buildLoopBackup(25, {
          habits: [loopHabitRow("Read")],
          repetitions: [{ habit: 1, timestamp: day("2024-01-01"), value: 2, notes: "a\u0007b" }],
        }),
        400,
        /note has control characters/,
      ],
      [
        "SQL in a name is a name",
        buildLoopBackup(25, {
          habits: Array.from({ length: 11 }, (_, i) => loopHabitRow(`x'); DROP TABLE habits; -- ${i}`)),
        }),
        402,
        /10 active habits|plan/i,
      ],
    ];
    for (const [what, bytes, status, message] of cases) {
      // A user per case: 5 imports a minute each.
      const user = await createTestUser(services);
      const before = await userCounts(db, user.id);
      const body = await json(await importFile(user.bearer, bytes), status);
      assertMatch(body.error.message, message, what);
      assertEquals(await userCounts(db, user.id), before, what);
    }
  });

  await t.step("a backup over 1 MiB imports: the import routes take up to their own limit", async () => {
    const user = await createTestUser(services);
    const backup = manyEntriesBackup(8, 30_000);
    assert(backup.length > 1024 * 1024, `${backup.length} bytes`);
    const body = await json(await importFile(user.bearer, backup), 201);
    assertEquals(body.imported.checkins, 30_000);
  });

  await t.step("over the import limit → a clear 413, nothing read; other routes keep 1 MiB", async () => {
    const user = await createTestUser(services);
    const before = await userCounts(db, user.id);
    const big = await json(await importFile(user.bearer, new Uint8Array(IMPORT_BODY_LIMIT_BYTES + 1)), 413);
    assertEquals(big.error.code, "payload_too_large");
    assertMatch(big.error.message, /over 21 MiB, the most an import takes \(a file up to 20 MiB\)/);
    assertEquals(await userCounts(db, user.id), before);

    const habit = await json(
      await app.request("/api/habits", {
        method: "POST",
        headers: { ...user.bearer, "content-type": "application/json" },
        body: JSON.stringify({ name: "x".repeat(1024 * 1024) }),
      }),
      413,
    );
    assertMatch(habit.error.message, /over the 1 MiB limit/);
    // The page that is not the import form keeps 1 MiB too.
    const res = await app.request("/habits/new", {
      method: "POST",
      headers: { ...user.bearer, origin: "http://localhost" },
      body: upload(new Uint8Array(1024 * 1024 + 1), "x.bin"),
    });
    assertEquals(res.status, 413);
    await res.body?.cancel();
  });
});
