/**
 * POST /api/import and the /export page's import form: a JSON export round-trips into a
 * new account (export → import → export is identical but for ids and habits' creation
 * times), Loop Habit Tracker's CSV zip imports as habits and check-ins, and a bad file
 * is a 400 naming the file and row with NOTHING written — nor is an import over the
 * plan's limit (402). One activity row per import. (Re-importing: import_again_test.ts;
 * caps, rate limit and failures: import_limits_test.ts.)
 */
import { zipSync } from "fflate";
import { assert, assertEquals, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { type Doc, upload } from "@/tests/support/imports.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";

type Test = Awaited<ReturnType<typeof startTestApp>>;

const LOOP = new URL("../../fixtures/loop/", import.meta.url);

async function json(res: Response, status: number) {
  const text = await res.text();
  assertEquals(res.status, status, text);
  assertEquals(res.headers.get("content-type"), "application/json");
  return JSON.parse(text);
}

async function loopZip(overrides: Record<string, string> = {}): Promise<Uint8Array<ArrayBuffer>> {
  const files: Record<string, Uint8Array> = {};
  for (const name of ["Habits.csv", "001 Meditate/Checkmarks.csv", "002 Read then sleep/Checkmarks.csv"]) {
    files[name] = await Deno.readFile(new URL(encodeURI(name), LOOP));
  }
  for (const [name, text] of Object.entries(overrides)) files[name] = new TextEncoder().encode(text);
  return zipSync(files) as Uint8Array<ArrayBuffer>;
}

/** A document's ids replaced by their place, and habits' creation times dropped. */
function normalise(doc: Doc) {
  const habitIndex = new Map(doc.habits.map((h, i) => [h.id, i]));
  return {
    ...doc,
    exportedAt: "",
    habits: doc.habits.map((h) => ({ ...h, id: "", createdAt: "" })),
    goals: doc.goals.map((g) => ({
      ...g,
      id: "",
      milestones: g.milestones.map((m) => ({ ...m, id: "" })),
      subgoals: g.subgoals.map((sg) => ({ ...sg, id: "" })),
    })),
    reminders: doc.reminders.map((r) => ({
      ...r,
      id: "",
      habitId: r.habitId === null ? null : habitIndex.get(r.habitId),
    })),
    pauses: doc.pauses.map((p): Record<string, unknown> => ({
      ...p,
      id: "",
      habitId: p.habitId === null ? null : habitIndex.get(p.habitId),
    })),
  };
}

/** Counts of what a user has: nothing may change after a refused import. */
async function counts({ services: { db } }: Test, user: TestUser) {
  const [row] = await db.sql`
    select (select count(*) from habits where user_id = ${user.id})::int as habits,
           (select count(*) from checkins where user_id = ${user.id})::int as checkins,
           (select count(*) from goals where user_id = ${user.id})::int as goals,
           (select count(*) from reminders where user_id = ${user.id})::int as reminders,
           (select count(*) from pauses where user_id = ${user.id})::int as pauses,
           (select count(*) from activity where user_id = ${user.id})::int as activity,
           (select theme from users where id = ${user.id}) as theme`;
  return { ...row };
}

Deno.test("/api/import", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const { db } = services;
  const alice = await createTestUser(services, { timezone: "Asia/Tokyo" });

  const call = (user: TestUser, path: string, body: unknown) =>
    app.request(path, {
      method: "POST",
      headers: { ...user.bearer, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const { habit: read } = await json(await call(alice, "/api/habits", { name: "Read", color: "#aa00ff" }), 201);
  await json(
    await call(alice, `/api/habits/${read.id}/checkins`, { date: yesterday, status: "done", note: "Ch. 1" }),
    200,
  );
  await json(await call(alice, `/api/habits/${read.id}/checkins`, { date: today, status: "skipped" }), 200);
  const { habit: run } = await json(
    await call(alice, "/api/habits", {
      name: "Run",
      kind: "numeric",
      target: 5,
      unit: "km",
      schedule: { type: "weekly", times: 3 },
    }),
    201,
  );
  await json(await call(alice, `/api/habits/${run.id}/checkins`, { date: today, status: "done", value: 7.5 }), 200);
  const { habit: old } = await json(await call(alice, "/api/habits", { name: "Old" }), 201);
  await db.sql`
    insert into checkins (habit_id, user_id, day, status) values (${old.id}, ${alice.id}, '2020-02-29', 'done')`;
  await json(
    await app.request(`/api/habits/${old.id}`, {
      method: "PUT",
      headers: { ...alice.bearer, "content-type": "application/json" },
      body: JSON.stringify({ archived: true }),
    }),
    200,
  );
  for (const [title, created] of [["First goal", "2026-01-01T10:00:00Z"], ["Second goal", "2026-02-01T10:00:00Z"]]) {
    const [goal] = await db.sql<{ id: string }[]>`
      insert into goals (user_id, title, target_date, created_at) values (${alice.id}, ${title}, '2027-01-01', ${created})
      returning id::text`;
    await db
      .sql`insert into milestones (goal_id, user_id, title, position) values (${goal.id}, ${alice.id}, 'M1', 0), (${goal.id}, ${alice.id}, 'M2', 1)`;
    await db
      .sql`insert into subgoals (goal_id, user_id, title, progress, done) values (${goal.id}, ${alice.id}, 'S', 100, true)`;
    if (title === "Second goal") {
      await db.sql`insert into goal_pins (goal_id, user_id, position) values (${goal.id}, ${alice.id}, 0)`;
    }
  }
  await db.sql`
    insert into reminders (user_id, habit_id, title, time_of_day, days, enabled)
    values (${alice.id}, ${run.id}, 'Run!', '18:05', '{2,4}', false), (${alice.id}, null, 'Plan the week', '09:00', '{7}', true)`;
  // Pauses (issue 11): one of a habit (the archived one, with a note), one of every habit, both created
  // in the past, so that the re-export's order and times come from the file.
  await db.sql`
    insert into pauses (user_id, habit_id, from_day, to_day, note, created_at)
    values (${alice.id}, ${old.id}, '2020-02-01', '2020-02-10', 'Flu, <ugh>', '2020-01-31T08:00:00Z'),
           (${alice.id}, null, '2026-12-20', '2027-01-03', null, '2026-03-01T09:30:00Z')`;
  await db
    .sql`update users set display_name = 'Alice', theme = 'light', week_start = 7, email_reminders = true where id = ${alice.id}`;

  const exported: Doc = await json(await app.request("/api/export?format=json", { headers: alice.bearer }), 200);

  await t.step("no credentials → 401; a body that is not JSON or a form → 415", async () => {
    assertEquals((await json(await app.request("/api/import", { method: "POST" }), 401)).error.code, "unauthorized");
    const res = await app.request("/api/import", {
      method: "POST",
      headers: { ...alice.bearer, "content-type": "text/plain" },
      body: "x",
    });
    await json(res, 415);
  });

  await t.step("round trip: export → import into a new account → the same export, but for ids", async () => {
    const carol = await createTestUser(services, { timezone: "UTC" });
    const body = await json(await call(carol, "/api/import", exported), 201);
    const none = { habits: 0, checkins: 0, goals: 0, milestones: 0, subgoals: 0, reminders: 0, pauses: 0 };
    assertEquals(body.imported, {
      habits: 3,
      checkins: 4,
      goals: 2,
      milestones: 4,
      subgoals: 2,
      reminders: 2,
      pauses: 2,
      settings: true,
      existing: none,
    });
    const again: Doc = await json(await app.request("/api/export?format=json", { headers: carol.bearer }), 200);
    assertEquals(normalise(again), normalise(exported));
    assertEquals(normalise(again).pauses, [
      {
        id: "",
        habitId: 2,
        from: "2020-02-01",
        to: "2020-02-10",
        note: "Flu, <ugh>",
        createdAt: "2020-01-31T08:00:00.000Z",
      },
      {
        id: "",
        habitId: null,
        from: "2026-12-20",
        to: "2027-01-03",
        note: null,
        createdAt: "2026-03-01T09:30:00.000Z",
      },
    ]);
    assertEquals(again.settings, { ...exported.settings as object, timezone: "Asia/Tokyo" });
    // One activity row for the import, one for the export's quota.
    const rows = await db.sql<{ action: string }[]>`
      select action from activity where user_id = ${carol.id} order by id`;
    assertEquals(rows.map((r) => r.action), ["data.imported", "usage.consumed"]);
    // Importing the file again adds no pause: each matches one with the same habit and days.
    const twice = await json(await call(carol, "/api/import", exported), 201);
    assertEquals([twice.imported.pauses, twice.imported.existing.pauses], [0, 2]);
  });

  await t.step("the same file as a multipart upload imports too, after the user's own habits", async () => {
    const dave = await createTestUser(services);
    await json(await call(dave, "/api/habits", { name: "Mine" }), 201);
    const res = await app.request("/api/import", {
      method: "POST",
      headers: dave.bearer,
      body: upload(new TextEncoder().encode(JSON.stringify(exported)) as Uint8Array<ArrayBuffer>, "export.json"),
    });
    assertEquals((await json(res, 201)).imported.habits, 3);
    const { habits } = await json(await app.request("/api/habits", { headers: dave.bearer }), 200);
    assertEquals(habits.map((h: { name: string; position: number }) => `${h.position}:${h.name}`), [
      "0:Mine",
      "1:Read",
      "2:Run",
    ]);
  });

  await t.step("a bad row → 400 naming it, and nothing written", async () => {
    const erin = await createTestUser(services);
    const before = await counts(test, erin);
    const cases: [(doc: Doc) => void, string][] = [
      [
        (doc) => (doc.habits[1].checkins as Record<string, unknown>[])[0].date = "2026-02-30",
        "habits[1].checkins[0].date: Send the date as a real day, YYYY-MM-DD",
      ],
      [(doc) => doc.habits[2].name = "", "habits[2].name: Enter a name"],
      [
        (doc) => (doc.goals[1].subgoals as Record<string, unknown>[])[0].progress = 101,
        "goals[1].subgoals[0].progress: Progress is a whole number from 0 to 100",
      ],
      [
        (doc) => doc.reminders[0].habitId = crypto.randomUUID(),
        "reminders[0].habitId: No habit in this document has that id",
      ],
      [
        (doc) => doc.version = 2,
        'The document: This is not a ConsistencyGrid export (expected format "consistencygrid-export", version 1)',
      ],
    ];
    for (const [breakIt, message] of cases) {
      const doc = structuredClone(exported);
      breakIt(doc);
      const body = await json(await call(erin, "/api/import", doc), 400);
      assertEquals(body.error.code, "validation_failed");
      assertEquals(body.error.message, message);
    }
    // The last habit's check-ins are valid and come after a bad one: still nothing written.
    assertEquals(await counts(test, erin), before);
  });

  await t.step("a bad pause row → 400 naming it, and nothing written", async () => {
    const cases: [(doc: Doc) => void, string][] = [
      [(doc) => doc.pauses[0].from = "2020-02-30", "pauses[0].from: Enter a real date as YYYY-MM-DD"],
      [(doc) => doc.pauses[0].to = "2019-01-01", "pauses[0].to: End the pause on or after its first day"],
      [(doc) => doc.pauses[1].to = "2028-01-03", "pauses[1].to: A pause lasts at most 366 days"],
      [(doc) => doc.pauses[0].note = "x".repeat(501), "pauses[0].note: Keep the note to 500 characters or fewer"],
      [(doc) => doc.pauses[0].note = "a\u0007b", "pauses[0].note: Remove control characters from the note"],
      [
        (doc) => doc.pauses[1].habitId = crypto.randomUUID(),
        "pauses[1].habitId: No habit in this document has that id",
      ],
      [
        (doc) => (doc as Record<string, unknown>).pauses = [7],
        "pauses[0]: Send each pause as an object with from and to",
      ],
      [(doc) => (doc as Record<string, unknown>).pauses = {}, "pauses: Send a list"],
      [
        (doc) => doc.pauses = Array.from({ length: 1_001 }, () => structuredClone(exported.pauses[1])),
        "pauses: An import takes at most 1000 pauses: split it, or remove some",
      ],
    ];
    for (const [breakIt, message] of cases) {
      // One user per case: the import limit is 5 a minute.
      const user = await createTestUser(services);
      const before = await counts(test, user);
      const doc = structuredClone(exported);
      breakIt(doc);
      const body = await json(await call(user, "/api/import", doc), 400);
      assertEquals(body.error.message, message);
      assertEquals(await counts(test, user), before);
    }
  });

  await t.step(
    "text: leading whitespace and control characters dropped; a lone surrogate refused, nothing written",
    async () => {
      const kim = await createTestUser(services);
      const doc = structuredClone(exported);
      doc.habits = [{
        ...exported.habits[0],
        name: "\t\u200b Read",
        checkins: [{ date: yesterday, status: "done", value: null, note: "\t=1+1" }],
      }];
      doc.goals = [{
        ...exported.goals[0],
        title: "\r\n@Goal",
        description: "\u0000-2 ideas",
        milestones: [],
        subgoals: [],
      }];
      doc.reminders = [];
      doc.pauses = [];
      await json(await call(kim, "/api/import", doc), 201);
      const [habit] = await db.sql`select name from habits where user_id = ${kim.id}`;
      const [checkin] = await db.sql`select note from checkins where user_id = ${kim.id}`;
      const [goal] = await db.sql`select title, description from goals where user_id = ${kim.id}`;
      assertEquals([habit.name, checkin.note, goal.title, goal.description], ["Read", "=1+1", "@Goal", "-2 ideas"]);
      const before = await counts(test, kim);
      const broken = structuredClone(exported);
      (broken.habits[1].checkins as Record<string, unknown>[])[0].note = "ok \ud800";
      const body = await json(await call(kim, "/api/import", broken), 400);
      assertEquals(
        body.error.message,
        "habits[1].checkins[0].note: It holds a broken character (a lone UTF-16 surrogate): fix or remove it",
      );
      assertEquals(await counts(test, kim), before);
      // Nested 100,000 levels deep (200 KiB): a clear 400, not a stack overflow.
      const deep = JSON.stringify({ ...exported, habits: [], goals: [], reminders: [] }).replace(
        /}$/,
        `,"x":${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
      );
      const nested = await app.request("/api/import", {
        method: "POST",
        headers: { ...kim.bearer, "content-type": "application/json" },
        body: deep,
      });
      assertEquals(
        (await json(nested, 400)).error.message,
        `x${"[0]".repeat(15)}: It is nested deeper than any export`,
      );
      assertEquals(await counts(test, kim), before);
    },
  );

  await t.step("over the plan's active habits → 402 plan_limit, nothing written", async () => {
    const frank = await createTestUser(services);
    const before = await counts(test, frank);
    const doc = structuredClone(exported);
    doc.habits = Array.from({ length: 11 }, (_, i) => ({
      ...exported.habits[0],
      id: crypto.randomUUID(),
      archived: false,
      name: `H${i}`,
    }));
    doc.reminders = [];
    doc.pauses = [];
    const body = await json(await call(frank, "/api/import", doc), 402);
    assertEquals(body.error.code, "plan_limit");
    assertStringIncludes(body.error.message, "allows 10");
    assertEquals(await counts(test, frank), before);
  });

  await t.step("Loop's CSV zip imports as habits and check-ins", async () => {
    const gina = await createTestUser(services);
    const res = await app.request("/api/import", {
      method: "POST",
      headers: gina.bearer,
      body: upload(await loopZip(), "Loop Habits CSV.zip"),
    });
    const { existing: _, ...imported } = (await json(res, 201)).imported;
    assertEquals(imported, {
      habits: 2,
      checkins: 4,
      goals: 0,
      milestones: 0,
      subgoals: 0,
      reminders: 0,
      pauses: 0,
      settings: false,
    });
    const { habits } = await json(await app.request("/api/habits", { headers: gina.bearer }), 200);
    assertEquals(
      habits.map((h: Record<string, unknown>) => [h.name, h.color, h.schedule, h.startDate]),
      [
        // Start dates: the oldest day in the file (Meditate's is a NO day: the habit was there).
        ["Meditate", "#ff8f00", { type: "daily" }, "2024-12-30"],
        ["Read, then sleep", "#00897b", { type: "weekly", times: 3 }, "2025-01-01"],
      ],
    );
    const checkins = await db.sql`
      select h.name, c.day, c.status, c.note from checkins c join habits h on h.id = c.habit_id
       where c.user_id = ${gina.id} order by h.name, c.day`;
    assertEquals(checkins.map((c) => [c.name, c.day, c.status, c.note]), [
      ["Meditate", "2024-12-30", "failed", null],
      ["Meditate", "2025-01-01", "skipped", null],
      ["Meditate", "2025-01-03", "done", "Calm"],
      ["Read, then sleep", "2025-01-02", "done", null],
    ]);
    const [activity] = await db.sql`select action, details from activity where user_id = ${gina.id}`;
    assertEquals(activity.action, "data.imported");
    assertEquals(activity.details.source, "loop");
  });

  await t.step("a bad Loop file → 400 naming the file and row, nothing written", async () => {
    const hank = await createTestUser(services);
    const before = await counts(test, hank);
    const bad = await Deno.readTextFile(new URL("bad_Habits.csv", LOOP));
    const res = await app.request("/api/import", {
      method: "POST",
      headers: hank.bearer,
      body: upload(await loopZip({ "Habits.csv": bad }), "loop.zip"),
    });
    const body = await json(res, 400);
    assertEquals(body.error.message, "Habits.csv row 4: NumRepetitions must be a whole number from 1");
    assertEquals(body.error.details.fields, { file: body.error.message });
    const late = await app.request("/api/import", {
      method: "POST",
      headers: hank.bearer,
      body: upload(
        await loopZip({ "002 Read then sleep/Checkmarks.csv": "Date,Value\n2025-01-01,2\nyesterday,2\n" }),
        "loop.zip",
      ),
    });
    assertEquals(
      (await json(late, 400)).error.message,
      "002 Read then sleep/Checkmarks.csv row 3: Date must be a day as YYYY-MM-DD",
    );
    assertEquals(await counts(test, hank), before);
  });

  await t.step("the /export page's form imports (303 with a count) and re-renders a bad file's message", async () => {
    const ivy = await createTestUser(services);
    const ok = await app.request("/export", {
      method: "POST",
      headers: ivy.session,
      body: upload(await loopZip(), "loop.zip"),
    });
    assertEquals(ok.status, 303);
    assertEquals(ok.headers.get("location"), "/export");
    // The count arrives as a flash message (app/flash.ts) on the page the redirect leads to.
    const flash = ok.headers.getSetCookie().find((c) => c.startsWith("cg_flash="))!.split(";")[0];
    const page = await app.request("/export", {
      headers: { ...ivy.session, Cookie: `${ivy.session.Cookie}; ${flash}` },
    });
    assertStringIncludes(await page.text(), "Imported 2 habits and 4 check-ins.");
    const bad = await app.request("/export", {
      method: "POST",
      headers: ivy.session,
      body: upload(new TextEncoder().encode("{nope") as Uint8Array<ArrayBuffer>, "mine.json"),
    });
    assertEquals(bad.status, 400);
    assertStringIncludes(bad.headers.get("content-type") ?? "", "text/html");
    assertStringIncludes(await bad.text(), "mine.json: It is not valid JSON");
    const csrf = await app.request("/export", {
      method: "POST",
      headers: { Cookie: ivy.session.Cookie, Origin: "https://evil.example" },
      body: upload(await loopZip(), "loop.zip"),
    });
    assertEquals(csrf.status, 403);
    assert((await counts(test, ivy)).habits === 2);
  });
});
