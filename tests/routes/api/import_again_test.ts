/**
 * Importing a file again (issue 9, item 9): into the account it came from, the second
 * import changes nothing (habits, goals with their pin, milestones, subgoals, reminders,
 * check-ins, settings); when the account changed since the export, what exists is left
 * as it is and only what is missing is added; into another account it creates new
 * objects, once; a file naming another user's ids never touches their rows.
 */
import { zipSync } from "fflate";
import { call, json } from "@/tests/support/api.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { type Doc, exportOf, upload, userCounts } from "@/tests/support/imports.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";
import { flashCookie, shownFlash } from "@/tests/support/pages.ts";

type App = Awaited<ReturnType<typeof startTestApp>>["app"];

const NOTHING = { habits: 0, checkins: 0, goals: 0, milestones: 0, subgoals: 0, reminders: 0, pauses: 0 };
const day = (back: number) => new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);

/** A habit with check-ins, a numeric one, an archived one, a pinned goal with parts, a reminder. */
async function seed(app: App, db: Awaited<ReturnType<typeof startTestApp>>["services"]["db"], user: TestUser) {
  const post = async (path: string, body: unknown, status = 201) =>
    await json(await call(app, user.bearer, "POST", path, body), status);
  const { habit: read } = await post("/api/habits", { name: "Read" });
  for (const back of [0, 1, 2]) {
    await post(`/api/habits/${read.id}/checkins`, { date: day(back), status: "done", note: `day ${back}` }, 200);
  }
  const { habit: run } = await post("/api/habits", { name: "Run", kind: "numeric", target: 5, unit: "km" });
  await post(`/api/habits/${run.id}/checkins`, { date: day(0), status: "done", value: 7 }, 200);
  const { habit: old } = await post("/api/habits", { name: "Old" });
  await json(await call(app, user.bearer, "PUT", `/api/habits/${old.id}`, { archived: true }), 200);
  const { goal } = await post("/api/goals", { title: "Marathon" });
  await post("/api/milestones", { goalId: goal.id, title: "10 km" });
  await post("/api/subgoals", { goalId: goal.id, title: "Shoes" });
  await json(await call(app, user.bearer, "PATCH", "/api/goals/pin", { goalId: goal.id, pinned: true }), 200);
  await post("/api/goals", { title: "Unpinned" });
  await post("/api/reminders", { habitId: run.id, title: "Run!", time: "07:00", days: [1, 3] });
  await db.sql`update users set theme = 'dark' where id = ${user.id}`;
  return { read, run, goal };
}

/** An export without what changes on every call. */
function stable(doc: Doc) {
  return { ...doc, exportedAt: "" };
}

Deno.test("importing a file again", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const { db } = services;
  const alice = await createTestUser(services, { plan: "pro" });
  const seeded = await seed(app, db, alice);
  const file: Doc = await exportOf(app, alice.bearer);
  const importDoc = async (user: TestUser, doc: Doc) =>
    (await json(await call(app, user.bearer, "POST", "/api/import", doc), 201)).imported;

  await t.step("into the account it came from: nothing changes, twice; the page shows what it found", async () => {
    const before = await userCounts(db, alice.id);
    for (let i = 0; i < 2; i++) {
      const imported = await importDoc(alice, file);
      assertEquals(imported, {
        ...NOTHING,
        settings: false,
        existing: { habits: 3, checkins: 4, goals: 2, milestones: 1, subgoals: 1, reminders: 1, pauses: 0 },
      });
    }
    // Only the two imports' activity rows are new.
    assertEquals(await userCounts(db, alice.id), { ...before, activity: (before.activity as number) + 2 });
    assertEquals(stable(await exportOf(app, alice.bearer)), stable(file));
    // The form says so.
    const res = await app.request("/export", {
      method: "POST",
      headers: alice.session,
      body: upload(new TextEncoder().encode(JSON.stringify(file)), "mine.json"),
    });
    assertEquals(res.status, 303);
    const page = await (await app.request(res.headers.get("location")!, {
      headers: { Cookie: `${alice.session.Cookie}; ${flashCookie(res)}` },
    })).text();
    assertEquals(
      shownFlash(page),
      "Imported 0 habits and 0 check-ins. 3 habits and 4 check-ins were already in your account and were left as they are.",
    );
  });

  await t.step("changed since the export: what exists is left as it is, what is missing is added", async () => {
    // Renamed a habit, cleared a day, changed a day's note, deleted the unpinned goal and
    // the milestone, unpinned the goal, changed the theme.
    await json(await call(app, alice.bearer, "PUT", `/api/habits/${seeded.read.id}`, { name: "Read more" }), 200);
    await json(
      await call(app, alice.bearer, "POST", `/api/habits/${seeded.read.id}/checkins`, { date: day(1), status: "none" }),
      200,
    );
    await json(
      await call(app, alice.bearer, "POST", `/api/habits/${seeded.read.id}/checkins`, {
        date: day(2),
        status: "skipped",
        note: "changed",
      }),
      200,
    );
    const unpinned = file.goals.find((g) => g.title === "Unpinned")!;
    await app.request(`/api/goals/${unpinned.id}`, { method: "DELETE", headers: alice.bearer });
    await app.request(`/api/milestones/${file.goals.find((g) => g.title === "Marathon")!.milestones[0].id}`, {
      method: "DELETE",
      headers: alice.bearer,
    });
    await json(
      await call(app, alice.bearer, "PATCH", "/api/goals/pin", { goalId: seeded.goal.id, pinned: false }),
      200,
    );
    await db.sql`update users set theme = 'light' where id = ${alice.id}`;

    const imported = await importDoc(alice, file);
    assertEquals(imported, {
      ...NOTHING,
      checkins: 1,
      goals: 1,
      milestones: 1,
      settings: false,
      existing: { habits: 3, checkins: 3, goals: 1, milestones: 0, subgoals: 1, reminders: 1, pauses: 0 },
    });
    const now = await exportOf(app, alice.bearer);
    const read = now.habits.find((h) => h.id === seeded.read.id)!;
    assertEquals(read.name, "Read more");
    assertEquals(read.checkins.map((c) => [c.date, c.status, c.note]), [
      [day(2), "skipped", "changed"],
      [day(1), "done", "day 1"],
      [day(0), "done", "day 0"],
    ]);
    const marathon = now.goals.find((g) => g.id === seeded.goal.id)!;
    assertEquals(marathon.pinPosition, null);
    assertEquals(marathon.milestones.map((m) => m.title), ["10 km"]);
    // The deleted goal came back, once, with a new id.
    const back = now.goals.filter((g) => g.title === "Unpinned");
    assertEquals(back.length, 1);
    assert(back[0].id !== unpinned.id);
    assertEquals((now.settings as { theme: string }).theme, "light");
    // And once more: nothing left to add.
    assertEquals((await importDoc(alice, file)).existing.goals, 2);
    assertEquals(stable(await exportOf(app, alice.bearer)), stable(now));
  });

  await t.step("into another account: new objects, settings, the pin; the second time nothing", async () => {
    const carol = await createTestUser(services, { plan: "pro" });
    const first = await importDoc(carol, file);
    assertEquals(first, {
      habits: 3,
      checkins: 4,
      goals: 2,
      milestones: 1,
      subgoals: 1,
      reminders: 1,
      pauses: 0,
      settings: true,
      existing: NOTHING,
    });
    const counts = await userCounts(db, carol.id);
    assertEquals([counts.habits, counts.pins, counts.theme], [3, 1, "dark"]);
    const ids = (await exportOf(app, carol.bearer)).habits.map((h) => h.id);
    assert(ids.every((id) => !file.habits.some((h) => h.id === id)), "new ids");
    const second = await importDoc(carol, file);
    assertEquals(second.existing, {
      habits: 3,
      checkins: 4,
      goals: 2,
      milestones: 1,
      subgoals: 1,
      reminders: 1,
      pauses: 0,
    });
    assertEquals({ ...second, existing: NOTHING }, { ...NOTHING, settings: false, existing: NOTHING });
    assertEquals(await userCounts(db, carol.id), { ...counts, activity: (counts.activity as number) + 1 });
  });

  await t.step("a crafted file naming another user's ids creates new objects and leaves theirs alone", async () => {
    const bob = await createTestUser(services, { plan: "pro" });
    const bobs = await seed(app, db, bob);
    const bobBefore = await exportOf(app, bob.bearer);
    const bobCounts = await userCounts(db, bob.id);
    const mallory = await createTestUser(services, { plan: "pro" });
    const crafted: Doc = structuredClone(file);
    crafted.habits[0] = { ...crafted.habits[0], id: bobs.read.id, name: "Hijack", checkins: [] };
    crafted.habits[1] = {
      ...crafted.habits[1],
      id: bobs.run.id,
      checkins: [{ date: day(5), status: "done", value: 1, note: "mine now" }],
    };
    crafted.goals[0] = {
      ...crafted.goals[0],
      id: bobs.goal.id,
      milestones: [{ id: bobBefore.goals[0].milestones[0].id, title: "Mal", dueDate: null, done: true }],
      subgoals: [],
    };
    crafted.reminders[0] = { ...crafted.reminders[0], id: bobBefore.reminders[0].id, habitId: bobs.run.id };
    const imported = await importDoc(mallory, crafted);
    // Nothing of Bob's counts as "already there" for Mallory.
    assertEquals(imported.existing, NOTHING);
    assertEquals(imported.habits, 3);
    assertEquals(stable(await exportOf(app, bob.bearer)), stable(bobBefore));
    assertEquals({ ...await userCounts(db, bob.id) }, bobCounts);
    // Mallory's copies are hers, linked to her own habit.
    const mine = await exportOf(app, mallory.bearer);
    const reminderHabit = mine.habits.find((h) => h.id === mine.reminders[0].habitId);
    assertEquals(reminderHabit?.name, "Run");
    assert(!mine.habits.some((h) => h.id === bobs.read.id || h.id === bobs.run.id));
  });

  await t.step("Loop: importing the same export twice adds its habits and check-ins once", async () => {
    const dave = await createTestUser(services);
    const zip = zipSync({
      "Habits.csv": new TextEncoder().encode("Name,Interval\nMeditate,1\nWalk,1\n"),
      "001 Meditate/Checkmarks.csv": new TextEncoder().encode(`Date,Value\n${day(1)},2\n${day(2)},3\n`),
    });
    const importZip = async () =>
      (await json(
        await app.request("/api/import", { method: "POST", headers: dave.bearer, body: upload(zip, "loop.zip") }),
        201,
      )).imported;
    assertEquals([(await importZip()).habits, (await importZip()).habits], [2, 0]);
    const again = await importZip();
    assertEquals([again.checkins, again.existing.habits, again.existing.checkins], [0, 2, 2]);
    assertEquals((await userCounts(db, dave.id)).habits, 2);
  });
});
