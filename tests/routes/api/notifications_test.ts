/**
 * /api/notifications and /api/notifications/read: what the scheduler delivered shows
 * up, `?unread=true` filters, marking read some or all (204, one activity row), and
 * another user's or a malformed id → 404 with nothing changed.
 */
import { createReminder } from "@/db/reminders.ts";
import { runSchedulerTick } from "@/app/scheduler.ts";
import { assertEquals } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser } from "@/tests/support/users.ts";
import { call, json } from "@/tests/support/api.ts";

Deno.test("/api/notifications", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const { db } = services;
  const alice = await createTestUser(services, { timezone: "America/New_York" });
  const bob = await createTestUser(services);
  for (const title of ["First", "Second", "Third"]) {
    await createReminder(db, alice.id, { title, time: "00:00", days: [1, 2, 3, 4, 5, 6, 7] });
  }
  await createReminder(db, bob.id, { title: "Bob's", time: "00:00", days: [1, 2, 3, 4, 5, 6, 7] });
  assertEquals((await runSchedulerTick(services, new Date())).delivered, 4);
  const activity = async () =>
    (await db.sql`select count(*)::int as n from activity where user_id = ${alice.id}`)[0].n as number;

  await t.step("no credentials → 401", async () => {
    assertEquals((await json(await app.request("/api/notifications"), 401)).error.code, "unauthorized");
  });

  await t.step("GET lists the user's notifications, unread ones with ?unread=true", async () => {
    const { notifications } = await json(await call(app, alice.bearer, "GET", "/api/notifications"), 200);
    assertEquals(notifications.map((n: { title: string }) => n.title).sort(), ["First", "Second", "Third"]);
    assertEquals(notifications.every((n: { readAt: unknown }) => n.readAt === null), true);
    const bad = await json(await call(app, alice.bearer, "GET", "/api/notifications?unread=maybe"), 400);
    assertEquals(Object.keys(bad.error.details.fields), ["unread"]);
  });

  await t.step("POST read with ids marks those (204, one activity row)", async () => {
    const { notifications } = await json(await call(app, alice.bearer, "GET", "/api/notifications"), 200);
    const before = await activity();
    const res = await call(app, alice.session, "POST", "/api/notifications/read", { ids: [notifications[0].id] });
    assertEquals(res.status, 204);
    assertEquals(await activity(), before + 1);
    const unread =
      (await json(await call(app, alice.bearer, "GET", "/api/notifications?unread=true"), 200)).notifications;
    assertEquals(unread.length, 2);
  });

  await t.step("another user's or a malformed id → 404 and nothing changes", async () => {
    const [bobs] = (await json(await call(app, bob.bearer, "GET", "/api/notifications"), 200)).notifications;
    const mine =
      (await json(await call(app, alice.bearer, "GET", "/api/notifications?unread=true"), 200)).notifications;
    for (const ids of [[mine[0].id, bobs.id], ["nope"]]) {
      const body = await json(await call(app, alice.bearer, "POST", "/api/notifications/read", { ids }), 404);
      assertEquals(body.error.code, "not_found");
    }
    assertEquals(
      (await json(await call(app, alice.bearer, "GET", "/api/notifications?unread=true"), 200)).notifications.length,
      2,
    );
    const bad = await json(await call(app, alice.bearer, "POST", "/api/notifications/read", { ids: "all" }), 400);
    assertEquals(Object.keys(bad.error.details.fields), ["ids"]);
  });

  await t.step("POST read without ids marks all; bob's stay unread", async () => {
    assertEquals((await call(app, alice.bearer, "POST", "/api/notifications/read", {})).status, 204);
    assertEquals(
      (await json(await call(app, alice.bearer, "GET", "/api/notifications?unread=true"), 200)).notifications,
      [],
    );
    assertEquals(
      (await json(await call(app, bob.bearer, "GET", "/api/notifications?unread=true"), 200)).notifications.length,
      1,
    );
  });
});
