/**
 * The pause form in Chromium with the keyboard only and JavaScript off (it is a plain
 * form): from the habit page, Tab to the first and last day, type them, a note, Enter;
 * the page comes back at its Pauses section with a flash and the pause listed; a bad
 * range comes back with the field's message. axe-core finds nothing on the habit page,
 * its pauses page and vacation mode, at desktop and phone width, light and dark; each is
 * saved under artifacts/screenshots/ (pause-form-*, vacation-mode-*) for a reviewer.
 */
import { assert, assertEquals, assertStringIncludes } from "@/tests/support/assert.ts";
import { describeViolation, runAxe } from "@/tests/support/axe.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { launchBrowser, serveOnLoopback, signedInContext, skipBrowserTests } from "@/tests/support/browser.ts";
import { createTestUser } from "@/tests/support/users.ts";
import { createHabit } from "@/db/habits.ts";
import { createPause } from "@/db/pauses.ts";
import { addDays, localDay } from "@/domain/calendar.ts";
import type { Browser, Page } from "playwright-core";

const SCREENSHOTS = new URL("../../artifacts/screenshots/", import.meta.url).pathname;
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

/** Presses Tab until the focused element matches `selector`; fails after `max` presses. */
async function tabTo(page: Page, selector: string, max = 120): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector} in ${max} presses`);
}

/** Types a `YYYY-MM-DD` day into the focused date field as Chromium's en-US field takes it (month, day, year). */
async function typeDay(page: Page, day: string): Promise<void> {
  const [y, m, d] = day.split("-");
  await page.keyboard.type(`${m}${d}${y}`);
}

Deno.test({
  name: "pause form: keyboard only without JavaScript; axe-clean at desktop and phone, light and dark; screenshots",
  ignore: skipBrowserTests(),
  sanitizeResources: false,
  fn: async (t) => {
    await using test = await startTestApp();
    await using server = serveOnLoopback(test.app.fetch);
    const user = await createTestUser(test.services, { timezone: "Europe/Berlin" });
    const today = localDay("Europe/Berlin");
    const habit = await createHabit(test.services.db, user.id, { name: "Read" }, addDays(today, -30));
    // A pause of every habit already, so the lists show both kinds.
    await createPause(test.services.db, user.id, {
      from: addDays(today, 20),
      to: addDays(today, 27),
      note: "Holidays",
    });
    let browser: Browser | undefined;
    try {
      browser = await launchBrowser();
      const context = await signedInContext(browser, server.origin, user.session, {
        javaScriptEnabled: false,
        viewport: VIEWPORTS.desktop,
        locale: "en-US",
      });
      const page = await context.newPage();

      await t.step("Tab, type, Enter: the pause is saved and listed, with a flash", async () => {
        // From the Pauses section (a link to #pauses sets where Tab starts), past the grid's 366 day links.
        await page.goto(`${server.origin}/habits/${habit.id}#pauses`);
        await tabTo(page, "#pause-from", 30);
        await typeDay(page, addDays(today, 3));
        await tabTo(page, "#pause-to", 5);
        await typeDay(page, addDays(today, 5));
        await tabTo(page, "#pause-note", 5);
        await page.keyboard.type("Conference <trip>");
        await tabTo(page, "#pause button[type=submit]", 5);
        await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
        const url = new URL(page.url());
        assertEquals([url.pathname, url.hash], [`/habits/${habit.id}`, "#pauses"]);
        assertStringIncludes((await page.textContent(".flash")) ?? "", "Paused “Read”");
        const list = (await page.textContent(".pause-list")) ?? "";
        assertStringIncludes(list, "Conference <trip>");
        assertStringIncludes(list, "Every habit");
        const [{ n }] = await test.services.db.sql<{ n: number }[]>`
          select count(*)::int as n from pauses where habit_id = ${habit.id}::uuid and note = 'Conference <trip>'`;
        assertEquals(n, 1);
      });

      await t.step("a range that ends before it starts comes back with the field's message", async () => {
        await page.goto(`${server.origin}/habits/${habit.id}/pauses`);
        await tabTo(page, "#pause-from");
        await typeDay(page, addDays(today, 9));
        await tabTo(page, "#pause-to", 5);
        await typeDay(page, addDays(today, 8));
        await tabTo(page, "#pause button[type=submit]", 5);
        await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
        assertEquals((await page.textContent("#pause-to-error"))?.trim(), "End the pause on or after its first day");
        assertEquals(await page.getAttribute("#pause-to", "aria-invalid"), "true");
      });

      await t.step("axe-core finds nothing; screenshots at 1280 and 390 px, light and dark", async () => {
        await Deno.mkdir(SCREENSHOTS, { recursive: true });
        // axe-core runs as a script in the page: this context has JavaScript on.
        const withJs = await signedInContext(browser!, server.origin, user.session, { viewport: VIEWPORTS.desktop });
        const page = await withJs.newPage();
        const problems: string[] = [];
        for (const [viewportName, viewport] of Object.entries(VIEWPORTS)) {
          await page.setViewportSize(viewport);
          for (
            const [shot, path] of [
              ["pause-form", `/habits/${habit.id}/pauses`],
              ["vacation-mode", "/settings/pauses"],
              ["habit-pauses", `/habits/${habit.id}#pauses`],
            ]
          ) {
            await page.goto(`${server.origin}${path}`);
            for (const colorScheme of ["light", "dark"] as const) {
              await page.emulateMedia({ colorScheme });
              for (const violation of await runAxe(page)) {
                problems.push(
                  ...describeViolation(violation).map((line) => `${path} ${viewportName} ${colorScheme}: ${line}`),
                );
              }
              if (shot !== "habit-pauses") {
                await page.screenshot({
                  path: `${SCREENSHOTS}${shot}-${viewportName}-${colorScheme}.png`,
                  fullPage: true,
                });
              }
            }
          }
        }
        // The grid's scroll region is waived in tests/browser/pages_test.ts for another branch; the same here.
        const real = problems.filter((p) => !p.includes("scrollable-region-focusable"));
        await withJs.close();
        assert(real.length === 0, real.join("\n"));
      });
      await context.close();
    } finally {
      await browser?.close();
    }
  },
});
