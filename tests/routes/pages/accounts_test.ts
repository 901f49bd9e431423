import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { closePasswordWorkers } from "@/lib/auth/password.ts";
import { sha256Hex } from "@/lib/auth/secret.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser } from "@/tests/support/users.ts";
import { resetRateLimits } from "@/tests/support/rate_limits.ts";

const XSS = "<script>alert(1)</script>";
const HTML = "text/html; charset=utf-8";

/** The `name=value` part of a response's session cookie. */
function cookieOf(res: Response): string {
  const header = res.headers.get("set-cookie");
  assert(header, "expected a Set-Cookie header");
  return header.split(";")[0];
}

/** The text of the field error shown for `name`, if any. */
/** The flash message cookie a form's redirect set (app/flash.ts), as `name=value`. */
function flashOf(res: Response): string {
  return res.headers.getSetCookie().find((c) => c.startsWith("cg_flash="))?.split(";")[0] ?? "";
}

function fieldError(html: string, name: string): string | undefined {
  return new RegExp(`<p class="field-error" id="field-${name}-error">([^<]*)</p>`).exec(html)?.[1];
}

Deno.test("pages: sign-up, log-in, log-out, settings", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const origin = services.config.appOrigin;
  const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin, ...headers },
      body: new URLSearchParams(fields),
    });
  const get = (path: string, cookie?: string) => app.request(path, { headers: cookie ? { Cookie: cookie } : {} });

  let cookie = "";

  try {
    await t.step(
      "the sign-up page: a form that works without JavaScript, timezone UTC until the browser says",
      async () => {
        const res = await get("/signup");
        assertEquals(res.status, 200);
        assertEquals(res.headers.get("content-type"), HTML);
        const html = await res.text();
        assertStringIncludes(html, '<form method="post" action="/signup">');
        assertStringIncludes(html, 'name="email"');
        assertStringIncludes(html, 'type="password"');
        assertStringIncludes(html, '<option value="UTC" selected>UTC</option>');
        assertStringIncludes(html, '<option value="Europe/Berlin">Berlin</option>');
        assertStringIncludes(html, '"name":"TimezoneDetect (islands/TimezoneDetect.tsx)"');
        // The zone names are sent once, as options, not again as island props.
        assertEquals(html.split("Europe/Berlin").length - 1, 1);
        assertStringIncludes(html, '"detect":true');
      },
    );

    await t.step(
      "bad input: every field's error next to it, the input kept and escaped, never the password",
      async () => {
        const res = await post("/signup", { email: `${XSS}@`, password: "pw-<i>x", timezone: "Mars/Base" });
        assertEquals(res.status, 400);
        assertEquals(res.headers.get("content-type"), HTML);
        const html = await res.text();
        assertEquals(fieldError(html, "email"), "Enter a valid e-mail address, like ann@example.com");
        assertEquals(fieldError(html, "password"), "Use at least 8 characters");
        assertEquals(fieldError(html, "timezone"), "Choose a timezone from the list, like Europe/Berlin");
        assertStringIncludes(html, 'value="&lt;script>alert(1)&lt;/script>@"');
        assertEquals(html.includes(XSS), false, "the payload is escaped");
        assertEquals(html.includes("pw-"), false, "the password is never echoed");
        assertStringIncludes(html, '<div class="error-summary" role="alert"');
        assertStringIncludes(html, '"detect":false', "the user's choice is not overwritten by detection");
      },
    );

    await t.step("sign-up → 303 to /app with the session cookie", async () => {
      const res = await post("/signup", {
        email: "Page.User@Example.com",
        password: "correct horse battery",
        timezone: "Asia/Tokyo",
      });
      assertEquals(res.status, 303);
      assertEquals(res.headers.get("location"), "/app");
      assertMatch(res.headers.get("set-cookie")!, /; HttpOnly; SameSite=Lax$/);
      cookie = cookieOf(res);
      const settings = await get("/settings", cookie);
      assertEquals(settings.status, 200);
      const html = await settings.text();
      assertStringIncludes(html, "page.user@example.com");
      assertStringIncludes(html, '<option value="Asia/Tokyo" selected>Asia/Tokyo</option>');
    });

    await t.step("signed in, the sign-up and log-in pages send you to the app", async () => {
      for (const path of ["/signup", "/login"]) {
        const res = await get(path, cookie);
        assertEquals(res.status, 303, path);
        assertEquals(res.headers.get("location"), "/app");
      }
      const next = await get("/login?next=/settings", cookie);
      assertEquals(next.headers.get("location"), "/settings");
    });

    await t.step("the e-mail taken: the form comes back with the message at the e-mail field", async () => {
      const res = await post("/signup", { email: "page.user@example.com", password: "another password" });
      assertEquals(res.status, 409);
      const html = await res.text();
      assertMatch(fieldError(html, "email")!, /already exists/);
      assertStringIncludes(html, 'value="page.user@example.com"');
    });

    await t.step("log-out: POST only; 303 to / with the cookie cleared and the session deleted", async () => {
      assertEquals((await get("/logout", cookie)).status, 405);
      const res = await post("/logout", {}, { Cookie: cookie });
      assertEquals(res.status, 303);
      assertEquals(res.headers.get("location"), "/");
      assertMatch(res.headers.get("set-cookie")!, /^cg_session=; Max-Age=0;/);
      const hash = await sha256Hex(cookie.split("=")[1]);
      assertEquals((await services.db.sql`select 1 from sessions where id_hash = ${hash}`).length, 0);
      const after = await get("/settings", cookie);
      assertEquals(after.status, 303);
      assertEquals(after.headers.get("location"), "/login?next=%2Fsettings");
    });

    await t.step("log-in: a wrong password and an unknown e-mail read the same; the e-mail is kept", async () => {
      const wrong = await post("/login", { email: "page.user@example.com", password: "wrong horse battery" });
      const unknown = await post("/login", { email: "nobody@example.com", password: "wrong horse battery" });
      assertEquals([wrong.status, unknown.status], [401, 401]);
      const [a, b] = [await wrong.text(), await unknown.text()];
      for (const html of [a, b]) {
        assertStringIncludes(html, "<li>Wrong e-mail or password</li>");
        assertEquals(html.includes("wrong horse"), false);
      }
      assertStringIncludes(a, 'value="page.user@example.com"');
      const empty = await post("/login", { email: "", password: "" });
      assertEquals(empty.status, 400);
      const html = await empty.text();
      assertEquals(fieldError(html, "email"), "Enter your e-mail address");
      assertEquals(fieldError(html, "password"), "Enter your password");
    });

    await t.step("log-in honours ?next= for local paths only, through the form", async () => {
      // Seven log-ins for one e-mail: more than the per-e-mail limit of 5 a minute allows.
      await resetRateLimits(services.kv);
      const page = await (await get("/login?next=%2Fhabits%2Fnew%3Fx%3D1")).text();
      assertStringIncludes(page, '<input type="hidden" name="next" value="/habits/new?x=1"/>');
      const cases: [string, string][] = [
        ["/habits/new?x=1", "/habits/new?x=1"],
        ["//evil.example/x", "/app"],
        ["https://evil.example/", "/app"],
        ["/\\evil.example", "/app"],
        ["javascript:alert(1)", "/app"],
        ["/login", "/app"],
      ];
      for (const [next, expected] of cases) {
        await resetRateLimits(services.kv);
        const res = await post("/login", { email: "page.user@example.com", password: "correct horse battery", next });
        assertEquals(res.status, 303, next);
        assertEquals(res.headers.get("location"), expected, next);
      }
      const viaQuery = await post("/login?next=/goals", {
        email: "page.user@example.com",
        password: "correct horse battery",
      });
      assertEquals(viaQuery.headers.get("location"), "/goals");
      cookie = cookieOf(viaQuery);
    });

    await t.step("log-in rotates the session: the cookie it came with stops working", async () => {
      await resetRateLimits(services.kv);
      const res = await post("/login", { email: "page.user@example.com", password: "correct horse battery" }, {
        Cookie: cookie,
      });
      assertEquals(res.status, 303);
      const fresh = cookieOf(res);
      assert(fresh !== cookie);
      assertEquals((await get("/settings", cookie)).status, 303);
      assertEquals((await get("/settings", fresh)).status, 200);
      cookie = fresh;
    });

    await t.step(
      "a form post with Origin: null (Referrer-Policy: no-referrer) is judged by Sec-Fetch-Site",
      async () => {
        const fields = {
          intent: "save-settings",
          displayName: "Null",
          timezone: "UTC",
          weekStart: "1",
          theme: "system",
        };
        const same = await post("/settings", fields, {
          Cookie: cookie,
          Origin: "null",
          "Sec-Fetch-Site": "same-origin",
        });
        assertEquals(same.status, 303);
        const cross = await post("/settings", { ...fields, displayName: "Cross" }, {
          Cookie: cookie,
          Origin: "null",
          "Sec-Fetch-Site": "cross-site",
        });
        assertEquals(cross.status, 403);
        const bare = await post("/settings", { ...fields, displayName: "Bare" }, { Cookie: cookie, Origin: "null" });
        assertEquals(bare.status, 403);
        const me = await (await app.request("/api/me", { headers: { Cookie: cookie } })).json();
        assertEquals(me.user.displayName, "Null");
      },
    );

    await t.step("settings: every bad field at once, each next to its field, the input kept and escaped", async () => {
      const res = await post("/settings", {
        intent: "save-settings",
        displayName: `${XSS}${"x".repeat(80)}`,
        timezone: "Nowhere/Land",
        weekStart: "9",
        theme: "neon",
        emailReminders: "on",
      }, { Cookie: cookie });
      assertEquals(res.status, 400);
      const html = await res.text();
      assertEquals(fieldError(html, "displayName"), "Use at most 80 characters");
      assertEquals(fieldError(html, "timezone"), "Choose a timezone from the list, like Europe/Berlin");
      assertEquals(fieldError(html, "weekStart"), "Choose a day from Monday (1) to Sunday (7)");
      assertEquals(fieldError(html, "theme"), "Choose system, light or dark");
      assertStringIncludes(html, `value="&lt;script>alert(1)&lt;/script>${"x".repeat(80)}"`);
      assertEquals(html.includes(XSS), false);
      assertStringIncludes(html, '<option value="Nowhere/Land" selected>Nowhere/Land</option>');
      assertMatch(html, /<input type="checkbox" id="field-emailReminders" name="emailReminders" checked/);
    });

    await t.step("settings saved → 303; the display name is shown escaped; the theme applies", async () => {
      const res = await post("/settings", {
        intent: "save-settings",
        displayName: XSS,
        timezone: "Pacific/Kiritimati",
        weekStart: "7",
        theme: "dark",
      }, { Cookie: cookie });
      assertEquals(res.status, 303);
      assertEquals(res.headers.get("location"), "/settings");
      const page = await get("/settings", `${cookie}; ${flashOf(res)}`);
      const html = await page.text();
      assertStringIncludes(html, "Settings saved.");
      assertStringIncludes(html, "<strong>&lt;script>alert(1)&lt;/script></strong>");
      assertEquals(html.includes(XSS), false);
      assertStringIncludes(html, '<html lang="en" data-theme="dark">');
      assertStringIncludes(html, '<option value="7" selected>Sunday</option>');
      assertMatch(html, /<input type="checkbox" id="field-emailReminders" name="emailReminders"(?! checked)/);
      const me = await (await app.request("/api/me", { headers: { Cookie: cookie } })).json();
      assertEquals([me.user.timezone, me.user.weekStart, me.user.theme], ["Pacific/Kiritimati", 7, "dark"]);
    });

    await t.step("settings shows the plan with a link to /upgrade", async () => {
      const html = await (await get("/settings", cookie)).text();
      assertStringIncludes(html, '<strong class="plan-badge">Free</strong>');
      assertStringIncludes(html, '<a href="/upgrade">Upgrade to Pro</a>');
    });

    await t.step("a settings form from another origin → 403, nothing saved", async () => {
      const res = await post("/settings", {
        intent: "save-settings",
        displayName: "Mallory",
        timezone: "UTC",
        weekStart: "1",
        theme: "light",
      }, { Cookie: cookie, Origin: "https://evil.example" });
      assertEquals(res.status, 403);
      const me = await (await app.request("/api/me", { headers: { Cookie: cookie } })).json();
      assertEquals(me.user.displayName, XSS);
    });

    await t.step("tokens: created with the secret shown once, listed, revoked through forms", async () => {
      const bad = await post("/settings", { intent: "create-token", name: "" }, { Cookie: cookie });
      assertEquals(bad.status, 400);
      assertEquals(fieldError(await bad.text(), "name"), "Name the token, e.g. “laptop script”");

      const res = await post("/settings", { intent: "create-token", name: `CI ${XSS}` }, { Cookie: cookie });
      assertEquals(res.status, 201);
      assertEquals(res.headers.get("cache-control"), "no-store");
      const html = await res.text();
      const secret = /id="new-token-secret" class="token-secret-value" type="text" readonly value="(cgt_[^"]+)"/i
        .exec(html)?.[1];
      assert(secret, "the new secret is on the page");
      assertStringIncludes(html, "it will not be shown again");
      assertEquals(html.includes(XSS), false);
      const api = await app.request("/api/me", { headers: { Authorization: `Bearer ${secret}` } });
      assertEquals(api.status, 200);

      const later = await (await get("/settings", cookie)).text();
      assertEquals(later.includes(secret), false, "never shown again");
      assertStringIncludes(later, "CI &lt;script>alert(1)&lt;/script>");
      const tokenId = /name="tokenId" value="([^"]+)"/.exec(later)![1];

      const bob = await createTestUser(services);
      const foreign = await post("/settings", { intent: "revoke-token", tokenId }, bob.session);
      assertEquals(foreign.status, 404);
      assertEquals(foreign.headers.get("content-type"), HTML);
      const malformed = await post("/settings", { intent: "revoke-token", tokenId: "nope" }, { Cookie: cookie });
      assertEquals(malformed.status, 404);

      const revoked = await post("/settings", { intent: "revoke-token", tokenId }, { Cookie: cookie });
      assertEquals(revoked.status, 303);
      assertEquals(revoked.headers.get("location"), "/settings#tokens");
      assertEquals((await app.request("/api/me", { headers: { Authorization: `Bearer ${secret}` } })).status, 401);
      const after = await (await get("/settings", `${cookie}; ${flashOf(revoked)}`)).text();
      assertStringIncludes(after, "Token revoked.");
      assertStringIncludes(after, "No tokens yet.");
    });
  } finally {
    closePasswordWorkers();
  }
});
