/**
 * The reminder and notification pages with JavaScript off: plain form posts and 303
 * redirects, forms that come back with the user's input and a message per bad field,
 * escaping of what users type, 404 for other users' ids, and the unread count in the
 * header.
 */
import { createHabit } from "@/db/habits.ts";
import { listNotifications } from "@/db/notifications.ts";
import { createReminder, listReminders } from "@/db/reminders.ts";
import { runSchedulerTick } from "@/app/scheduler.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";
import { fieldError, html } from "@/tests/support/pages.ts";

const PAYLOAD = `<img src=x onerror="alert(1)">`;
const ESCAPED = "&lt;img src=x onerror=";

function post(user: TestUser, fields: Record<string, string | string[]>): RequestInit {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const one of Array.isArray(value) ? value : [value]) body.append(key, one);
  }
  return { method: "POST", headers: { ...user.session, "content-type": "application/x-www-form-urlencoded" }, body };
}

Deno.test("reminder and notification pages", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const { db } = services;
  const alice = await createTestUser(services);
  const mallory = await createTestUser(services);

  await t.step("signed out: the pages redirect to the log-in page", async () => {
    for (const path of ["/reminders", "/notifications", `/reminders/${crypto.randomUUID()}/edit`]) {
      const res = await app.request(path);
      assertEquals(res.status, 303, path);
      assertMatch(res.headers.get("location") ?? "", /^\/login\?next=/);
    }
  });

  await t.step("create through the form: 303 to the list, which shows it escaped", async () => {
    const habit = await createHabit(db, alice.id, { name: "Run" }, "2026-01-01");
    const form = await html(await app.request("/reminders", { headers: alice.session }), 200);
    assertStringIncludes(form, `<form method="post" action="/reminders"`);
    assertStringIncludes(form, `>Run</option>`);
    const res = await app.request(
      "/reminders",
      post(alice, { title: PAYLOAD, time: "07:30", days: ["1", "3"], habitId: habit.id, enabled: "on" }),
    );
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/reminders");
    const [reminder] = await listReminders(db, alice.id);
    assertEquals([reminder.title, reminder.time, reminder.days, reminder.habitId, reminder.enabled], [
      PAYLOAD,
      "07:30",
      [1, 3],
      habit.id,
      true,
    ]);
    const list = await html(await app.request("/reminders", { headers: alice.session }), 200);
    assertStringIncludes(list, ESCAPED);
    assert(!list.includes(PAYLOAD));
    assertStringIncludes(list, `/reminders/${reminder.id}/edit`);
  });

  await t.step("bad input re-renders the form with the user's input and every message (400)", async () => {
    const page = await html(await app.request("/reminders", post(alice, { title: PAYLOAD, time: "25:00" })), 400);
    assert(fieldError(page, "time"), "time error");
    assertStringIncludes(page, "Choose at least one weekday");
    assertStringIncludes(page, `value="&lt;img src=x onerror=&quot;alert(1)&quot;>"`);
    assertEquals((await listReminders(db, alice.id)).length, 1);
  });

  await t.step("edit: the form is filled; saving redirects; an unchecked Enabled turns it off", async () => {
    const [reminder] = await listReminders(db, alice.id);
    const form = await html(await app.request(`/reminders/${reminder.id}/edit`, { headers: alice.session }), 200);
    assertStringIncludes(form, `value="07:30"`);
    const res = await app.request(
      `/reminders/${reminder.id}/edit`,
      post(alice, { title: "Run", time: "06:15", days: "7" }),
    );
    assertEquals(res.status, 303);
    const [saved] = await listReminders(db, alice.id);
    assertEquals([saved.title, saved.time, saved.days, saved.enabled, saved.habitId], [
      "Run",
      "06:15",
      [7],
      false,
      null,
    ]);
    const bad = await html(
      await app.request(`/reminders/${reminder.id}/edit`, post(alice, { title: "", time: "06:15", days: "7" })),
      400,
    );
    assertEquals(fieldError(bad, "title"), "Enter a title");
  });

  await t.step("other users' and malformed ids → 404 on every page and form", async () => {
    const [reminder] = await listReminders(db, alice.id);
    for (const id of [reminder.id, "nope"]) {
      await html(await app.request(`/reminders/${id}/edit`, { headers: mallory.session }), 404);
      await html(
        await app.request(`/reminders/${id}/edit`, post(mallory, { title: "x", time: "06:00", days: "1" })),
        404,
      );
      await html(await app.request(`/reminders/${id}/edit`, post(mallory, { title: "", time: "" })), 404);
      await html(await app.request(`/reminders/${id}/edit`, post(mallory, { intent: "delete" })), 404);
    }
    const habit = await createHabit(db, alice.id, { name: "Alice's" }, "2026-01-01");
    await html(
      await app.request("/reminders", post(mallory, { title: "x", time: "06:00", days: "1", habitId: habit.id })),
      404,
    );
    assertEquals((await listReminders(db, mallory.id)).length, 0);
    assertEquals((await listReminders(db, alice.id)).length, 1);
  });

  await t.step("delete from the list: 303 and gone", async () => {
    const [reminder] = await listReminders(db, alice.id);
    const res = await app.request(`/reminders/${reminder.id}/edit`, post(alice, { intent: "delete" }));
    assertEquals(res.status, 303);
    assertEquals(await listReminders(db, alice.id), []);
  });

  await t.step("the header counts unread notifications; the list marks one or all read", async () => {
    const before = await html(await app.request("/reminders", { headers: alice.session }), 200);
    assertStringIncludes(before, `<a href="/notifications">Notifications</a>`);
    for (const title of [PAYLOAD, "Second", "Third"]) {
      await createReminder(db, alice.id, { title, time: "00:00", days: [1, 2, 3, 4, 5, 6, 7] });
    }
    await runSchedulerTick(services, new Date());
    const page = await html(await app.request("/notifications", { headers: alice.session }), 200);
    assertStringIncludes(page, `(3 unread notifications)</span></a>`);
    assertStringIncludes(page, ESCAPED);
    assert(!page.includes(PAYLOAD));

    const [newest] = await listNotifications(db, alice.id);
    const one = await app.request("/notifications", post(alice, { ids: newest.id }));
    assertEquals(one.status, 303);
    assertEquals(one.headers.get("location"), "/notifications");
    assertStringIncludes(
      await html(await app.request("/notifications", { headers: alice.session }), 200),
      "(2 unread notifications)",
    );
    await html(await app.request("/notifications", post(mallory, { ids: newest.id })), 404);

    assertEquals((await app.request("/notifications", post(alice, {}))).status, 303);
    const after = await html(await app.request("/notifications", { headers: alice.session }), 200);
    assertStringIncludes(after, `<a href="/notifications" aria-current="page">Notifications</a>`);
    assert(!after.includes("unread notification"));
    assert(!after.includes("Mark all read"));
  });
});
