/**
 * Sign-up, settings and log-out in headless Chromium against the real app: the
 * timezone island fills in the browser's zone, and real form posts (whatever Origin
 * the browser sends under our Referrer-Policy) pass the CSRF guard.
 */
import { assertEquals, assertStringIncludes } from "@/tests/support/assert.ts";
import { launchBrowser, skipBrowserTests } from "@/tests/support/browser.ts";
import { closePasswordWorkers } from "@/lib/auth/password.ts";
import { startTestApp } from "@/tests/support/app.ts";

Deno.test({
  name: "browser: sign up with the detected timezone, change settings, log out",
  ignore: skipBrowserTests(),
  fn: async () => {
    await using test = await startTestApp({ config: { appOrigin: "http://127.0.0.1:0" } });
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => test.app.fetch(req));
    // The origin is only known once listening: point the CSRF check at it.
    const base = `http://127.0.0.1:${server.addr.port}`;
    test.services.config.appOrigin = base;
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ timezoneId: "Asia/Kolkata", viewport: { width: 360, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${base}/signup`);
      await page.waitForFunction(() =>
        (document.querySelector("#field-timezone") as HTMLSelectElement).value !== "UTC"
      );
      const detected = await page.$eval("#field-timezone", (el) => (el as HTMLSelectElement).value);
      assertEquals(["Asia/Kolkata", "Asia/Calcutta"].includes(detected), true, detected);
      await page.fill("#field-email", "browser@example.com");
      await page.fill("#field-password", "correct horse battery");
      await Promise.all([page.waitForURL(`${base}/app`), page.click("button[type=submit]")]);

      await page.goto(`${base}/settings`);
      assertEquals(await page.$eval("#field-timezone", (el) => (el as HTMLSelectElement).value), detected);
      await page.fill("#field-displayName", "<script>alert(1)</script>");
      await page.selectOption("#field-theme", "dark");
      await Promise.all([page.waitForURL(`${base}/settings`), page.click("text=Save settings")]);
      assertEquals(await page.textContent("p.flash[role=status]"), "Settings saved.");
      assertEquals(await page.getAttribute("html", "data-theme"), "dark");
      assertStringIncludes(await page.textContent(".page-header strong") ?? "", "<script>alert(1)</script>");

      // On a phone the navigation sits behind the header's Menu button.
      await page.click("summary:has-text('Menu')");
      await Promise.all([page.waitForURL(`${base}/`), page.click("text=Log out")]);
      await page.goto(`${base}/settings`);
      assertEquals(new URL(page.url()).pathname, "/login");
      await context.close();
    } finally {
      await browser.close();
      await server.shutdown();
      closePasswordWorkers();
    }
  },
});
