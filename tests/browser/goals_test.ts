/**
 * The goal islands in headless Chromium against the real app on a loopback port: the
 * subgoal progress edit and the pin toggle update at once, keep what the server saved,
 * and roll back with a message when the API fails.
 */
import { assertEquals, assertStringIncludes } from "@/tests/support/assert.ts";
import { launchBrowser, skipBrowserTests } from "@/tests/support/browser.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser } from "@/tests/support/users.ts";
import { hydrated } from "@/tests/support/live_app.ts";
import type { Browser } from "playwright-core";
import { createGoal, createSubgoal, getGoal } from "@/db/goals.ts";

Deno.test({
  name: "goal islands in Chromium: optimistic progress and pin, rollback on failure",
  ignore: skipBrowserTests(),
  fn: async () => {
    let handler: (req: Request) => Response | Promise<Response> = () => new Response("starting", { status: 503 });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => handler(req));
    const origin = `http://127.0.0.1:${server.addr.port}`;
    let browser: Browser | undefined;
    try {
      await using test = await startTestApp({ config: { appOrigin: origin, logLevel: "warn" } });
      handler = test.app.fetch;
      const { db } = test.services;
      const user = await createTestUser(test.services);
      const goal = await createGoal(db, user.id, { title: "Marathon" });
      const subgoal = (await createSubgoal(db, user.id, { goalId: goal.id, title: "Shoes" }))!;
      browser = await launchBrowser();
      const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
      const [name, ...value] = user.session.Cookie.split("=");
      await context.addCookies([{ name, value: value.join("="), url: origin }]);
      const page = await context.newPage();
      await page.goto(`${origin}/goals/${goal.id}`);
      await hydrated(page, "form.subgoal-progress-form, form.goal-pin");

      // Progress: saved through the API, no navigation.
      const input = page.locator(`#progress-${subgoal.id}`);
      await input.fill("40");
      const saved = page.waitForResponse("**/api/subgoals/*");
      await page.locator("form.subgoal-progress-form button").click();
      assertEquals((await saved).status(), 200);
      await page.locator(".subgoal-progress .progress-value", { hasText: "40%" }).waitFor();
      assertEquals((await getGoal(db, user.id, goal.id))!.subgoals[0].progress, 40);

      // A failed save rolls back and says so.
      await page.route("**/api/subgoals/*", (route) =>
        route.fulfill({
          status: 500,
          contentType: "application/json",
          body: JSON.stringify({ error: { code: "internal", message: "Something went wrong on our side" } }),
        }), { times: 1 });
      await input.fill("90");
      await page.locator("form.subgoal-progress-form button").click();
      const status = page.locator(".subgoal-progress [role=status]");
      await status.filter({ hasText: "Not saved" }).waitFor();
      assertStringIncludes((await status.textContent())!, "Something went wrong on our side");
      assertEquals(await page.locator(".subgoal-progress .progress-value").textContent(), "40%");
      assertEquals(await input.inputValue(), "40");
      assertEquals((await getGoal(db, user.id, goal.id))!.subgoals[0].progress, 40);

      // Pin toggle: flips and is kept.
      const pin = page.locator("form.goal-pin button");
      const pinned = page.waitForResponse("**/api/goals/pin");
      await pin.click();
      assertEquals((await pinned).status(), 200);
      await page.locator('form.goal-pin button[aria-pressed="true"]').waitFor();
      assertEquals((await getGoal(db, user.id, goal.id))!.pinned, true);
    } finally {
      await browser?.close();
      await server.shutdown();
    }
  },
});
