/**
 * The account pages with JavaScript off: `/settings/security` (change password, sessions,
 * log out everywhere, delete account), `/forgot-password` and `/reset-password`. Plain
 * form posts and 303 redirects; a failed form comes back with each error next to its
 * field (and the summary linking to it), the user's input kept, passwords never echoed.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { closePasswordWorkers } from "@/lib/auth/password.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { fieldError, flashCookie, html, shownFlash } from "@/tests/support/pages.ts";
import { resetRateLimits } from "@/tests/support/rate_limits.ts";

const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "purple elephant umbrella orbit";
const XSS = "<script>alert(1)</script>";

Deno.test("account pages without JavaScript", async (t) => {
  await using test = await startTestApp({ config: { smtpUrl: "smtp://127.0.0.1:9" } });
  const { app, services } = test;
  const { db } = services;
  const origin = services.config.appOrigin;
  const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin, ...headers },
      body: new URLSearchParams(fields),
    });
  const get = (path: string, cookie?: string) => app.request(path, { headers: cookie ? { Cookie: cookie } : {} });
  const cookieOf = (res: Response) => res.headers.get("set-cookie")!.split(";")[0];
  const logIn = async (password = PASSWORD, userAgent = "Page-Browser/1") => {
    const res = await post("/login", { email: "page@example.test", password }, { "User-Agent": userAgent });
    assertEquals(res.status, 303, await res.text());
    return cookieOf(res);
  };
  const redirect = (res: Response, location: string) => {
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), location);
  };

  const signup = await post("/signup", { email: "page@example.test", password: PASSWORD }, { "User-Agent": XSS });
  redirect(signup, "/app");
  let cookie = cookieOf(signup);

  try {
    await t.step("sign-up refuses a common password with the reason next to the field", async () => {
      const page = await html(await post("/signup", { email: "weak@example.test", password: "password1" }), 400);
      assertMatch(fieldError(page, "password") ?? "", /password/i);
      assertStringIncludes(page, 'value="weak@example.test"');
      assert(!page.includes('value="password1"'), "the password is never echoed");
    });

    await t.step("/settings links to /settings/security, which lists this device and the others", async () => {
      assertStringIncludes(await html(await get("/settings", cookie), 200), 'href="/settings/security"');
      const other = await logIn(PASSWORD, "Other-Browser/9");
      const page = await html(await get("/settings/security", cookie), 200);
      assertStringIncludes(page, "This device");
      assertStringIncludes(page, "Other-Browser/9");
      assertStringIncludes(page, "&lt;script>alert(1)&lt;/script>", "the user agent is escaped");
      assert(!page.includes(XSS));
      assertStringIncludes(page, 'action="/settings/security/password"');
      assertStringIncludes(page, 'action="/settings/security/delete"');
      assertStringIncludes(page, 'name="intent" value="logout-all"');
      assertEquals((await get("/api/me", other)).status, 200);
      const signedOut = await get("/settings/security");
      redirect(signedOut, "/login?next=%2Fsettings%2Fsecurity");
    });

    await t.step("sign out another device from the list", async () => {
      const page = await html(await get("/settings/security", cookie), 200);
      const ids = [...page.matchAll(/name="sessionId" value="([0-9a-f-]{36})"/g)].map((m) => m[1]);
      assertEquals(ids.length, 2);
      const [{ id: otherId }] = await db.sql`
        select public_id::text as id from sessions where user_agent = 'Other-Browser/9'`;
      const revoked = await post("/settings/security", { intent: "revoke-session", sessionId: otherId }, {
        Cookie: cookie,
      });
      redirect(revoked, "/settings/security#sessions");
      const after = await html(await get("/settings/security", `${cookie}; ${flashCookie(revoked)}`), 200);
      assertEquals(shownFlash(after), "That device is signed out.");
      assert(!after.includes("Other-Browser/9"));
      const unknown = await post("/settings/security", { intent: "revoke-session", sessionId: crypto.randomUUID() }, {
        Cookie: cookie,
      });
      assertEquals(unknown.status, 404);
      await unknown.body?.cancel();
    });

    await t.step("change password: errors next to their fields; success keeps this device signed in", async () => {
      await resetRateLimits(services.kv);
      const wrong = await html(
        await post("/settings/security/password", { currentPassword: "nope nope", newPassword: NEW_PASSWORD }, {
          Cookie: cookie,
        }),
        400,
      );
      assertEquals(fieldError(wrong, "currentPassword"), "This is not your current password");
      assertStringIncludes(wrong, 'href="#field-currentPassword"');
      const weak = await html(
        await post("/settings/security/password", { currentPassword: PASSWORD, newPassword: "12345678" }, {
          Cookie: cookie,
        }),
        400,
      );
      assert(fieldError(weak, "newPassword"), "the reason is next to the new password");
      assert(!weak.includes('value="12345678"'));
      const other = await logIn();
      const changed = await post("/settings/security/password", {
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
      }, { Cookie: cookie });
      redirect(changed, "/settings/security");
      assertEquals(
        shownFlash(await html(await get("/settings/security", `${cookie}; ${flashCookie(changed)}`), 200)),
        "Password changed. Every other device is signed out.",
      );
      assertEquals((await get("/api/me", other)).status, 401);
      redirect(await get("/settings/security/password", cookie), "/settings/security#password");
    });

    await t.step("log out everywhere: back to the log-in page, signed out here and elsewhere", async () => {
      await resetRateLimits(services.kv);
      const other = await logIn(NEW_PASSWORD);
      const res = await post("/settings/security", { intent: "logout-all" }, { Cookie: cookie });
      redirect(res, "/login?done=logged-out-everywhere");
      assertMatch(res.headers.get("set-cookie")!, /Max-Age=0/);
      assertEquals((await get("/api/me", cookie)).status, 401);
      assertEquals((await get("/api/me", other)).status, 401);
      assertStringIncludes(
        await html(await get("/login?done=logged-out-everywhere"), 200),
        "You are signed out everywhere.",
      );
      cookie = await logIn(NEW_PASSWORD);
    });

    await t.step("forgot password: the same page for any address; the link opens the reset form", async () => {
      await resetRateLimits(services.kv);
      const login = await html(await get("/login"), 200);
      assertStringIncludes(login, 'href="/forgot-password"');
      const form = await html(await get("/forgot-password"), 200);
      assertStringIncludes(form, '<form method="post" action="/forgot-password">');
      const known = await html(await post("/forgot-password", { email: "Page@Example.test" }), 200);
      const unknown = await html(await post("/forgot-password", { email: "page@example.test.invalid" }), 200);
      for (const page of [known, unknown]) assertStringIncludes(page, "Check your inbox");
      const bad = await html(await post("/forgot-password", { email: XSS }), 400);
      assert(fieldError(bad, "email"));
      assert(!bad.includes(XSS));
      const [mail] = await db.sql`select body from email_outbox`;
      const token = /token=([A-Za-z0-9_-]+)/.exec(mail.body)![1];

      const dead = await html(await get("/reset-password?token=not-a-real-token-at-all-0000"), 400);
      assertStringIncludes(dead, 'href="/forgot-password"');
      const page = await html(await get(`/reset-password?token=${token}`), 200);
      assertStringIncludes(page, `name="token" value="${token}"`);
      const weak = await html(await post("/reset-password", { token, newPassword: "password" }), 400);
      assert(fieldError(weak, "newPassword"));
      assertStringIncludes(weak, `name="token" value="${token}"`, "the link is kept for the next try");
      const res = await post("/reset-password", { token, newPassword: PASSWORD });
      redirect(res, "/login?done=reset");
      assertEquals((await get("/api/me", cookie)).status, 401, "every session ended");
      assertStringIncludes(await html(await get("/login?done=reset"), 200), "log in with the new one");
      const used = await html(await post("/reset-password", { token, newPassword: PASSWORD }), 400);
      assertStringIncludes(used, 'href="/forgot-password"');
      cookie = await logIn(PASSWORD);
    });

    await t.step("without SMTP_URL both pages say reset is unavailable on this server", async () => {
      services.config.smtpUrl = undefined;
      try {
        for (const path of ["/forgot-password", "/reset-password?token=x"]) {
          assertStringIncludes(await html(await get(path), 200), "not available on this server");
        }
        assertStringIncludes(
          await html(await post("/forgot-password", { email: "page@example.test" }), 503),
          "not available on this server",
        );
      } finally {
        services.config.smtpUrl = "smtp://127.0.0.1:9";
      }
    });

    await t.step("delete account: wrong password → the form with its error; right one → signed out, gone", async () => {
      await resetRateLimits(services.kv);
      const wrong = await html(
        await post("/settings/security/delete", { password: "nope nope" }, { Cookie: cookie }),
        400,
      );
      assertEquals(fieldError(wrong, "password"), "This is not your password");
      const res = await post("/settings/security/delete", { password: PASSWORD }, { Cookie: cookie });
      redirect(res, "/login?done=deleted");
      assertMatch(res.headers.get("set-cookie")!, /Max-Age=0/);
      assertEquals((await db.sql`select count(*)::int as n from users where email = 'page@example.test'`)[0].n, 0);
      redirect(await get("/settings/security", cookie), "/login?next=%2Fsettings%2Fsecurity");
      assertStringIncludes(await html(await get("/login?done=deleted"), 200), "Your account and everything in it");
    });
  } finally {
    closePasswordWorkers();
  }
});
