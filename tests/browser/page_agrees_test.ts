/**
 * Issue 9, item 4 in headless Chromium: after an island action everything on the page
 * that the action changes updates with it. On the dashboard, ticking habits done moves
 * the toggle's streak, the streaks table (current, longest, 30 days), today's square in
 * "Your year" and that grid's summary; on a goal's page, a subgoal at 50 % moves the
 * goal's bar. Each is checked before and after, and after a reload (the server agrees).
 */
import { assertEquals } from "@/tests/support/assert.ts";
import { skipBrowserTests } from "@/tests/support/browser.ts";
import { hydrated, startLiveApp } from "@/tests/support/live_app.ts";
import { createTestUser } from "@/tests/support/users.ts";
import type { Page } from "playwright-core";
import { createHabit } from "@/db/habits.ts";
import { upsertCheckin } from "@/db/checkins.ts";
import { createGoal, createMilestone, createSubgoal } from "@/db/goals.ts";
import { addDays, formatDay, localDay } from "@/domain/calendar.ts";

/**
 * The next answer to `url`. Awaited later, after the page was checked in between: a check
 * that fails first must not leave this promise to reject unhandled when the page closes.
 */
function answered(page: Page, url: string) {
  const response = page.waitForResponse(url);
  response.catch(() => {});
  return response;
}

Deno.test({
  name: "dashboard in Chromium: ticking Done updates the streak, the streaks table, today's square and the summary",
  ignore: skipBrowserTests(),
  fn: async () => {
    await using live = await startLiveApp();
    const { db } = live.services;
    const user = await createTestUser(live.services);
    const today = localDay("UTC");
    const start = addDays(today, -9);
    const meditate = await createHabit(db, user.id, { name: "Meditate" }, start);
    const read = await createHabit(db, user.id, { name: "Read", kind: "numeric", target: 20, unit: "pages" }, start);
    // Both done on each of the last two days: a 2-day run of full days, today still open.
    for (const habit of [meditate, read]) {
      for (const i of [1, 2]) {
        await upsertCheckin(db, user.id, habit.id, { date: addDays(today, -i), status: "done" }, today);
      }
    }
    const context = await live.signedIn(user);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(`${live.origin}/app`);
    await hydrated(page, "form.checkin");

    const row = (name: string) => page.locator("table.streaks tbody tr", { hasText: name });
    const cells = async (name: string) => await row(name).locator("td").allTextContents();
    const todayCell = page.locator("#overall-grid .cg-days > .today");
    const summary = page.locator("#overall-grid-summary");
    const toggle = (id: string) => page.locator(`form.checkin[action="/habits/${id}/checkin"]`);

    assertEquals(await cells("Meditate"), ["2 days", "2 days", "22 %"]);
    assertEquals(await todayCell.getAttribute("class"), "open today");
    assertEquals(
      await summary.textContent(),
      "All habits: every scheduled habit done on 2 days of the last 365; current run 2 days.",
    );

    // Meditate done: its streak, its row, and today half done.
    const saved = answered(page, "**/api/habits/*/checkins");
    await toggle(meditate.id).locator("button").click();
    assertEquals(await todayCell.getAttribute("class"), "part2 today", "today's square did not change at once");
    assertEquals((await saved).status(), 200);
    await toggle(meditate.id).locator(".checkin-streak", { hasText: "3 days streak" }).waitFor();
    await row("Meditate").locator("td", { hasText: "3 days" }).first().waitFor();
    assertEquals((await cells("Meditate")).slice(0, 2), ["3 days", "3 days"]);
    assertEquals((await cells("Meditate"))[2], "30 %", "the 30-day rate: 3 of 10 days (today counts once done)");
    assertEquals(await todayCell.getAttribute("title"), `${formatDay(today)}: 1 of 2 habits done`);
    assertEquals(
      await summary.textContent(),
      "All habits: every scheduled habit done on 2 days of the last 365; current run 2 days.",
    );

    // Read logged in full: today is a full day, the run and the count grow.
    await toggle(read.id).locator("input[name=value]").fill("20");
    const logged = answered(page, "**/api/habits/*/checkins");
    await toggle(read.id).locator("button").click();
    assertEquals((await logged).status(), 200);
    await row("Read").locator("td", { hasText: "3 days" }).first().waitFor();
    assertEquals(await todayCell.getAttribute("class"), "done today");
    assertEquals(
      await summary.textContent(),
      "All habits: every scheduled habit done on 3 days of the last 365; current run 3 days.",
    );

    // Undone again: everything goes back.
    const undone = answered(page, "**/api/habits/*/checkins");
    await toggle(meditate.id).locator("button").click();
    assertEquals((await undone).status(), 200);
    await toggle(meditate.id).locator(".checkin-streak", { hasText: "2 days streak" }).waitFor();
    assertEquals(await cells("Meditate"), ["2 days", "2 days", "22 %"]);
    assertEquals(await todayCell.getAttribute("class"), "part2 today");

    // The server agrees with what the page showed.
    await page.reload();
    assertEquals(await cells("Meditate"), ["2 days", "2 days", "22 %"]);
    assertEquals(await cells("Read"), ["3 days", "3 days", "30 %"]);
    assertEquals(
      await summary.textContent(),
      "All habits: every scheduled habit done on 2 days of the last 365; current run 2 days.",
    );
    assertEquals(await todayCell.getAttribute("class"), "part2 today");
    assertEquals(errors, []);
  },
});

Deno.test({
  name: "goal page in Chromium: a subgoal at 50 % moves the goal's bar",
  ignore: skipBrowserTests(),
  fn: async () => {
    await using live = await startLiveApp();
    const { db } = live.services;
    const user = await createTestUser(live.services);
    const goal = await createGoal(db, user.id, { title: "Marathon" });
    await createMilestone(db, user.id, { goalId: goal.id, title: "10k" });
    const shoes = (await createSubgoal(db, user.id, { goalId: goal.id, title: "Shoes" }))!;
    const context = await live.signedIn(user, { viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${live.origin}/goals/${goal.id}`);
    await hydrated(page, "form.subgoal-progress-form");
    const goalBar = page.locator(".goal-page > .progress");
    assertEquals(await goalBar.locator(".progress-value").textContent(), "0%");

    await page.locator(`#progress-${shoes.id}`).fill("50");
    const saved = answered(page, "**/api/subgoals/*");
    await page.locator("form.subgoal-progress-form button").click();
    // The milestone (0) and the subgoal (50) count equally: 25 %.
    assertEquals(await goalBar.locator(".progress-value").textContent(), "25%", "the goal's bar did not move at once");
    assertEquals(await goalBar.locator("progress").getAttribute("value"), "25");
    assertEquals((await saved).status(), 200);
    await page.reload();
    assertEquals(await page.locator(".goal-page > .progress .progress-value").textContent(), "25%");
  },
});
