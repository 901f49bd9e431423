/**
 * Account control in headless Chromium with JavaScript turned off, at phone width, driven
 * by the keyboard where a user would type: change the password, forget it and reset it
 * through the e-mailed link, then delete the account. Real form posts through the CSRF
 * guard, real redirects.
 */
import { assert, assertEquals, assertStringIncludes } from "@/tests/support/assert.ts";
import { launchBrowser, skipBrowserTests } from "@/tests/support/browser.ts";
import { closePasswordWorkers } from "@/lib/auth/password.ts";
import { startTestApp } from "@/tests/support/app.ts";

const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "purple elephant umbrella orbit";
const RESET_PASSWORD = "seven quiet lanterns drifting";

Deno.test({
  name: "browser (no JavaScript, 390 px): change password, reset it by e-mail link, delete the account",
  ignore: skipBrowserTests(),
  fn: async () => {
    await using test = await startTestApp({ config: { smtpUrl: "smtp://127.0.0.1:9" } });
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => test.app.fetch(req));
    const base = `http://127.0.0.1:${server.addr.port}`;
    test.services.config.appOrigin = base;
    const { db } = test.services;
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
      const page = await context.newPage();

      await page.goto(`${base}/signup`);
      await page.fill("#field-email", "chromium@example.test");
      await page.fill("#field-password", PASSWORD);
      await Promise.all([page.waitForURL(`${base}/app`), page.press("#field-password", "Enter")]);

      // Settings → Security, and the password change with a mistake first.
      await page.goto(`${base}/settings`);
      await Promise.all([page.waitForURL(`${base}/settings/security`), page.click("text=Security settings")]);
      assertStringIncludes(await page.textContent("#sessions") ?? "", "This device");
      await page.fill("#field-currentPassword", "not it at all");
      await page.fill("#field-newPassword", NEW_PASSWORD);
      await Promise.all([page.waitForLoadState(), page.press("#field-newPassword", "Enter")]);
      assertEquals(await page.textContent("#field-currentPassword-error"), "This is not your current password");
      assertEquals(await page.getAttribute("#field-currentPassword", "aria-invalid"), "true");
      assertEquals(await page.inputValue("#field-newPassword"), "", "passwords are never filled back in");
      await page.fill("#field-currentPassword", PASSWORD);
      await page.fill("#field-newPassword", NEW_PASSWORD);
      await Promise.all([
        page.waitForURL(`${base}/settings/security`),
        page.press("#field-newPassword", "Enter"),
      ]);
      assertStringIncludes(await page.textContent(".flash") ?? "", "Password changed");

      // Log out everywhere, then forget the password.
      await Promise.all([
        page.waitForURL(/\/login\?done=logged-out-everywhere$/),
        page.click("text=Log out everywhere"),
      ]);
      await Promise.all([page.waitForURL(`${base}/forgot-password`), page.click("text=Forgot your password?")]);
      await page.fill("#field-email", "Chromium@Example.test");
      await Promise.all([page.waitForLoadState(), page.press("#field-email", "Enter")]);
      assertStringIncludes(await page.textContent(".notice") ?? "", "Check your inbox");
      const [mail] = await db.sql`select body from email_outbox where to_address = 'chromium@example.test'`;
      const link = /http:\/\/\S+\/reset-password\?token=\S+/.exec(mail.body)![0];
      assert(link.startsWith(base), link);

      await page.goto(link);
      await page.fill("#field-newPassword", "password");
      await Promise.all([page.waitForLoadState(), page.press("#field-newPassword", "Enter")]);
      assert(
        (await page.textContent("#field-newPassword-error"))?.length,
        "a common password is refused with a reason",
      );
      await page.fill("#field-newPassword", RESET_PASSWORD);
      await Promise.all([page.waitForURL(/\/login\?done=reset$/), page.press("#field-newPassword", "Enter")]);
      assertStringIncludes(await page.textContent(".notice") ?? "", "log in with the new one");

      await page.fill("#field-email", "chromium@example.test");
      await page.fill("#field-password", RESET_PASSWORD);
      await Promise.all([page.waitForURL(`${base}/app`), page.press("#field-password", "Enter")]);

      // Delete the account.
      await page.goto(`${base}/settings/security`);
      await page.fill("#field-password", RESET_PASSWORD);
      await Promise.all([page.waitForURL(/\/login\?done=deleted$/), page.click("text=Delete my account")]);
      assertStringIncludes(await page.textContent(".notice") ?? "", "deleted");
      await page.goto(`${base}/settings/security`);
      assertEquals(new URL(page.url()).pathname, "/login");
      const [{ n }] = await db.sql`select count(*)::int as n from users where email = 'chromium@example.test'`;
      assertEquals(n, 0);
      await context.close();
    } finally {
      await browser.close();
      await server.shutdown();
      closePasswordWorkers();
    }
  },
});
