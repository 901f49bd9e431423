/**
 * The one-tap check-in in headless Chromium against the real app on a loopback port:
 * hydration without layout shift, the optimistic flip that the server then keeps, the
 * rollback with a message when the API fails, numeric amounts, and the plain form post
 * that does the same with JavaScript off.
 */
import { assert, assertEquals, assertStringIncludes } from "@/tests/support/assert.ts";
import { launchBrowser, skipBrowserTests } from "@/tests/support/browser.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createHabit, type Habit } from "@/db/habits.ts";
import { listCheckins } from "@/db/checkins.ts";
import { addDays, formatDay, localDay } from "@/domain/calendar.ts";
import type { Services } from "@/app/state.ts";

interface Setup {
  origin: string;
  services: Services;
  user: TestUser;
  browser: Browser;
  meditate: Habit;
  read: Habit;
}

async function withApp(fn: (setup: Setup) => Promise<void>): Promise<void> {
  // The app must know its own origin (CSRF, cookies), and the port is only known once listening.
  let handler: (req: Request) => Response | Promise<Response> = () => new Response("starting", { status: 503 });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => handler(req));
  const origin = `http://127.0.0.1:${server.addr.port}`;
  let browser: Browser | undefined;
  try {
    await using test = await startTestApp({ config: { appOrigin: origin, logLevel: "warn" } });
    handler = test.app.fetch;
    const { services } = test;
    const user = await createTestUser(services);
    const start = addDays(localDay("UTC"), -5);
    const meditate = await createHabit(services.db, user.id, { name: "Meditate" }, start);
    const read = await createHabit(
      services.db,
      user.id,
      { name: "Read", kind: "numeric", target: 20, unit: "pages" },
      start,
    );
    browser = await launchBrowser();
    await fn({ origin, services, user, browser, meditate, read });
  } finally {
    await browser?.close();
    await server.shutdown();
  }
}

async function signedIn(setup: Setup, options: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
  const context = await setup.browser.newContext({ viewport: { width: 1024, height: 900 }, ...options });
  const [name, ...value] = setup.user.session.Cookie.split("=");
  await context.addCookies([{ name, value: value.join("="), url: setup.origin }]);
  return context;
}

/** Console errors and uncaught exceptions, except the failed response a test causes on purpose. */
function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().includes("status of 500")) errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  return errors;
}

/** Resolves once preact has attached the island's submit listener (preact 10 keeps them in `dom.l`). */
async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    [...document.querySelectorAll("form.checkin")].every((form) => (form as unknown as { l?: object }).l)
  );
}

function toggle(page: Page, habit: Habit) {
  return page.locator(`form.checkin[action="/habits/${habit.id}/checkin"]`);
}

async function dayStatus(setup: Setup, habit: Habit): Promise<string | undefined> {
  const today = localDay("UTC");
  const [checkin] = await listCheckins(setup.services.db, setup.user.id, habit.id, today, today);
  return checkin?.status;
}

Deno.test({
  name: "check-in toggle in Chromium: hydrates in place, flips at once, keeps what the server saved",
  ignore: skipBrowserTests(),
  fn: () =>
    withApp(async (setup) => {
      const context = await signedIn(setup);
      const page = await context.newPage();
      const errors = consoleErrors(page);

      // Hold the JavaScript back to measure the server's HTML first.
      let releaseJs!: () => void;
      const jsGate = new Promise<void>((resolve) => releaseJs = resolve);
      await page.route("**/_fresh/js/**", async (route) => {
        await jsGate;
        await route.continue();
      });
      await page.goto(`${setup.origin}/app`, { waitUntil: "commit" });
      const list = page.locator(".habit-list");
      await list.waitFor();
      // Module scripts are held, so DOMContentLoaded is too: wait for the stylesheet instead.
      await page.waitForFunction(() => [...document.styleSheets].some((sheet) => sheet.href?.endsWith("/styles.css")));
      await page.evaluate(() => document.fonts.ready);
      const before = await Promise.all(
        [list, toggle(page, setup.meditate), toggle(page, setup.read)].map((l) => l.boundingBox()),
      );
      // Shifts before this (the stylesheet or a font arriving late on a busy runner) are
      // the page loading, not hydration.
      const releasedAt = await page.evaluate(() => performance.now());
      releaseJs();
      await hydrated(page);
      const after = await Promise.all(
        [list, toggle(page, setup.meditate), toggle(page, setup.read)].map((l) => l.boundingBox()),
      );
      assertEquals(after, before, "the check-ins moved or resized when they hydrated");
      const shift = await page.evaluate((since) =>
        new Promise<number>((resolve) => {
          new PerformanceObserver((entries) => {
            resolve(
              entries.getEntries()
                .filter((e) => e.startTime >= since)
                .reduce((sum, e) => sum + (e as unknown as { value: number }).value, 0),
            );
          }).observe({ type: "layout-shift", buffered: true });
          setTimeout(() => resolve(0), 200);
        }), releasedAt);
      assertEquals(shift, 0, "layout shift during hydration");

      // Tap: the button shows "done" while the request is still on its way.
      let releaseApi!: () => void;
      const apiGate = new Promise<void>((resolve) => releaseApi = resolve);
      const requests: { method: string; body: unknown }[] = [];
      await page.route("**/api/habits/*/checkins", async (route) => {
        requests.push({ method: route.request().method(), body: route.request().postDataJSON() });
        await apiGate;
        await route.continue();
      });
      const button = toggle(page, setup.meditate).locator("button");
      assertEquals(await button.getAttribute("aria-pressed"), "false");
      const saved = page.waitForResponse("**/api/habits/*/checkins");
      await button.click();
      assertEquals(await button.getAttribute("aria-pressed"), "true", "no optimistic flip");
      assertEquals(page.url(), `${setup.origin}/app`, "the tap navigated instead of using the API");
      releaseApi();
      assertEquals((await saved).status(), 200);
      assertEquals(requests, [{ method: "POST", body: { date: localDay("UTC"), status: "done", value: null } }]);
      await page.locator(".checkin-streak", { hasText: "1 day streak" }).first().waitFor();
      assertEquals(await dayStatus(setup, setup.meditate), "done");

      await page.reload();
      assertEquals(await toggle(page, setup.meditate).locator("button").getAttribute("aria-pressed"), "true");

      // Numeric: an amount, saved and shown again after a reload.
      await hydrated(page);
      await toggle(page, setup.read).locator("input[name=value]").fill("25");
      const logged = page.waitForResponse("**/api/habits/*/checkins");
      await toggle(page, setup.read).locator("button").click();
      assertEquals(await toggle(page, setup.read).locator("button").getAttribute("aria-pressed"), "true");
      assertEquals((await logged).status(), 200);
      await page.reload();
      assertEquals(await toggle(page, setup.read).locator("input[name=value]").inputValue(), "25");
      assertEquals(await toggle(page, setup.read).locator("button").getAttribute("aria-pressed"), "true");

      assertEquals(errors, [], "console errors");
      await context.close();
    }),
});

Deno.test({
  name: "check-in toggle in Chromium: a failed save rolls back and says so",
  ignore: skipBrowserTests(),
  fn: () =>
    withApp(async (setup) => {
      const context = await signedIn(setup);
      const page = await context.newPage();
      const errors = consoleErrors(page);
      await page.goto(`${setup.origin}/app`);
      await hydrated(page);

      let release!: () => void;
      const gate = new Promise<void>((resolve) => release = resolve);
      await page.route("**/api/habits/*/checkins", async (route) => {
        await gate;
        await route.fulfill({
          status: 500,
          contentType: "application/json",
          body: JSON.stringify({ error: { code: "internal", message: "Something went wrong on our side" } }),
        });
      });
      const form = toggle(page, setup.meditate);
      const button = form.locator("button");
      const status = form.locator("[role=status]");
      await button.click();
      assertEquals(await button.getAttribute("aria-pressed"), "true", "no optimistic flip");
      release();
      await status.filter({ hasText: "Not saved" }).waitFor();
      assertEquals(await button.getAttribute("aria-pressed"), "false", "not rolled back");
      assertStringIncludes((await status.textContent())!, "Something went wrong on our side");
      assertEquals(await status.getAttribute("aria-live"), "polite");
      assert(await status.isVisible());
      assertEquals(await dayStatus(setup, setup.meditate), undefined);

      // A network failure rolls back too; the next successful tap clears the message.
      await page.unroute("**/api/habits/*/checkins");
      await page.route("**/api/habits/*/checkins", (route) => route.abort("failed"), { times: 1 });
      await button.click();
      await status.filter({ hasText: "Not saved" }).waitFor();
      assertEquals(await button.getAttribute("aria-pressed"), "false");
      const saved = page.waitForResponse("**/api/habits/*/checkins");
      await button.click();
      assertEquals((await saved).status(), 200);
      assertEquals(await status.textContent(), "");
      assertEquals(await dayStatus(setup, setup.meditate), "done");

      assertEquals(errors.filter((e) => !e.includes("net::ERR_FAILED")), [], "console errors");
      await context.close();
    }),
});

Deno.test({
  name: "check-in toggle in Chromium with JavaScript off: the form post checks in and comes back",
  ignore: skipBrowserTests(),
  fn: () =>
    withApp(async (setup) => {
      const context = await signedIn(setup, { javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(`${setup.origin}/app`);
      const button = toggle(page, setup.meditate).locator("button");
      assertEquals(await button.getAttribute("aria-pressed"), "false");
      await Promise.all([page.waitForEvent("load"), button.click()]);
      await page.locator(`form.checkin[action="/habits/${setup.meditate.id}/checkin"] button[aria-pressed="true"]`)
        .waitFor();
      assertEquals(await dayStatus(setup, setup.meditate), "done");

      // Tapping again clears the day.
      await Promise.all([page.waitForEvent("load"), button.click()]);
      await page.locator(`form.checkin[action="/habits/${setup.meditate.id}/checkin"] button[aria-pressed="false"]`)
        .waitFor();
      assertEquals(await dayStatus(setup, setup.meditate), undefined);

      // A numeric amount with JavaScript off.
      const read = toggle(page, setup.read);
      await read.locator("input[name=value]").fill("7");
      await Promise.all([page.waitForEvent("load"), read.locator("button").click()]);
      assertEquals(await toggle(page, setup.read).locator("input[name=value]").inputValue(), "7");
      // Back to the same habit on the page, with a confirmation.
      assertEquals(page.url(), `${setup.origin}/app#habit-${setup.read.id}`);
      assertEquals(
        await page.locator("p.flash[role=status]").textContent(),
        `Read, ${formatDay(localDay("UTC"))}: 7 of 20 pages.`,
      );
      // Chromium still fetches the modulepreload hints; what matters is that nothing ran.
      assertEquals(
        await page.evaluate(() => (document.querySelector("form.checkin") as unknown as { l?: object }).l),
        undefined,
      );
      await context.close();
    }),
});
