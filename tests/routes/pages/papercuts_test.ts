/**
 * Issue 9's smaller items, page by page, with JavaScript off (what the server sends):
 * counts that agree in number, a name and an e-mail with a space between, activity lines
 * that read as sentences, times in the reader's clock, notifications that lead to their
 * habit, the plan limit's page as a link, a way into the app from `/`, the timezone list
 * sent once, the grid caption true in both themes, and field ids unique per form.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { html } from "@/tests/support/pages.ts";
import { seedAccount } from "@/tests/support/seed.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";
import { createGoal } from "@/db/goals.ts";
import { createHabit } from "@/db/habits.ts";
import { localDay } from "@/domain/calendar.ts";

function get(user: TestUser, path: string, headers: Record<string, string> = {}): [string, RequestInit] {
  return [path, { headers: { ...user.session, ...headers } }];
}

function post(user: TestUser, path: string, fields: Record<string, string>): [string, RequestInit] {
  return [path, {
    method: "POST",
    headers: { ...user.session, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  }];
}

/** The page's visible text, roughly: tags out, whitespace folded. */
function text(page: string): string {
  return page.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
}

Deno.test("issue 9's small things, as the pages say them", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const seeded = await seedAccount(services);
  const alice = seeded.user;
  const request = (args: [string, RequestInit]) => app.request(...args);

  await t.step("goal cards count in the right number: no 0/0 milestones, no 1 subgoals", async () => {
    await createGoal(services.db, alice.id, { title: "Read 12 books" });
    const page = text(await html(await request(get(alice, "/goals")), 200));
    assertStringIncludes(page, "1 of 2 milestones done · 1 of 2 subgoals done");
    assertStringIncludes(page, "No milestones or subgoals yet");
    assert(!/\b0\/0 milestones|\b1 subgoals\b/.test(page), page);
  });

  await t.step("settings: the display name and the e-mail have a space between them", async () => {
    const saved = await request(post(alice, "/settings", {
      intent: "save-settings",
      displayName: "Alex",
      timezone: seeded.timezone,
      weekStart: "1",
      theme: "system",
    }));
    assertEquals(saved.status, 303);
    const page = await html(await request(get(alice, "/settings")), 200);
    assertMatch(page, /<strong>Alex<\/strong> \(user-[^)]+@example\.test\)/);
  });

  await t.step("activity: every line is a sentence that starts with a capital letter", async () => {
    const page = await html(await request(get(alice, "/activity")), 200);
    const lines = [...page.matchAll(/<span class="activity-time">[^<]*<\/span> ([^<]*)<\/li>/g)].map((m) => m[1]);
    assert(lines.length >= 20, `only ${lines.length} lines`);
    for (const line of lines) assertMatch(line, /^[A-Z]/, line);
    for (
      const expected of [
        "Created the goal Run a marathon",
        "Added the milestone Run 30 km",
        "Pinned the goal Run a marathon",
        "Created the reminder Time to meditate",
      ]
    ) {
      assert(lines.includes(expected), `${expected} not in ${lines.join(" | ")}`);
    }
  });

  await t.step("times follow the reader's clock, like the browser's time field", async () => {
    const us = await html(await request(get(alice, "/reminders", { "Accept-Language": "en-US,en;q=0.9" })), 200);
    assertStringIncludes(us, "<time>4:52 PM</time>");
    assertStringIncludes(us, "<time>7:30 AM</time>");
    const gb = await html(await request(get(alice, "/reminders", { "Accept-Language": "en-GB,en;q=0.8" })), 200);
    assertStringIncludes(gb, "<time>16:52</time>");
    const activity = await html(await request(get(alice, "/activity", { "Accept-Language": "en-US" })), 200);
    assertMatch(activity, /<span class="activity-time">\d{1,2}:\d\d [AP]M<\/span>/);
    const notifications = await html(await request(get(alice, "/notifications", { "Accept-Language": "de-DE" })), 200);
    assertMatch(notifications, /<time datetime="[^"]+">\w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d<\/time>/);
  });

  await t.step("a notification from a habit's reminder links to that habit", async () => {
    const page = await html(await request(get(alice, "/notifications")), 200);
    assertStringIncludes(page, `<a href="/habits/${seeded.habits.meditate.id}">Go to Meditate</a>`);
    // "Plan the week" has no habit: no link.
    assertEquals(page.split("Go to ").length - 1, 2);
  });

  await t.step("the plan limit's message links to /upgrade", async () => {
    const bob = await createTestUser(services);
    const today = localDay("UTC");
    for (let i = 0; i < 10; i++) await createHabit(services.db, bob.id, { name: `Habit ${i}` }, today);
    const page = await html(
      await request(post(bob, "/habits/new", { name: "One too many", kind: "boolean", scheduleType: "daily" })),
      402,
    );
    assertMatch(page, /<div class="error-summary"[\s\S]*at <a href="\/upgrade">\/upgrade<\/a>\.[\s\S]*<\/div>/);
  });

  await t.step("signed in, the landing page leads to the dashboard; signed out, to sign-up", async () => {
    const signedIn = await html(await request(get(alice, "/")), 200);
    assertStringIncludes(signedIn, `<a class="button button-primary" href="/app">Go to your dashboard</a>`);
    assert(!signedIn.includes("Start tracking"));
    const signedOut = await html(await app.request("/"), 200);
    assertStringIncludes(signedOut, `href="/signup">Start tracking</a>`);
  });

  await t.step("sign-up sends the timezone list once, grouped, with a visible hint", async () => {
    const page = await html(await app.request("/signup"), 200);
    assertEquals(page.split('value="Europe/Lisbon"').length - 1, 1);
    assertEquals(page.split("Pacific/Kiritimati").length - 1, 1);
    assertStringIncludes(page, '<optgroup label="Europe">');
    assertStringIncludes(page, "Choose where you live: your days start at midnight there.");
  });

  await t.step("the dashboard's grid caption is true in dark mode too", async () => {
    const page = await html(await request(get(alice, "/app")), 200);
    assert(!page.includes("the darker"), "the caption still says darker");
    // Said by fill, which holds in either theme (the grid's states are shapes as well as colours).
    assertStringIncludes(page, "full when you did every habit due that day, filled in part when you did some");
  });

  await t.step("the goal page's three forms have ids of their own", async () => {
    const page = await html(await request(get(alice, `/goals/${seeded.goals.marathon.id}`)), 200);
    const ids = [...page.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    assertEquals(ids.filter((id, i) => ids.indexOf(id) !== i), []);
    assertStringIncludes(page, '<label for="subgoal-add-title">New subgoal</label>');
    assertStringIncludes(page, '<label for="milestone-add-title">New milestone</label>');
    assertStringIncludes(page, '<label for="goal-edit-title">Title</label>');
  });
});
