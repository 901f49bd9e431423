/**
 * Issue 9, items 2 and 3 in headless Chromium: a habit's grid you can edit. Every past
 * day is a link to its check-in form, by touch and by keyboard, with JavaScript and
 * without; after saving, the page comes back to the grid with that day focused (or the
 * `:target` without JavaScript) and a confirmation. On a phone the scroll region is
 * focusable and named, today is in view on load and the weekday labels stay in view.
 */
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { skipBrowserTests } from "@/tests/support/browser.ts";
import { startLiveApp } from "@/tests/support/live_app.ts";
import { createTestUser } from "@/tests/support/users.ts";
import type { Page } from "playwright-core";
import { createHabit } from "@/db/habits.ts";
import { listCheckins, upsertCheckin } from "@/db/checkins.ts";
import { addDays, formatDay, localDay } from "@/domain/calendar.ts";

/** Presses Tab until `predicate` holds for the focused element (at most `max` times). */
async function tabUntil(page: Page, predicate: (el: Element | null) => boolean, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(`(${predicate.toString()})(document.activeElement)`)) return;
  }
  throw new Error(`no focusable element matched after ${max} tabs`);
}

function focusedId(page: Page): Promise<string | undefined> {
  return page.evaluate(() => document.activeElement?.id);
}

Deno.test({
  name: "grid in Chromium on a phone without JavaScript: tap a day, save, back on that day with a confirmation",
  ignore: skipBrowserTests(),
  fn: async () => {
    await using live = await startLiveApp();
    const { db } = live.services;
    const user = await createTestUser(live.services);
    const today = localDay("UTC");
    const read = await createHabit(db, user.id, { name: "Read" }, addDays(today, -60));
    await upsertCheckin(db, user.id, read.id, { date: addDays(today, -1), status: "done" }, today);
    const context = await live.signedIn(user, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      javaScriptEnabled: false,
    });
    const page = await context.newPage();
    await page.goto(`${live.origin}/habits/${read.id}`);

    // The scroll region: focusable, named by the grid's summary, today in view, labels in view.
    const scroller = page.locator("#habit-grid .cg-scroll");
    assertEquals(await scroller.getAttribute("tabindex"), "0");
    const name = await page.evaluate(() => {
      const el = document.querySelector("#habit-grid .cg-scroll")!;
      return document.getElementById(el.getAttribute("aria-labelledby")!)?.textContent;
    });
    assert(name?.startsWith("Read: done on 1 day of the last 365"), name ?? "no name");
    const box = (await scroller.boundingBox())!;
    const todayBox = (await page.locator(`#habit-grid-${today}`).boundingBox())!;
    assert(todayBox.x >= box.x && todayBox.x + todayBox.width <= box.x + box.width, "today is not in view on load");
    assert((await page.evaluate(() => document.querySelector("#habit-grid .cg-scroll")!.scrollWidth)) > box.width);
    await page.evaluate(() => document.querySelector("#habit-grid .cg-scroll")!.scrollBy({ left: -5000 }));
    const labels = (await page.locator("#habit-grid .cg-weekdays").boundingBox())!;
    assert(labels.x >= box.x - 1 && labels.x < box.x + 40, `weekday labels scrolled away: ${labels.x} vs ${box.x}`);
    const oldest = (await page.locator("#habit-grid .cg-days > :first-child").boundingBox())!;
    assert(oldest.x >= labels.x + labels.width - 1, "the oldest week is hidden under the labels");
    // Fingers get cells 24 px apart.
    const [a, b] = await page.locator("#habit-grid .cg-days > a").evaluateAll((els) =>
      els.slice(0, 2).map((el) => el.getBoundingClientRect().y)
    );
    assertEquals(b - a, 24);

    // Tap a day 13 days back (the backfill), save it, come back to it.
    const day = addDays(today, -13);
    const cell = page.locator(`#habit-grid-${day}`);
    assertEquals(await cell.getAttribute("aria-label"), `${formatDay(day)}: missed`);
    await cell.scrollIntoViewIfNeeded();
    await Promise.all([page.waitForURL(`**/habits/${read.id}/checkin?date=${day}`), cell.tap()]);
    assertEquals(await page.locator("input[name=date]").inputValue(), day);
    await Promise.all([
      page.waitForURL(`**/habits/${read.id}#habit-grid-${day}`),
      page.locator("form.checkin-form button[type=submit]").tap(),
    ]);
    assertEquals(await page.locator("p.flash[role=status]").textContent(), `Read, ${formatDay(day)}: done.`);
    assertEquals(await page.evaluate(() => document.querySelector(":target")?.id), `habit-grid-${day}`);
    assertEquals(await page.locator(`#habit-grid-${day}`).getAttribute("class"), "done");
    assertEquals(await page.locator(`#habit-grid-${day}`).getAttribute("aria-label"), `${formatDay(day)}: done`);
    const [saved] = await listCheckins(db, user.id, read.id, day, day);
    assertEquals(saved.status, "done");

    // Without JavaScript every linked day is its own tab stop; a skip link jumps past them.
    assertEquals(await page.locator("#habit-grid .cg-days > a[tabindex]").count(), 0);
    await page.goto(`${live.origin}/habits/${read.id}`);
    await tabUntil(page, (el) => el?.classList.contains("cg-skip") ?? false);
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    assertEquals(await page.evaluate(() => document.activeElement?.closest(".cg-days")), null);
    await context.close();
  },
});

Deno.test({
  name: "grid in Chromium with JavaScript, keyboard only: one tab stop, arrows move by day and week, back focused",
  ignore: skipBrowserTests(),
  fn: async () => {
    await using live = await startLiveApp();
    const { db } = live.services;
    const user = await createTestUser(live.services);
    const today = localDay("UTC");
    const read = await createHabit(db, user.id, { name: "Read" }, addDays(today, -60));
    const context = await live.signedIn(user);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(`${live.origin}/habits/${read.id}`);
    await page.waitForFunction(() => document.querySelectorAll('#habit-grid .cg-days > a[tabindex="0"]').length === 1);
    const links = await page.locator("#habit-grid .cg-days > a").count();
    assert(links >= 365, `${links} linked days`); // 365 to 367, by today's weekday
    assertEquals(await page.locator('#habit-grid .cg-days > a[tabindex="-1"]').count(), links - 1, "one tab stop");

    // Into the grid: today's day holds the tab stop.
    await tabUntil(page, (el) => !!el?.closest(".cg-days"));
    assertEquals(await focusedId(page), `habit-grid-${today}`);
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    assertEquals(await focusedId(page), `habit-grid-${addDays(today, -2)}`);
    await page.keyboard.press("ArrowLeft");
    const day = addDays(today, -9);
    assertEquals(await focusedId(page), `habit-grid-${day}`);
    // Nothing after today: ArrowRight twice from 9 days back lands 2 days back, then stays.
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    assertEquals(await focusedId(page), `habit-grid-${addDays(today, -2)}`);
    for (let i = 0; i < 7; i++) await page.keyboard.press("ArrowLeft"); // 7 weeks back
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowLeft");
    const far = addDays(today, -2 - 49);
    assertEquals(await focusedId(page), `habit-grid-${far}`);
    await page.keyboard.press("End");
    assertEquals(await focusedId(page), `habit-grid-${today}`);
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowDown");
    const pick = addDays(today, -13);
    assertEquals(await focusedId(page), `habit-grid-${pick}`);
    // The focused day keeps the tab stop when focus leaves and comes back.
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Tab");
    assertEquals(await focusedId(page), `habit-grid-${pick}`);

    // Enter opens the day's form; mark it skipped with the keyboard; back on that day, focused.
    await Promise.all([page.waitForURL(`**/checkin?date=${pick}`), page.keyboard.press("Enter")]);
    await tabUntil(page, (el) => (el as HTMLInputElement | null)?.name === "status");
    await page.keyboard.press("ArrowRight"); // Done → Skipped
    await Promise.all([page.waitForURL(`**/habits/${read.id}#habit-grid-${pick}`), page.keyboard.press("Enter")]);
    await page.waitForFunction((id) => document.activeElement?.id === id, `habit-grid-${pick}`);
    assertEquals(await page.locator("p.flash[role=status]").textContent(), `Read, ${formatDay(pick)}: skipped.`);
    assertEquals(await page.locator(`#habit-grid-${pick}`).getAttribute("class"), "skip");
    assertEquals(await page.locator(`#habit-grid-${pick}`).getAttribute("tabindex"), "0");
    assertEquals(errors, []);
    await context.close();
  },
});
