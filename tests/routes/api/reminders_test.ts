/**
 * /api/reminders and /api/reminders/[id]: status, then content type, then body, for the
 * happy paths, every bad field at once, other users' and malformed ids (404, also a
 * habitId in the body), and one activity row per change.
 */
import { assertEquals, assertMatch } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser } from "@/tests/support/users.ts";
import { call, json } from "@/tests/support/api.ts";

Deno.test("/api/reminders", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services, { timezone: "Europe/Berlin" });
  const bob = await createTestUser(services);
  const activity = async (userId: string) =>
    (await services.db.sql`select count(*)::int as n from activity where user_id = ${userId}`)[0].n as number;
  const bobsHabit = (await json(await call(app, bob.bearer, "POST", "/api/habits", { name: "Bob's" }), 201)).habit;
  const alicesHabit = (await json(await call(app, alice.bearer, "POST", "/api/habits", { name: "Run" }), 201)).habit;
  let reminderId = "";

  await t.step("no credentials → 401", async () => {
    const body = await json(await app.request("/api/reminders"), 401);
    assertEquals(body.error.code, "unauthorized");
  });

  await t.step("POST creates (201) with one activity row; GET lists", async () => {
    const before = await activity(alice.id);
    const res = await call(app, alice.bearer, "POST", "/api/reminders", {
      title: "  Stretch  ",
      time: "07:30",
      days: [5, 1, 1, 3],
      habitId: alicesHabit.id,
    });
    const { reminder } = await json(res, 201);
    assertMatch(res.headers.get("location") ?? "", /^\/api\/reminders\/[0-9a-f-]{36}$/);
    assertEquals(
      {
        title: reminder.title,
        time: reminder.time,
        days: reminder.days,
        enabled: reminder.enabled,
        habitId: reminder.habitId,
      },
      { title: "Stretch", time: "07:30", days: [1, 3, 5], enabled: true, habitId: alicesHabit.id },
    );
    reminderId = reminder.id;
    assertEquals(await activity(alice.id), before + 1);
    const { reminders } = await json(await call(app, alice.session, "GET", "/api/reminders"), 200);
    assertEquals(reminders.map((r: { id: string }) => r.id), [reminderId]);
    assertEquals((await json(await call(app, bob.bearer, "GET", "/api/reminders"), 200)).reminders, []);
  });

  await t.step("every bad field at once → 400", async () => {
    const body = await json(
      await call(app, alice.bearer, "POST", "/api/reminders", {
        title: "",
        time: "24:00",
        days: [0, 8],
        enabled: "yes",
      }),
      400,
    );
    assertEquals(body.error.code, "validation_failed");
    assertEquals(Object.keys(body.error.details.fields).map((k) => k.split(".")[0]).sort(), [
      "days",
      "days",
      "enabled",
      "time",
      "title",
    ]);
    const empty = await json(
      await call(app, alice.bearer, "POST", "/api/reminders", { title: "x", time: "7:30", days: [] }),
      400,
    );
    assertEquals(Object.keys(empty.error.details.fields).sort(), ["days", "time"]);
  });

  await t.step("another user's habit, or a malformed habit id, in the body → 404, nothing written", async () => {
    const before = await activity(alice.id);
    for (const habitId of [bobsHabit.id, "not-a-uuid"]) {
      const body = await json(
        await call(app, alice.bearer, "POST", "/api/reminders", { title: "x", time: "07:00", days: [1], habitId }),
        404,
      );
      assertEquals(body.error.code, "not_found");
      const patch = await json(
        await call(app, alice.bearer, "PATCH", `/api/reminders/${reminderId}`, { habitId }),
        404,
      );
      assertEquals(patch.error.code, "not_found");
    }
    assertEquals(await activity(alice.id), before);
  });

  await t.step("PATCH changes only what is sent (200, one activity row)", async () => {
    const before = await activity(alice.id);
    const { reminder } = await json(
      await call(app, alice.bearer, "PATCH", `/api/reminders/${reminderId}`, {
        enabled: false,
        habitId: null,
        time: "23:59",
      }),
      200,
    );
    assertEquals([reminder.enabled, reminder.habitId, reminder.time, reminder.title, reminder.days], [
      false,
      null,
      "23:59",
      "Stretch",
      [1, 3, 5],
    ]);
    assertEquals(await activity(alice.id), before + 1);
    const bad = await json(
      await call(app, alice.bearer, "PATCH", `/api/reminders/${reminderId}`, { days: "monday" }),
      400,
    );
    assertEquals(Object.keys(bad.error.details.fields), ["days"]);
  });

  await t.step("others' and malformed reminder ids → 404", async () => {
    for (const id of [reminderId, "nope", crypto.randomUUID()]) {
      const patch = await json(await call(app, bob.bearer, "PATCH", `/api/reminders/${id}`, { title: "Mine" }), 404);
      assertEquals(patch.error.code, "not_found");
      assertEquals(
        (await json(await call(app, bob.bearer, "DELETE", `/api/reminders/${id}`), 404)).error.code,
        "not_found",
      );
    }
  });

  await t.step("DELETE → 204, then 404", async () => {
    const before = await activity(alice.id);
    const res = await call(app, alice.bearer, "DELETE", `/api/reminders/${reminderId}`);
    assertEquals(res.status, 204);
    assertEquals(await res.text(), "");
    assertEquals(await activity(alice.id), before + 1);
    await json(await call(app, alice.bearer, "DELETE", `/api/reminders/${reminderId}`), 404);
    assertEquals((await json(await call(app, alice.bearer, "GET", "/api/reminders"), 200)).reminders, []);
  });
});
