/**
 * Flash messages without JavaScript: every form action leaves a confirmation that
 * survives its redirect, shows once on the next page (`role="status"`, escaped, not
 * cacheable) and is gone after; it is bound to the session it was made for, forged or
 * broken cookies show nothing, and no-JS check-ins come back to the habit they were for.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";
import { flashCookie, html, shownFlash } from "@/tests/support/pages.ts";
import { createHabit } from "@/db/habits.ts";
import { createGoal, createMilestone, createSubgoal, getGoal } from "@/db/goals.ts";
import { createReminder } from "@/db/reminders.ts";
import { createToken } from "@/db/accounts.ts";
import { addDays, formatDay, localDay } from "@/domain/calendar.ts";
import { FLASH_COOKIE, signFlash } from "@/app/flash.ts";

const PAYLOAD = `<img src=x onerror="alert(1)">`;

type App = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

function form(user: TestUser, fields: Record<string, string>, cookie = ""): RequestInit {
  return {
    method: "POST",
    headers: {
      ...user.session,
      Cookie: user.session.Cookie + cookie,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(fields),
  };
}

/**
 * Posts the form, follows its 303 with the cookie it set, and returns the flash the page
 * showed; then checks the page cleared it and that the next page shows nothing.
 */
async function actionFlash(app: App, user: TestUser, path: string, init: RequestInit): Promise<string> {
  const res = await app.request(path, init);
  assertEquals(res.status, 303, `${path}: ${(await res.text()).slice(0, 300)}`);
  const cookie = flashCookie(res);
  assert(cookie && cookie.length > FLASH_COOKIE.length + 1, `${path} set no flash`);
  const location = res.headers.get("location")!;
  const next = await app.request(location.split("#")[0], {
    headers: { ...user.session, Cookie: `${user.session.Cookie}; ${cookie}` },
  });
  const page = await html(next, 200);
  const shown = shownFlash(page);
  assert(shown !== undefined, `${path} → ${location}: no flash shown`);
  assertEquals(next.headers.get("cache-control"), "no-store", "a page showing a flash must not be cached");
  assertEquals(flashCookie(next), `${FLASH_COOKIE}=`, "the page that showed the flash clears it");
  // Without the cookie (as the browser now has it) the next page shows nothing.
  assertEquals(
    shownFlash(await html(await app.request(location.split("#")[0], { headers: user.session }), 200)),
    undefined,
  );
  return shown;
}

Deno.test("flash messages", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const { db } = services;
  const alice = await createTestUser(services);
  const bob = await createTestUser(services);
  const today = localDay("UTC");
  const read = await createHabit(db, alice.id, { name: "Read" }, addDays(today, -20));
  const evil = await createHabit(db, alice.id, { name: PAYLOAD }, addDays(today, -20));

  await t.step("a no-JS check-in on the dashboard comes back to its habit with a confirmation", async () => {
    const res = await app.request(
      `/habits/${read.id}/checkin`,
      form(alice, { date: today, status: "done", return: `/app#habit-${read.id}` }),
    );
    assertEquals(res.headers.get("location"), `/app#habit-${read.id}`);
    const text = await actionFlash(
      app,
      alice,
      `/habits/${read.id}/checkin`,
      form(alice, { date: today, status: "none", return: `/app#habit-${read.id}` }),
    );
    assertEquals(text, `Read, ${formatDay(today)}: cleared.`);
  });

  await t.step("a check-in from the habit page comes back to that day's cell in the grid", async () => {
    const day = addDays(today, -13);
    const res = await app.request(
      `/habits/${read.id}/checkin`,
      form(alice, { date: day, status: "skipped", return: `/habits/${read.id}` }),
    );
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), `/habits/${read.id}#habit-grid-${day}`);
    const page = await html(await app.request(`/habits/${read.id}`, { headers: alice.session }), 200);
    assertStringIncludes(page, `id="habit-grid-${day}" class="skip" href="/habits/${read.id}/checkin?date=${day}"`);
    assertEquals(
      await actionFlash(app, alice, `/habits/${read.id}/checkin`, form(alice, { date: day, status: "done" })),
      `Read, ${formatDay(day)}: done.`,
    );
  });

  await t.step("what users typed is escaped in the flash", async () => {
    const res = await app.request(`/habits/${evil.id}/checkin`, form(alice, { date: today, status: "done" }));
    const next = await app.request("/app", {
      headers: { ...alice.session, Cookie: `${alice.session.Cookie}; ${flashCookie(res)}` },
    });
    const page = await html(next, 200);
    assertEquals(page.includes("<img"), false);
    assertStringIncludes(shownFlash(page)!, "&lt;img src=x onerror=&quot;alert(1)&quot;>");
  });

  await t.step("every form action confirms itself", async () => {
    const goal = await createGoal(db, alice.id, { title: "Marathon" });
    const milestone = (await createMilestone(db, alice.id, { goalId: goal.id, title: "10k" }))!;
    const subgoal = (await createSubgoal(db, alice.id, { goalId: goal.id, title: "Shoes" }))!;
    const reminder = await createReminder(db, alice.id, { title: "Stretch", time: "08:00", days: [1, 2, 3] });
    const { token } = await createToken(db, alice.id, "laptop");
    const victim = await createHabit(db, alice.id, { name: "Old habit" }, today);
    const cases: [string, Record<string, string>, string | RegExp][] = [
      ["/habits/new", { name: "Run", kind: "boolean", scheduleType: "daily" }, "Habit “Run” created."],
      [
        `/habits/${read.id}/edit`,
        { name: "Read more", kind: "boolean", scheduleType: "daily" },
        "Changes to “Read more” saved.",
      ],
      [`/habits/${read.id}`, { archived: "true" }, "“Read more” archived: it left the dashboard."],
      [`/habits/${read.id}`, { archived: "false" }, "“Read more” is back on the dashboard."],
      [`/habits/${read.id}`, { position: "1" }, "“Read more” moved to position 2."],
      [`/habits/${victim.id}/delete`, {}, "Habit “Old habit” deleted with its check-ins."],
      ["/goals", { title: "Learn Go" }, "Goal “Learn Go” created."],
      [
        `/goals/${goal.id}`,
        { intent: "goal-update", title: "Marathon 2027", status: "active" },
        "Goal “Marathon 2027” saved.",
      ],
      [`/goals/${goal.id}`, { intent: "milestone-add", title: "Half" }, "Milestone “Half” added."],
      [`/goals/${goal.id}`, { intent: "milestone-update", id: milestone.id, done: "true" }, "Milestone “10k” done."],
      [`/goals/${goal.id}`, { intent: "subgoal-add", title: "Plan" }, "Subgoal “Plan” added."],
      [`/goals/${goal.id}`, { intent: "subgoal-update", id: subgoal.id, progress: "50" }, "Subgoal “Shoes” at 50 %."],
      [`/goals/${goal.id}`, { intent: "milestone-delete", id: milestone.id }, "Milestone “10k” deleted."],
      [`/goals/${goal.id}`, { intent: "subgoal-delete", id: subgoal.id }, "Subgoal “Shoes” deleted."],
      ["/goals/pin", { goalId: goal.id, pinned: "true", back: "/goals" }, "“Marathon 2027” pinned to the dashboard."],
      [
        "/goals/pin",
        { goalId: goal.id, pinned: "false", back: "/app" },
        "“Marathon 2027” unpinned from the dashboard.",
      ],
      ["/reminders", { title: "Read", time: "21:30", days: "1" }, "Reminder “Read” added for 21:30."],
      [
        `/reminders/${reminder.id}/edit`,
        { title: "Stretch more", time: "08:15", days: "2" },
        "Reminder “Stretch more” saved.",
      ],
      [`/reminders/${reminder.id}/edit`, { intent: "delete" }, "Reminder “Stretch more” deleted."],
      ["/notifications", {}, "All notifications marked read."],
      ["/settings", { intent: "save-settings", timezone: "UTC", weekStart: "1", theme: "system" }, "Settings saved."],
      ["/settings", { intent: "revoke-token", tokenId: token.id }, /^Token revoked\./],
      [`/goals/${goal.id}/delete`, {}, "Goal “Marathon 2027” deleted."],
    ];
    for (const [path, fields, expected] of cases) {
      const shown = await actionFlash(app, alice, path, form(alice, fields));
      if (typeof expected === "string") assertEquals(shown, expected, path);
      else assertMatch(shown, expected, path);
    }
    assertEquals(await getGoal(db, alice.id, goal.id), null);
  });

  await t.step("an import confirms what it brought in", async () => {
    const exported = await app.request("/api/export?format=json", { headers: alice.bearer });
    assertEquals(exported.status, 200);
    const body = new FormData();
    body.append("file", new File([await exported.text()], "export.json", { type: "application/json" }));
    const init = { method: "POST", headers: bob.session, body };
    assertMatch(await actionFlash(app, bob, "/export", init), /^Imported \d+ habits? and \d+ check-ins?\.$/);
  });

  await t.step("bound to its session: another user, a forged or a broken cookie show nothing", async () => {
    const res = await app.request(`/habits/${evil.id}/checkin`, form(alice, { date: today, status: "none" }));
    const cookie = flashCookie(res)!;
    for (
      const [who, value] of [
        [bob, cookie],
        [alice, `${FLASH_COOKIE}=${await signFlash({ text: "Forged", kind: "success" }, "not-the-session-hash")}`],
        [alice, `${FLASH_COOKIE}=garbage.more.parts`],
        [alice, `${FLASH_COOKIE}=${"A".repeat(3000)}.x`],
        [alice, `${FLASH_COOKIE}=%00%ff.%zz`],
      ] as const
    ) {
      const page = await html(
        await app.request("/app", { headers: { ...who.session, Cookie: `${who.session.Cookie}; ${value}` } }),
        200,
      );
      assertEquals(shownFlash(page), undefined, value.slice(0, 60));
    }
  });

  await t.step("kept across a redirect and a JSON answer, shown by the page that follows", async () => {
    const res = await app.request(`/habits/${evil.id}/checkin`, form(alice, { date: today, status: "done" }));
    const headers = { ...alice.session, Cookie: `${alice.session.Cookie}; ${flashCookie(res)}` };
    const bounced = await app.request("/login?next=%2Fapp", { headers });
    assertEquals(bounced.status, 303);
    assertEquals(flashCookie(bounced), undefined, "a redirect must pass the flash on");
    const json = await app.request("/api/me", { headers });
    assertEquals(json.status, 200);
    assertEquals(flashCookie(json), undefined, "an island's fetch must not eat the flash");
    assert(shownFlash(await html(await app.request("/app", { headers }), 200)));
  });

  await t.step("API calls with a token get no flash cookie", async () => {
    const res = await app.request(`/habits/${evil.id}/checkin`, {
      method: "POST",
      headers: { ...alice.bearer, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ date: today, status: "none" }),
    });
    assertEquals(res.status, 303);
    assertEquals(flashCookie(res), undefined);
  });
});
