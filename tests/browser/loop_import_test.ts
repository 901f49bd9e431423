/**
 * Loop's backup through the import form in headless Chromium, JavaScript off, at phone
 * width, by keyboard: the page says which file to pick in Loop, a refused backup shows
 * its reason at the field, and a good one imports and comes back with the count. (axe-core
 * checks /export in every scheme and width in pages_test.ts.)
 */
import { Buffer } from "node:buffer";
import { assertEquals, assertStringIncludes } from "@/tests/support/assert.ts";
import { launchBrowser, skipBrowserTests } from "@/tests/support/browser.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { buildLoopBackup, loopHabitRow, loopTimestamp } from "@/tests/support/loop_backup.ts";

const PASSWORD = "correct horse battery staple";

Deno.test({
  name: "browser (no JavaScript, 390 px, keyboard): import Loop's backup on /export",
  ignore: skipBrowserTests(),
  fn: async () => {
    await using test = await startTestApp();
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => test.app.fetch(req));
    const base = `http://127.0.0.1:${server.addr.port}`;
    test.services.config.appOrigin = base;
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      await page.goto(`${base}/signup`);
      await page.fill("#field-email", "loop@example.test");
      await page.fill("#field-password", PASSWORD);
      await Promise.all([page.waitForURL(`${base}/app`), page.press("#field-password", "Enter")]);

      await page.goto(`${base}/export`);
      assertStringIncludes(await page.textContent("main") ?? "", "Settings → Export full backup");

      const submit = async (name: string, bytes: Uint8Array) => {
        await page.setInputFiles("#import-file", {
          name,
          mimeType: "application/octet-stream",
          buffer: Buffer.from(bytes),
        });
        await page.focus("#import-file");
        await page.keyboard.press("Tab");
        // The page the form leads to (a 4xx form, or the GET after the 303), not the one still
        // shown while the upload is on its way (waitForLoadState alone can answer for that one).
        const arrived = page.waitForResponse((res) =>
          res.request().isNavigationRequest() && (res.status() < 300 || res.status() >= 400)
        );
        await page.keyboard.press("Enter");
        await arrived;
        await page.waitForLoadState();
      };

      await submit("Loop Habits Backup.db", buildLoopBackup(25, {}, "PRAGMA user_version = 26;"));
      await page.locator("#field-file", { hasText: "version 26" }).waitFor();
      assertStringIncludes(await page.textContent("#field-file") ?? "", "version 26, newer than this import reads");
      assertEquals(await page.getAttribute("#import-file", "required"), "");

      const backup = buildLoopBackup(25, {
        habits: [loopHabitRow("Meditate"), loopHabitRow("Read", { position: 1, freq_num: 3, freq_den: 7 })],
        repetitions: [
          { habit: 1, timestamp: loopTimestamp("2024-05-01"), value: 2, notes: "calm" },
          { habit: 2, timestamp: loopTimestamp("2024-05-01"), value: 3 },
        ],
      });
      await submit("Loop Habits Backup.db", backup);
      await page.locator(".flash").waitFor();
      assertEquals(new URL(page.url()).pathname, "/export");
      assertStringIncludes(await page.textContent(".flash") ?? "", "Imported 2 habits and 2 check-ins.");
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
