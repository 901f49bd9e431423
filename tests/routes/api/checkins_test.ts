/**
 * /api/habits/[id]/checkins: the upsert and its answer `{checkin, stats}`, the allowed
 * days in the user's own timezone, every field's error at once, ranges, and 404 for
 * other users' and malformed habit ids.
 */
import { addDays, isoWeekday, localDay, startOfWeek } from "@/domain/calendar.ts";
import { assert, assertEquals, assertMatch } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";
import { type App, call, json } from "@/tests/support/api.ts";

async function newHabit(app: App, user: TestUser, body: Record<string, unknown> = {}): Promise<{ id: string }> {
  return (await json(await call(app, user.bearer, "POST", "/api/habits", { name: "Habit", ...body }), 201)).habit;
}

function checkIn(app: App, user: TestUser, habitId: string, body: unknown) {
  return call(app, user.bearer, "POST", `/api/habits/${habitId}/checkins`, body);
}

/**
 * Runs `fn` until the user's local day is the same before and after it (a test that
 * straddles local midnight would see two different "todays"); twice at most.
 */
async function onOneLocalDay(timezones: string[], fn: () => Promise<void>): Promise<void> {
  for (let attempt = 0;; attempt++) {
    const before = timezones.map((tz) => localDay(tz));
    try {
      await fn();
      return;
    } catch (error) {
      const after = timezones.map((tz) => localDay(tz));
      if (attempt > 0 || before.join() === after.join()) throw error;
    }
  }
}

Deno.test("/api/habits/[id]/checkins", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services, { timezone: "UTC", plan: "pro" });
  const bob = await createTestUser(services);

  await t.step("POST done → 200 {checkin, stats}; none clears it → checkin null", async () => {
    const habit = await newHabit(app, alice);
    const today = localDay("UTC");
    const saved = await json(await checkIn(app, alice, habit.id, { date: today, status: "done", note: "First!" }), 200);
    assertEquals({ ...saved.checkin, updatedAt: "" }, {
      habitId: habit.id,
      date: today,
      status: "done",
      value: null,
      note: "First!",
      updatedAt: "",
    });
    assertMatch(saved.checkin.updatedAt, /Z$/);
    assertEquals(saved.stats, {
      currentStreak: 1,
      longestStreak: 1,
      longestStreakStart: today,
      longestStreakEnd: today,
      completionRate30: 1,
      completionRate365: 1,
      totalDone: 1,
      // Loop's score after one met day: 1 − 0.5^(1/13) = 0.052.
      strength: 5,
    });
    // The same request again is the same one row.
    await json(await checkIn(app, alice, habit.id, { date: today, status: "done" }), 200);
    const list = await json(await call(app, alice.bearer, "GET", `/api/habits/${habit.id}/checkins`), 200);
    assertEquals(list.checkins.length, 1);
    assertEquals(list.checkins[0].note, "First!"); // an omitted note keeps the day's note

    const cleared = await json(await checkIn(app, alice, habit.id, { date: today, status: "none" }), 200);
    assertEquals(cleared.checkin, null);
    assertEquals(cleared.stats.totalDone, 0);
    assertEquals(
      (await json(await call(app, alice.bearer, "GET", `/api/habits/${habit.id}/checkins`), 200)).checkins,
      [],
    );
  });

  await t.step("streaks and rates follow the check-ins; a skipped day keeps the streak", async () => {
    const habit = await newHabit(app, alice, { name: "Daily" });
    const today = localDay("UTC");
    const post = async (offset: number, status: string) =>
      await json(await checkIn(app, alice, habit.id, { date: addDays(today, offset), status }), 200);
    await post(-5, "done");
    await post(-4, "done");
    await post(-3, "skipped");
    await post(-2, "done");
    const { stats } = await post(-1, "done");
    assertEquals([stats.currentStreak, stats.longestStreak, stats.totalDone], [4, 4, 4]);
    assertEquals([stats.completionRate30, stats.completionRate365], [1, 1]);

    await post(-1, "none"); // yesterday missed: the streak restarts
    const after = await post(0, "done");
    assertEquals(after.stats, {
      currentStreak: 1,
      longestStreak: 3,
      longestStreakStart: addDays(today, -5),
      longestStreakEnd: addDays(today, -2),
      // 6 days from the first check-in, the skip left out: 4 done of 5.
      completionRate30: 0.8,
      completionRate365: 0.8,
      totalDone: 4,
      // Moves on 5 days (the skip holds it): v = 1, 1, 1, 0, 1 → 0.185.
      strength: 18,
    });
    const { stats: read } = await json(await call(app, alice.bearer, "GET", `/api/habits/${habit.id}`), 200);
    assertEquals(read, after.stats);
  });

  await t.step("a Mon/Wed/Fri habit is not broken by the days in between", async () => {
    const habit = await newHabit(app, alice, { name: "MWF", schedule: { type: "weekdays", days: [1, 3, 5] } });
    const today = localDay("UTC");
    let expected = 0;
    for (let day = addDays(startOfWeek(today, 1), -7); day < today; day = addDays(day, 1)) {
      if (![1, 3, 5].includes(isoWeekday(day))) continue;
      await json(await checkIn(app, alice, habit.id, { date: day, status: "done" }), 200);
      expected++;
    }
    const { stats } = await json(await call(app, alice.bearer, "GET", `/api/habits/${habit.id}`), 200);
    assert(expected >= 3);
    assertEquals([stats.currentStreak, stats.longestStreak, stats.totalDone], [expected, expected, expected]);
    assertEquals(stats.completionRate30, 1);
  });

  await t.step("weekly habits count weeks", async () => {
    const habit = await newHabit(app, alice, { name: "Twice a week", schedule: { type: "weekly", times: 2 } });
    const thisWeek = startOfWeek(localDay("UTC"), 1);
    for (const offset of [-14, -12, -7, -6]) {
      await json(await checkIn(app, alice, habit.id, { date: addDays(thisWeek, offset), status: "done" }), 200);
    }
    const { stats } = await json(await call(app, alice.bearer, "GET", `/api/habits/${habit.id}`), 200);
    assertEquals([stats.currentStreak, stats.longestStreak, stats.totalDone], [2, 2, 4]);
  });

  await t.step("numeric habits: a done without a value is the target; yes/no habits take no value", async () => {
    const water = await newHabit(app, alice, { name: "Water", kind: "numeric", target: 8, unit: "glasses" });
    const today = localDay("UTC");
    const full = await json(await checkIn(app, alice, water.id, { date: today, status: "done" }), 200);
    assertEquals(full.checkin.value, 8);
    const half = await json(await checkIn(app, alice, water.id, { date: today, status: "done", value: 4 }), 200);
    assertEquals([half.checkin.value, half.stats.totalDone], [4, 0]); // below the target: not complete

    const walk = await newHabit(app, alice, { name: "Walk" });
    const refused = await json(await checkIn(app, alice, walk.id, { date: today, status: "done", value: 1 }), 400);
    assertEquals(refused.error.details.fields, { value: "A yes/no habit takes no value" });
  });

  await t.step("every bad field at once → 400 validation_failed, nothing written", async () => {
    const habit = await newHabit(app, alice);
    const body = await json(
      await checkIn(app, alice, habit.id, { date: "2026-02-30", status: "maybe", value: -1, note: 5 }),
      400,
    );
    assertEquals(body.error.code, "validation_failed");
    assertEquals(Object.keys(body.error.details.fields).sort(), ["date", "note", "status", "value"]);
    const long = await json(
      await checkIn(app, alice, habit.id, { date: localDay("UTC"), status: "done", note: "x".repeat(501) }),
      400,
    );
    assertMatch(long.error.details.fields.note, /500 characters/);
    const skipValue = await json(
      await checkIn(app, alice, habit.id, { date: localDay("UTC"), status: "skipped", value: 2 }),
      400,
    );
    assertEquals(Object.keys(skipValue.error.details.fields), ["value"]);
    assertEquals(
      (await json(await call(app, alice.bearer, "GET", `/api/habits/${habit.id}/checkins`), 200)).checkins,
      [],
    );
  });

  await t.step("no day after today, none more than 366 days back → 400 naming the date", async () => {
    const habit = await newHabit(app, alice);
    await onOneLocalDay(["UTC"], async () => {
      const today = localDay("UTC");
      const future = await json(await checkIn(app, alice, habit.id, { date: addDays(today, 1), status: "done" }), 400);
      assertMatch(future.error.details.fields.date, /after today/);
      const old = await json(await checkIn(app, alice, habit.id, { date: addDays(today, -367), status: "done" }), 400);
      assertMatch(old.error.details.fields.date, /366 days/);
      const oldest = await json(
        await checkIn(app, alice, habit.id, { date: addDays(today, -366), status: "done" }),
        200,
      );
      assertEquals(oldest.checkin.date, addDays(today, -366));
    });
  });

  await t.step("today is the user's own: UTC+14 and UTC−11 get different limits at the same instant", async () => {
    const kiritimati = await createTestUser(services, { timezone: "Pacific/Kiritimati" });
    const pagoPago = await createTestUser(services, { timezone: "Pacific/Pago_Pago" });
    const k = await newHabit(app, kiritimati);
    const p = await newHabit(app, pagoPago);
    await onOneLocalDay(["Pacific/Kiritimati", "Pacific/Pago_Pago"], async () => {
      const kToday = localDay("Pacific/Kiritimati");
      const pToday = localDay("Pacific/Pago_Pago");
      // 25 hours apart: Kiritimati is always at least one calendar day ahead.
      assert(kToday > pToday, `${kToday} > ${pToday}`);

      assertEquals(
        (await json(await checkIn(app, kiritimati, k.id, { date: kToday, status: "done" }), 200)).checkin.date,
        kToday,
      );
      const early = await json(await checkIn(app, pagoPago, p.id, { date: kToday, status: "done" }), 400);
      assertEquals(early.error.details.fields.date, `You cannot check in for a day after today (${pToday})`);
      assertEquals(
        (await json(await checkIn(app, pagoPago, p.id, { date: pToday, status: "done" }), 200)).checkin.date,
        pToday,
      );

      const pOldest = addDays(pToday, -366);
      assertEquals(
        (await json(await checkIn(app, pagoPago, p.id, { date: pOldest, status: "done" }), 200)).checkin.date,
        pOldest,
      );
      const late = await json(await checkIn(app, kiritimati, k.id, { date: pOldest, status: "done" }), 400);
      assertMatch(late.error.details.fields.date, new RegExp(`the earliest is ${addDays(kToday, -366)}`));
    });
  });

  await t.step("GET ?from&to: inclusive, ascending; defaults to the last 30 days; ≤ 400 days", async () => {
    const habit = await newHabit(app, alice);
    const today = localDay("UTC");
    for (const offset of [0, -10, -29, -30, -100]) {
      await json(await checkIn(app, alice, habit.id, { date: addDays(today, offset), status: "done" }), 200);
    }
    const base = `/api/habits/${habit.id}/checkins`;
    const recent = await json(await call(app, alice.bearer, "GET", base), 200);
    assertEquals(recent.checkins.map((c: { date: string }) => c.date), [-29, -10, 0].map((n) => addDays(today, n)));
    const range = await json(
      await call(app, alice.session, "GET", `${base}?from=${addDays(today, -100)}&to=${addDays(today, -30)}`),
      200,
    );
    assertEquals(range.checkins.map((c: { date: string }) => c.date), [-100, -30].map((n) => addDays(today, n)));
    const widest = await json(
      await call(app, alice.bearer, "GET", `${base}?from=${addDays(today, -399)}&to=${today}`),
      200,
    );
    assertEquals(widest.checkins.length, 5);

    const tooWide = await json(
      await call(app, alice.bearer, "GET", `${base}?from=${addDays(today, -400)}&to=${today}`),
      400,
    );
    assertEquals(Object.keys(tooWide.error.details.fields), ["to"]);
    const backwards = await json(
      await call(app, alice.bearer, "GET", `${base}?from=${today}&to=${addDays(today, -1)}`),
      400,
    );
    assertEquals(Object.keys(backwards.error.details.fields), ["from"]);
    const garbage = await json(await call(app, alice.bearer, "GET", `${base}?from=yesterday&to=2026-13-01`), 400);
    assertEquals(Object.keys(garbage.error.details.fields).sort(), ["from", "to"]);
  });

  await t.step("another user's, unknown and malformed habit ids → 404 for GET and POST", async () => {
    const secret = await newHabit(app, alice, { name: "Private" });
    const today = localDay("UTC");
    for (const id of [secret.id, crypto.randomUUID(), "x", "00000000-0000-0000-0000-00000000000g"]) {
      for (const auth of [bob.bearer, bob.session]) {
        const get = await call(app, auth, "GET", `/api/habits/${id}/checkins`);
        assertEquals((await json(get, 404)).error.code, "not_found", `GET ${id}`);
        const post = await call(app, auth, "POST", `/api/habits/${id}/checkins`, { date: today, status: "done" });
        assertEquals((await json(post, 404)).error.code, "not_found", `POST ${id}`);
      }
    }
    assertEquals(
      (await json(await call(app, alice.bearer, "GET", `/api/habits/${secret.id}/checkins`), 200)).checkins,
      [],
    );
  });

  await t.step("another user's habit is a 404 whatever the body: bad fields, a value, not JSON", async () => {
    const secret = await newHabit(app, alice, { name: "Private" });
    const water = await newHabit(app, alice, { name: "Water", kind: "numeric", target: 8, unit: "glasses" });
    const today = localDay("UTC");
    for (const id of [secret.id, water.id]) {
      for (const body of [{ date: "2026-02-30", status: "maybe" }, { date: today, status: "done", value: 3 }]) {
        assertEquals(
          (await json(await checkIn(app, bob, id, body), 404)).error.code,
          "not_found",
          JSON.stringify(body),
        );
      }
      const notJson = await app.request(`/api/habits/${id}/checkins`, {
        method: "POST",
        headers: { ...bob.bearer, "content-type": "application/json" },
        body: "{",
      });
      assertEquals((await json(notJson, 404)).error.code, "not_found");
      assertEquals(
        (await json(await call(app, alice.bearer, "GET", `/api/habits/${id}/checkins`), 200)).checkins,
        [],
      );
    }
  });

  await t.step("no credentials → 401", async () => {
    const habit = await newHabit(app, alice);
    const res = await call(app, {}, "POST", `/api/habits/${habit.id}/checkins`, {
      date: localDay("UTC"),
      status: "done",
    });
    assertEquals((await json(res, 401)).error.code, "unauthorized");
  });
});
