/**
 * The dashboard's amount box shows a five-digit amount whole (issue 9, item 10), on a
 * phone and a desktop. A box as narrow as it used to be is measured too, so the check is
 * seen to catch a cut value.
 */
import { assertEquals } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { launchBrowser, serveOnLoopback, signedInContext, skipBrowserTests } from "@/tests/support/browser.ts";
import { createTestUser } from "@/tests/support/users.ts";
import { createHabit } from "@/db/habits.ts";
import { localDay } from "@/domain/calendar.ts";
import type { Page } from "playwright-core";

/** Whether the box's text is wider than the box (an input scrolls its text when it does not fit). */
function cut(page: Page): Promise<boolean> {
  return page.$eval(".checkin-value", (el) => el.scrollWidth > el.clientWidth);
}

Deno.test({
  name: "the amount box fits 12345.5 on a phone and a desktop",
  ignore: skipBrowserTests(),
  sanitizeResources: false,
  fn: async () => {
    await using test = await startTestApp();
    await using server = serveOnLoopback(test.app.fetch);
    const user = await createTestUser(test.services);
    await createHabit(
      test.services.db,
      user.id,
      { name: "Steps", kind: "numeric", target: 10000, unit: "steps" },
      localDay("UTC"),
    );
    const browser = await launchBrowser();
    try {
      for (const viewport of [{ width: 320, height: 700 }, { width: 390, height: 844 }, { width: 1280, height: 800 }]) {
        const context = await signedInContext(browser, server.origin, user.session, { viewport });
        const page = await context.newPage();
        await page.goto(`${server.origin}/app`);
        await page.fill(".checkin-value", "12345.5");
        assertEquals(await cut(page), false, `${viewport.width} px`);
        await page.addStyleTag({ content: ".checkin-value { width: 3.75rem !important; }" });
        assertEquals(await cut(page), true, `the old width at ${viewport.width} px`);
        await context.close();
      }
    } finally {
      await browser.close();
    }
  },
});
