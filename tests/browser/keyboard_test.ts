/**
 * Core flows with the keyboard only (Tab, Enter, Space, arrows and typing; no clicks),
 * in Chromium against an app with APP_ORIGIN unset on a loopback port:
 *
 * - sign up from `http://127.0.0.1:PORT` (issue 9's first run: the origin the browser is
 *   really on is accepted) with JavaScript, and from `http://localhost:PORT` without it,
 *   choosing the timezone from the visible list;
 * - the header menu on a phone (with and without JavaScript), the same links in a row on a desktop;
 * - create a habit, after first sending the form empty to meet its errors.
 *
 * Flows other branches add (check in from the grid, backfill a day, undo) belong here too.
 */
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { closePasswordWorkers } from "@/lib/auth/password.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { launchBrowser, serveOnLoopback, signedInContext, skipBrowserTests } from "@/tests/support/browser.ts";
import { createTestUser } from "@/tests/support/users.ts";
import { listHabits } from "@/db/habits.ts";
import type { Browser, Page } from "playwright-core";

/** Presses Tab until the focused element matches `selector`; fails after `max` presses. */
async function tabTo(page: Page, selector: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
  }
  const focused = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
  throw new Error(`Tab never reached ${selector} in ${max} presses; focus is on ${focused}`);
}

/** Presses `key` and waits for the navigation it starts to land on `path`. */
async function pressAndLand(page: Page, key: string, path: string): Promise<void> {
  // waitForURL alone would return at once when the form posts back to its own page.
  const [response] = await Promise.all([page.waitForNavigation(), page.keyboard.press(key)]);
  const landed = new URL(page.url()).pathname;
  if (landed !== path) {
    const text = (await page.textContent("main"))?.replace(/\s+/g, " ").slice(0, 300);
    throw new Error(`landed on ${landed} (${response?.status()}), not ${path}: ${text}`);
  }
}

async function userByEmail(test: Awaited<ReturnType<typeof startTestApp>>, email: string) {
  const [row] = await test.services.db.sql<{ id: string; timezone: string }[]>`
    select id::text as id, timezone from users where email = ${email}`;
  return row;
}

Deno.test({
  name: "keyboard only: sign up (with and without JavaScript), the menu, create a habit",
  ignore: skipBrowserTests(),
  sanitizeResources: false,
  fn: async (t) => {
    await using test = await startTestApp();
    await using server = serveOnLoopback(test.app.fetch);
    const port = new URL(server.origin).port;
    let browser: Browser | undefined;
    try {
      browser = await launchBrowser();

      await t.step("sign up from 127.0.0.1 on a phone, the timezone filled in from the browser", async () => {
        const context = await browser!.newContext({ viewport: { width: 390, height: 844 }, timezoneId: "Asia/Tokyo" });
        const page = await context.newPage();
        const origin = `http://127.0.0.1:${port}`;
        await page.goto(`${origin}/signup`);
        await page.waitForFunction(() =>
          (document.querySelector("#field-timezone") as HTMLSelectElement).value !== "UTC"
        );
        await tabTo(page, "#field-email");
        await page.keyboard.type("keys@example.test");
        await tabTo(page, "#field-password");
        await page.keyboard.type("correct horse battery");
        await tabTo(page, "#field-timezone");
        await tabTo(page, "button[type=submit]");
        await pressAndLand(page, "Enter", "/app");
        assertEquals(new URL(page.url()).origin, origin);
        assertEquals((await userByEmail(test, "keys@example.test")).timezone, "Asia/Tokyo");

        // The menu: Tab to it, open it with Enter, follow a link with Enter.
        await tabTo(page, "summary.site-menu-button");
        await page.keyboard.press("Enter");
        await tabTo(page, 'a[href="/reminders"]');
        assert(await page.locator('nav[aria-label="Main"] a[href="/reminders"]').isVisible());
        await pressAndLand(page, "Enter", "/reminders");
        await context.close();
      });

      await t.step("sign up without JavaScript from localhost, choosing the timezone by typing", async () => {
        const context = await browser!.newContext({ viewport: { width: 320, height: 700 }, javaScriptEnabled: false });
        const page = await context.newPage();
        await page.goto(`http://localhost:${port}/signup`);
        await tabTo(page, "#field-email");
        await page.keyboard.type("nojs@example.test");
        await tabTo(page, "#field-password");
        await page.keyboard.type("correct horse battery");
        await tabTo(page, "#field-timezone");
        // Options are grouped by region and named by city: typing "Lisbon" picks Europe/Lisbon.
        await page.keyboard.type("Lisbon");
        assertEquals(await page.$eval("#field-timezone", (el) => (el as HTMLSelectElement).value), "Europe/Lisbon");
        await tabTo(page, "button[type=submit]");
        await pressAndLand(page, "Enter", "/app");
        assertEquals((await userByEmail(test, "nojs@example.test")).timezone, "Europe/Lisbon");
        // The menu needs no script either: <details> opens with Enter.
        await tabTo(page, "summary.site-menu-button");
        await page.keyboard.press("Enter");
        await tabTo(page, 'a[href="/goals"]');
        await pressAndLand(page, "Enter", "/goals");
        await context.close();
      });

      await t.step("desktop: the links sit in the header, reachable by Tab without a menu", async () => {
        const user = await createTestUser(test.services);
        const context = await signedInContext(browser!, server.origin, user.session, {
          viewport: { width: 1280, height: 800 },
        });
        const page = await context.newPage();
        await page.goto(`${server.origin}/app`);
        assertEquals(await page.locator("summary.site-menu-button").isVisible(), false);
        await tabTo(page, 'a[href="/goals"]', 5);
        await pressAndLand(page, "Enter", "/goals");
        assertEquals(await page.getAttribute('nav a[href="/goals"]', "aria-current"), "page");
        await context.close();
      });

      await t.step("create a habit: the empty form's errors, then a weekly habit", async () => {
        const user = await createTestUser(test.services);
        const context = await signedInContext(browser!, server.origin, user.session, {
          viewport: { width: 1280, height: 800 },
        });
        const page = await context.newPage();
        await page.goto(`${server.origin}/app`);
        await tabTo(page, 'a[href="/habits/new"]');
        await pressAndLand(page, "Enter", "/habits/new");

        await tabTo(page, "form.habit-form button[type=submit]");
        await pressAndLand(page, "Enter", "/habits/new");
        assertEquals(await page.locator(".error-summary").isVisible(), true);
        // The summary's link takes focus to the field.
        await tabTo(page, '.error-summary a[href="#field-name"]');
        await page.keyboard.press("Enter");
        assertEquals(await page.evaluate(() => location.hash), "#field-name");
        await tabTo(page, "#field-name");
        await page.keyboard.type("Stretch");
        // Radios: Tab into the group, arrows to choose.
        await tabTo(page, 'input[name="scheduleType"]');
        await page.keyboard.press("ArrowDown");
        assertEquals(
          await page.$eval('input[name="scheduleType"]:checked', (el) => (el as HTMLInputElement).value),
          "weekly",
        );
        await tabTo(page, "#field-times");
        await page.keyboard.press("Control+A");
        await page.keyboard.type("4");
        await tabTo(page, "form.habit-form button[type=submit]");
        await pressAndLand(page, "Enter", "/app");
        const [habit] = await listHabits(test.services.db, user.id);
        assertEquals([habit.name, habit.schedule], ["Stretch", { type: "weekly", times: 4 }]);
        await context.close();
      });
    } finally {
      await browser?.close();
      closePasswordWorkers();
    }
  },
});
