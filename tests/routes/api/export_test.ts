/**
 * GET /api/export?format=json|csv and the /export page: the whole account (habits,
 * check-ins with notes, goals with milestones and subgoals, reminders, settings) as one
 * JSON document or a zip of CSVs — RFC 4180 quoting and formula-safe cells — never
 * another user's data, and the free plan's 3 exports a month (the 4th → 402 plan_limit),
 * each logged once as `usage.consumed`.
 */
import { unzipSync } from "fflate";
import { assert, assertEquals, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";

type Test = Awaited<ReturnType<typeof startTestApp>>;

async function json(res: Response, status: number) {
  const text = await res.text();
  assertEquals(res.status, status, text);
  assertEquals(res.headers.get("content-type"), "application/json");
  return JSON.parse(text);
}

/** A habit with check-ins through the API, and a goal and a reminder straight in the tables. */
async function seed({ app, services: { db } }: Test, user: TestUser, name: string) {
  const post = async (path: string, body: unknown, status: number) =>
    await json(
      await app.request(path, {
        method: "POST",
        headers: { ...user.bearer, "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
      status,
    );
  const today = new Date().toISOString().slice(0, 10);
  const { habit } = await post("/api/habits", { name, schedule: { type: "weekdays", days: [1, 3] } }, 201);
  await post(
    `/api/habits/${habit.id}/checkins`,
    { date: today, status: "done", note: '=SUM(A1), "quoted"\nnext' },
    200,
  );
  const { habit: pages } = await post(
    "/api/habits",
    { name: "Pages", kind: "numeric", target: 20, unit: "pages" },
    201,
  );
  await post(`/api/habits/${pages.id}/checkins`, { date: today, status: "done", value: 12.5 }, 200);
  const [goal] = await db.sql<{ id: string }[]>`
    insert into goals (user_id, title, description) values (${user.id}, ${`${name} goal`}, '+1 idea') returning id::text`;
  await db
    .sql`insert into milestones (goal_id, user_id, title, due_date) values (${goal.id}, ${user.id}, '@first', '2026-12-01')`;
  await db.sql`insert into subgoals (goal_id, user_id, title, progress) values (${goal.id}, ${user.id}, 'Half', 50)`;
  await db.sql`insert into goal_pins (goal_id, user_id, position) values (${goal.id}, ${user.id}, 0)`;
  await db.sql`
    insert into reminders (user_id, habit_id, title, time_of_day, days)
    values (${user.id}, ${habit.id}, 'Read now', '07:30', '{1,3,5}')`;
  // A pause of the habit with a note a spreadsheet would run, and one of every habit (Bob's names him).
  await db.sql`
    insert into pauses (user_id, habit_id, from_day, to_day, note, created_at)
    values (${user.id}, ${habit.id}, '2026-07-01', '2026-07-14', ${`=HYPERLINK("x") ${name}`}, '2026-06-30T12:00:00Z'),
           (${user.id}, null, '2026-12-24', '2026-12-26', null, '2026-06-30T12:05:00Z')`;
  await db.sql`update users set display_name = ${`${name} person`}, theme = 'dark' where id = ${user.id}`;
  return { habit, pages, goalId: goal.id };
}

Deno.test("/api/export", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services, { timezone: "Europe/Berlin" });
  const bob = await createTestUser(services);
  const seeded = await seed(test, alice, "Read");
  await seed(test, bob, "Bob secret");

  await t.step("no credentials → 401; a bad format → 400 naming it (and no quota used)", async () => {
    assertEquals((await json(await app.request("/api/export?format=json"), 401)).error.code, "unauthorized");
    const body = await json(await app.request("/api/export?format=xml", { headers: alice.bearer }), 400);
    assertEquals(Object.keys(body.error.details.fields), ["format"]);
  });

  await t.step("JSON: one document with everything of the user, as a download", async () => {
    const res = await app.request("/api/export?format=json", { headers: alice.bearer });
    const doc = await json(res, 200);
    assertStringIncludes(res.headers.get("content-disposition") ?? "", 'attachment; filename="consistencygrid-');
    assertEquals(res.headers.get("cache-control"), "no-store");
    assertEquals([doc.format, doc.version], ["consistencygrid-export", 1]);
    assertEquals(doc.settings, {
      displayName: "Read person",
      timezone: "Europe/Berlin",
      weekStart: 1,
      theme: "dark",
      emailReminders: false,
    });
    assertEquals(doc.habits.map((h: { name: string }) => h.name), ["Read", "Pages"]);
    assertEquals(doc.habits[0].id, seeded.habit.id);
    assertEquals(doc.habits[0].schedule, { type: "weekdays", days: [1, 3] });
    assertEquals(doc.habits[0].checkins[0].note, '=SUM(A1), "quoted"\nnext');
    assertEquals(doc.habits[1].checkins[0].value, 12.5);
    assertEquals(doc.goals.length, 1);
    const goal = doc.goals[0];
    // Milestones and subgoals carry their ids (an import matches on them).
    const [milestoneId, subgoalId] = [goal.milestones[0].id, goal.subgoals[0].id];
    const [[m], [sg]] = [
      await services.db.sql`select id::text from milestones where user_id = ${alice.id}`,
      await services.db.sql`select id::text from subgoals where user_id = ${alice.id}`,
    ];
    assertEquals([milestoneId, subgoalId], [m.id, sg.id]);
    assertEquals(
      { ...goal, createdAt: "" },
      {
        id: seeded.goalId,
        title: "Read goal",
        description: "+1 idea",
        targetDate: null,
        status: "active",
        pinPosition: 0,
        createdAt: "",
        milestones: [{ id: milestoneId, title: "@first", dueDate: "2026-12-01", done: false }],
        subgoals: [{ id: subgoalId, title: "Half", progress: 50, done: false }],
      },
    );
    assertEquals(doc.reminders.map((r: Record<string, unknown>) => ({ ...r, id: "" })), [
      { id: "", habitId: seeded.habit.id, title: "Read now", time: "07:30", days: [1, 3, 5], enabled: true },
    ]);
    // Pauses: the habit's names the habit by its exported id, the every-habit one has none.
    assertEquals(doc.pauses, [
      {
        id: doc.pauses[0].id,
        habitId: seeded.habit.id,
        from: "2026-07-01",
        to: "2026-07-14",
        note: '=HYPERLINK("x") Read',
        createdAt: "2026-06-30T12:00:00.000Z",
      },
      {
        id: doc.pauses[1].id,
        habitId: null,
        from: "2026-12-24",
        to: "2026-12-26",
        note: null,
        createdAt: "2026-06-30T12:05:00.000Z",
      },
    ]);
    assert(!JSON.stringify(doc).includes("Bob secret"), "another user's data");
  });

  await t.step("CSV: a zip of one RFC 4180 file per table, formula-safe, only the user's rows", async () => {
    const res = await app.request("/api/export?format=csv", { headers: alice.session });
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "application/zip");
    assertStringIncludes(res.headers.get("content-disposition") ?? "", '-csv.zip"');
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    assertEquals(Object.keys(files).sort(), [
      "checkins.csv",
      "goals.csv",
      "habits.csv",
      "milestones.csv",
      "pauses.csv",
      "reminders.csv",
      "settings.csv",
      "subgoals.csv",
    ]);
    const text = (name: string) => new TextDecoder().decode(files[name]);
    const checkins = text("checkins.csv");
    assert(checkins.startsWith("habit_id,habit_name,date,status,value,note\r\n"), checkins);
    assertStringIncludes(checkins, `,Read,`);
    assertStringIncludes(checkins, `,done,,"'=SUM(A1), ""quoted""\nnext"\r\n`);
    assertStringIncludes(checkins, `,done,12.5,\r\n`);
    assertStringIncludes(text("habits.csv"), `,"{""days"":[1,3],""type"":""weekdays""}",false,0,`);
    assertStringIncludes(text("goals.csv"), ",Read goal,'+1 idea,,active,0,");
    assertStringIncludes(text("milestones.csv"), ",0,'@first,2026-12-01,false\r\n");
    assertStringIncludes(text("reminders.csv"), ",Read now,07:30,1 3 5,true\r\n");
    const pauses = text("pauses.csv").split("\r\n");
    assertEquals(pauses[0], "id,habit_id,from,to,note,created_at");
    assertStringIncludes(
      pauses[1],
      `,${seeded.habit.id},2026-07-01,2026-07-14,"'=HYPERLINK(""x"") Read",2026-06-30T12:00:00.000Z`,
    );
    assertStringIncludes(pauses[2], ",,2026-12-24,2026-12-26,,2026-06-30T12:05:00.000Z");
    assertEquals(pauses.length, 4); // header, two rows, the final line break
    assertEquals(text("settings.csv").split("\r\n")[1], "Read person,Europe/Berlin,1,dark,false");
    for (const name of Object.keys(files)) assert(!text(name).includes("Bob secret"), name);
  });

  await t.step(
    "a cookie GET from another site is refused (403) and spends no export; tokens are unaffected",
    async () => {
      const carol = await createTestUser(services);
      const cookie = { Cookie: carol.session.Cookie };
      const refused: [string, Record<string, string>][] = [
        ["a cross-site link", { ...cookie, "Sec-Fetch-Site": "cross-site" }],
        ["a same-site (sibling subdomain) link", { ...cookie, "Sec-Fetch-Site": "same-site" }],
        ["another origin", { ...cookie, Origin: "https://evil.example" }],
        ["neither header (an old browser cannot tell us)", cookie],
      ];
      for (const [what, headers] of refused) {
        const body = await json(await app.request("/api/export?format=json", { headers }), 403);
        assertEquals(body.error.code, "forbidden", what);
      }
      const quota = async () => (await (await app.request("/export", { headers: carol.session })).text());
      assertStringIncludes(await quota(), "3 of 3 exports left this month");
      // Our own pages: a link on /export (same-origin), the address bar (none), or our Origin.
      const allowed: Record<string, string>[] = [
        { ...cookie, "Sec-Fetch-Site": "same-origin" },
        { ...cookie, "Sec-Fetch-Site": "none" },
        { ...cookie, Origin: services.config.appOrigin },
      ];
      for (const headers of allowed) await json(await app.request("/api/export?format=json", { headers }), 200);
      assertStringIncludes(await quota(), "0 of 3 exports left this month");
      // A token carries no ambient credential: no CSRF question (the quota answers).
      const token = await app.request("/api/export?format=json", {
        headers: { ...carol.bearer, "Sec-Fetch-Site": "cross-site" },
      });
      assertEquals((await json(token, 402)).error.code, "plan_limit");
    },
  );

  await t.step("the free plan's 3rd export works, the 4th → 402 plan_limit; one usage row each", async () => {
    const page = await app.request("/export", { headers: alice.session });
    assertEquals(page.status, 200);
    assertStringIncludes(await page.text(), "1 of 3 exports left this month");
    assertEquals((await app.request("/api/export?format=json", { headers: alice.bearer })).status, 200);
    const body = await json(await app.request("/api/export?format=csv", { headers: alice.bearer }), 402);
    assertEquals(body.error.code, "plan_limit");
    assertStringIncludes(body.error.message, "3 exports per calendar month");
    const [{ n }] = await services.db.sql<{ n: number }[]>`
      select count(*)::int as n from activity where user_id = ${alice.id} and action = 'usage.consumed'`;
    assertEquals(n, 3);
    const after = await (await app.request("/export", { headers: alice.session })).text();
    assertStringIncludes(after, "0 of 3 exports left this month");
    assert(!after.includes('href="/api/export?format=json"'));
    // Bob's quota is his own.
    assertEquals((await app.request("/api/export?format=json", { headers: bob.bearer })).status, 200);
  });
});
