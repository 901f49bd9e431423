/**
 * Issue 11's habit model over HTTP: an explicit `failed` check-in (API, stats, export JSON
 * and CSV, import back), limits (`direction`), the new schedules, pauses and strength, as
 * a client sees them.
 */
import { unzipSync } from "fflate";
import { addDays, localDay } from "@/domain/calendar.ts";
import { assertEquals, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { type App, call, json } from "@/tests/support/api.ts";
import { exportOf } from "@/tests/support/imports.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";

async function newHabit(app: App, user: TestUser, body: Record<string, unknown> = {}) {
  return (await json(await call(app, user.bearer, "POST", "/api/habits", { name: "Habit", ...body }), 201)).habit;
}

function checkIn(app: App, user: TestUser, habitId: string, body: unknown) {
  return call(app, user.bearer, "POST", `/api/habits/${habitId}/checkins`, body);
}

Deno.test("failed check-ins: saved, a miss in the stats, exported, imported back", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services, { timezone: "UTC", plan: "pro" });
  const bob = await createTestUser(services, { timezone: "UTC", plan: "pro" });
  const today = localDay("UTC");
  const pills = await newHabit(app, alice, { name: "Pills" });
  const water = await newHabit(app, alice, { name: "Water", kind: "numeric", target: 8, unit: "glasses" });

  await t.step("POST failed → 200; it breaks the streak at once and is a miss in the rates", async () => {
    await json(await checkIn(app, alice, pills.id, { date: addDays(today, -2), status: "done" }), 200);
    await json(await checkIn(app, alice, pills.id, { date: addDays(today, -1), status: "done" }), 200);
    const saved = await json(
      await checkIn(app, alice, pills.id, { date: today, status: "failed", note: "Forgot them at home" }),
      200,
    );
    assertEquals([saved.checkin.status, saved.checkin.value, saved.checkin.note], [
      "failed",
      null,
      "Forgot them at home",
    ]);
    assertEquals(
      [saved.stats.currentStreak, saved.stats.longestStreak, saved.stats.completionRate30, saved.stats.totalDone],
      [0, 2, 0.6667, 2],
    );
    const read = await json(await call(app, alice.bearer, "GET", `/api/habits/${pills.id}/checkins`), 200);
    assertEquals(read.checkins.map((c: { status: string }) => c.status), ["done", "done", "failed"]);
  });

  await t.step("a failed day takes no value; a bad status names the choices", async () => {
    const res = await json(await checkIn(app, alice, water.id, { date: today, status: "failed", value: 3 }), 400);
    assertEquals(res.error.details.fields.value, "Only a done check-in has a value");
    const bad = await json(await checkIn(app, alice, water.id, { date: today, status: "lost" }), 400);
    assertStringIncludes(bad.error.details.fields.status, '"failed"');
    await json(await checkIn(app, alice, water.id, { date: today, status: "failed" }), 200);
  });

  await t.step("pages: the day's form offers it and posts it without JS; the grid names the day", async () => {
    const day = addDays(today, -3);
    const form = await (await app.request(`/habits/${pills.id}/checkin?date=${day}`, { headers: alice.session }))
      .text();
    assertStringIncludes(form, 'value="failed"');
    const res = await app.request(`/habits/${pills.id}/checkin`, {
      method: "POST",
      headers: {
        ...alice.session,
        "content-type": "application/x-www-form-urlencoded",
        "sec-fetch-site": "same-origin",
      },
      body: new URLSearchParams({ date: day, status: "failed", note: "", return: `/habits/${pills.id}` }),
    });
    assertEquals(res.status, 303, await res.text());
    const page = await (await app.request(`/habits/${pills.id}`, { headers: alice.session })).text();
    assertStringIncludes(page, `class="fail" href="/habits/${pills.id}/checkin?date=${day}" aria-label="`);
    assertStringIncludes(page, "</span>Failed</li>");
    await json(await checkIn(app, alice, pills.id, { date: day, status: "none" }), 200);
  });

  await t.step("the export carries it in JSON and CSV; importing the JSON elsewhere keeps it", async () => {
    const doc = await exportOf(app, alice.bearer);
    const exported = doc.habits.find((h) => h.id === pills.id)!;
    assertEquals(exported.checkins.at(-1), { date: today, status: "failed", value: null, note: "Forgot them at home" });
    const res = await app.request("/api/export?format=csv", { headers: alice.bearer });
    assertEquals(res.status, 200);
    const csv = new TextDecoder().decode(unzipSync(new Uint8Array(await res.arrayBuffer()))["checkins.csv"]);
    assertStringIncludes(csv, `,Pills,${today},failed,,Forgot them at home\r\n`);
    await json(await call(app, bob.bearer, "POST", "/api/import", doc), 201);
    const mine = await exportOf(app, bob.bearer);
    const imported = mine.habits.find((h) => h.name === "Pills")!;
    assertEquals(imported.checkins.map((c) => c.status), ["done", "done", "failed"]);
    assertEquals(mine.habits.find((h) => h.name === "Water")!.checkins, [
      { date: today, status: "failed", value: null, note: null },
    ]);
  });
});

Deno.test("limits and schedules: API create/update, bad input named, the form without JS, export/import", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services, { timezone: "UTC", plan: "pro" });
  const bob = await createTestUser(services, { timezone: "UTC", plan: "pro" });
  const today = localDay("UTC");

  await t.step("at_most: stored, met at or under the target, a yes/no habit cannot have it", async () => {
    const coffee = await newHabit(app, alice, {
      name: "Coffee",
      kind: "numeric",
      target: 2,
      unit: "cups",
      direction: "at_most",
    });
    assertEquals(coffee.direction, "at_most");
    const under = await json(await checkIn(app, alice, coffee.id, { date: today, status: "done", value: 1 }), 200);
    assertEquals([under.stats.currentStreak, under.stats.completionRate30], [1, 1]);
    const over = await json(await checkIn(app, alice, coffee.id, { date: today, status: "done", value: 3 }), 200);
    assertEquals([over.stats.currentStreak, over.stats.completionRate30], [0, 0]);
    const bad = await json(
      await call(app, alice.bearer, "POST", "/api/habits", { name: "X", direction: "at_most" }),
      400,
    );
    assertStringIncludes(bad.error.details.fields.direction, "numeric");
    const wrong = await json(
      await call(app, alice.bearer, "POST", "/api/habits", {
        name: "X",
        kind: "numeric",
        target: 1,
        unit: "u",
        direction: "down",
      }),
      400,
    );
    assertStringIncludes(wrong.error.details.fields.direction, "at_most");
    // Back to yes/no: the limit goes with the target.
    const plain = await json(
      await call(app, alice.bearer, "PUT", `/api/habits/${coffee.id}`, { kind: "boolean" }),
      200,
    );
    assertEquals([plain.habit.kind, plain.habit.direction, plain.habit.target], ["boolean", "at_least", null]);
    const limitAgain = await json(
      await call(app, alice.bearer, "PUT", `/api/habits/${coffee.id}`, {
        kind: "numeric",
        target: 2,
        unit: "cups",
        direction: "at_most",
      }),
      200,
    );
    assertEquals(limitAgain.habit.direction, "at_most");
  });

  await t.step("the new schedules: created, read back; out-of-range values refused with the field named", async () => {
    for (
      const schedule of [
        { type: "interval", every: 3 },
        { type: "monthly", times: 4 },
        { type: "times_in_days", times: 2, days: 3 },
      ]
    ) {
      const habit = await newHabit(app, alice, { name: schedule.type, schedule });
      assertEquals(habit.schedule, schedule);
      const read = await json(await call(app, alice.bearer, "GET", `/api/habits/${habit.id}`), 200);
      assertEquals(read.habit.schedule, schedule);
    }
    for (
      const [schedule, field] of [
        [{ type: "interval", every: 1 }, "schedule.every"],
        [{ type: "interval", every: 366 }, "schedule.every"],
        [{ type: "monthly", times: 32 }, "schedule.times"],
        [{ type: "times_in_days", times: 4, days: 3 }, "schedule.times"],
        [{ type: "times_in_days", times: 1, days: 366 }, "schedule.days"],
        [{ type: "interval", every: 2.5 }, "schedule.every"],
      ] as const
    ) {
      const res = await json(await call(app, alice.bearer, "POST", "/api/habits", { name: "Bad", schedule }), 400);
      assertEquals(Object.keys(res.error.details.fields), [field], JSON.stringify(schedule));
    }
  });

  await t.step("the habit form offers them and saves them without JS, errors next to their boxes", async () => {
    const page = await (await app.request("/habits/new", { headers: alice.session })).text();
    for (const value of ["interval", "monthly", "times_in_days", "at_most"]) {
      assertStringIncludes(page, `value="${value}"`);
    }
    const post = (fields: Record<string, string>) =>
      app.request("/habits/new", {
        method: "POST",
        headers: {
          ...alice.session,
          "content-type": "application/x-www-form-urlencoded",
          "sec-fetch-site": "same-origin",
        },
        body: new URLSearchParams(fields),
      });
    const saved = await post({
      name: "Plants",
      kind: "boolean",
      scheduleType: "times_in_days",
      rollTimes: "2",
      rollDays: "5",
    });
    assertEquals(saved.status, 303, await saved.text());
    const bad = await post({
      name: "Plants",
      kind: "boolean",
      scheduleType: "times_in_days",
      rollTimes: "6",
      rollDays: "5",
    });
    const html = await bad.text();
    assertEquals(bad.status, 400);
    assertStringIncludes(html, 'id="field-rollTimes-error"');
    const limit = await post({
      name: "Sugar",
      kind: "numeric",
      target: "30",
      unit: "g",
      direction: "at_most",
      scheduleType: "interval",
      every: "2",
    });
    assertEquals(limit.status, 303, await limit.text());
    const { habits } = await json(await call(app, alice.bearer, "GET", "/api/habits"), 200);
    const sugar = habits.find((h: { name: string }) => h.name === "Sugar");
    assertEquals([sugar.direction, sugar.schedule], ["at_most", { type: "interval", every: 2 }]);
    assertEquals(habits.find((h: { name: string }) => h.name === "Plants").schedule, {
      type: "times_in_days",
      times: 2,
      days: 5,
    });
  });

  await t.step("export → import keeps direction and schedules (JSON identical, CSV has the column)", async () => {
    const doc = await exportOf(app, alice.bearer);
    const res = await app.request("/api/export?format=csv", { headers: alice.bearer });
    const habitsCsv = new TextDecoder().decode(unzipSync(new Uint8Array(await res.arrayBuffer()))["habits.csv"]);
    assertStringIncludes(habitsCsv.split("\r\n")[0], ",direction");
    assertStringIncludes(habitsCsv, ",at_most\r\n");
    await json(await call(app, bob.bearer, "POST", "/api/import", doc), 201);
    const mine = await exportOf(app, bob.bearer);
    const shape = (d: typeof doc) =>
      d.habits.map((h) => [h.name, h.kind, h.target, h.direction, JSON.stringify(h.schedule)]).sort();
    assertEquals(shape(mine), shape(doc));
  });
});

Deno.test("/api/pauses: create for one habit or all, list, delete; bad input named; another user's is a 404", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services, { timezone: "UTC" });
  const bob = await createTestUser(services, { timezone: "UTC" });
  const today = localDay("UTC");
  const read = await newHabit(app, alice, { name: "Read" });

  await t.step("POST → 201 {pause}; a pause may lie in the future; stats skip paused days", async () => {
    await json(await checkIn(app, alice, read.id, { date: addDays(today, -3), status: "done" }), 200);
    const { pause } = await json(
      await call(app, alice.bearer, "POST", "/api/pauses", {
        habitId: read.id,
        from: addDays(today, -2),
        to: addDays(today, -1),
        note: "Flu",
      }),
      201,
    );
    assertEquals([pause.habitId, pause.from, pause.to, pause.note], [
      read.id,
      addDays(today, -2),
      addDays(today, -1),
      "Flu",
    ]);
    const { stats } = await json(await call(app, alice.bearer, "GET", `/api/habits/${read.id}`), 200);
    // The day before the pause is done, the pause is not due, today is open: streak 1, 1 of 1.
    assertEquals([stats.currentStreak, stats.completionRate30], [1, 1]);
    const all = await json(
      await call(app, alice.bearer, "POST", "/api/pauses", { from: addDays(today, 10), to: addDays(today, 20) }),
      201,
    );
    assertEquals(all.pause.habitId, null);
    const { pauses } = await json(await call(app, alice.bearer, "GET", "/api/pauses"), 200);
    assertEquals(pauses.map((p: { id: string }) => p.id), [all.pause.id, pause.id]);
    // The habit page marks the paused days.
    const page = await (await app.request(`/habits/${read.id}`, { headers: alice.session })).text();
    assertStringIncludes(page, `class="pause" href="/habits/${read.id}/checkin?date=${addDays(today, -1)}"`);
  });

  await t.step("bad input → 400 naming the field; another user's habit or pause → 404", async () => {
    const bad = await json(
      await call(app, alice.bearer, "POST", "/api/pauses", { from: today, to: addDays(today, -1) }),
      400,
    );
    assertEquals(Object.keys(bad.error.details.fields), ["to"]);
    const long = await json(
      await call(app, alice.bearer, "POST", "/api/pauses", { from: today, to: addDays(today, 366) }),
      400,
    );
    assertStringIncludes(long.error.details.fields.to, "366");
    const junk = await json(await call(app, alice.bearer, "POST", "/api/pauses", { from: "2026-02-30", to: 5 }), 400);
    assertEquals(Object.keys(junk.error.details.fields).sort(), ["from", "to"]);
    await json(await call(app, bob.bearer, "POST", "/api/pauses", { habitId: read.id, from: today, to: today }), 404);
    const { pauses } = await json(await call(app, alice.bearer, "GET", "/api/pauses"), 200);
    assertEquals((await call(app, bob.bearer, "DELETE", `/api/pauses/${pauses[0].id}`)).status, 404);
    assertEquals((await call(app, alice.bearer, "DELETE", "/api/pauses/not-a-uuid")).status, 404);
    assertEquals((await call(app, alice.bearer, "DELETE", `/api/pauses/${pauses[0].id}`)).status, 204);
    assertEquals((await call(app, alice.bearer, "DELETE", `/api/pauses/${pauses[0].id}`)).status, 404);
    const after = await json(await call(app, alice.bearer, "GET", "/api/pauses"), 200);
    assertEquals(after.pauses.length, 1);
  });
});
