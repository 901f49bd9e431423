import { assert, assertEquals, assertMatch } from "@/tests/support/assert.ts";
import { sha256Hex } from "@/lib/auth/secret.ts";
import { closePasswordWorkers, passwordVerificationCount } from "@/lib/auth/password.ts";
import { invalidateUser } from "@/app/cache/invalidate.ts";
import { startTestApp } from "@/tests/support/app.ts";

/** The `name=value` part of a response's session cookie. */
function cookieOf(res: Response): string {
  const header = res.headers.get("set-cookie");
  assert(header, "expected a Set-Cookie header");
  return header.split(";")[0];
}

Deno.test("API: sign-up, log-in, log-out", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const origin = services.config.appOrigin;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: origin, ...headers },
      body: JSON.stringify(body),
    });
  const me = (cookie: string) => app.request("/api/me", { headers: { Cookie: cookie } });
  const activity = async (action: string, userId: string) =>
    (await services.db.sql`select count(*)::int as n from activity where user_id = ${userId} and action = ${action}`)[0]
      .n;

  let cookie = "";
  let userId = "";

  try {
    await t.step("sign-up → 201 {user} with a session cookie; the password is stored as argon2id", async () => {
      const res = await post("/api/auth/signup", {
        email: "  Ann@Example.COM ",
        password: "correct horse battery",
        timezone: "Europe/Berlin",
      });
      assertEquals(res.status, 201);
      assertEquals(res.headers.get("content-type"), "application/json");
      const { user } = await res.json();
      assertEquals(user.email, "ann@example.com");
      assertEquals([user.displayName, user.timezone, user.weekStart, user.theme, user.plan], [
        null,
        "Europe/Berlin",
        1,
        "system",
        "free",
      ]);
      assertMatch(user.id, /^[0-9a-f-]{36}$/);
      assertMatch(user.today, /^\d{4}-\d{2}-\d{2}$/);
      userId = user.id;
      const setCookie = res.headers.get("set-cookie")!;
      assertMatch(setCookie, /^cg_session=[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax$/);
      cookie = cookieOf(res);
      const [row] = await services.db.sql`select password_hash from users where id = ${userId}`;
      assertMatch(row.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      assertEquals(await activity("user.signed_up", userId), 1);
    });

    await t.step("the session is stored by its hash only, and signs the user in", async () => {
      const secret = cookie.split("=")[1];
      const rows = await services.db.sql`select id_hash, expires_at from sessions where user_id = ${userId}`;
      assertEquals(rows.length, 1);
      assertEquals(rows[0].id_hash, await sha256Hex(secret));
      const days = (rows[0].expires_at.getTime() - Date.now()) / 86_400_000;
      assert(days > 29.9 && days <= 30, `expires in ${days} days`);
      const res = await me(cookie);
      assertEquals(res.status, 200);
      assertEquals((await res.json()).user.email, "ann@example.com");
    });

    await t.step("sessions slide: a day-old one is extended to 30 days; an expired one signs nobody in", async () => {
      const hash = await sha256Hex(cookie.split("=")[1]);
      // Edits behind the app's back must move the user's cache version, as the app's own
      // writes do, or instances keep their 5 s memory of the session (app/auth/auth_cache.ts).
      await services.db.sql`update sessions set expires_at = now() + interval '10 days' where id_hash = ${hash}`;
      await invalidateUser(services.kv, userId);
      assertEquals((await me(cookie)).status, 200);
      const [{ expires_at }] = await services.db.sql`select expires_at from sessions where id_hash = ${hash}`;
      const days = (expires_at.getTime() - Date.now()) / 86_400_000;
      assert(days > 29.9, `extended to ${days} days`);
      await services.db.sql`update sessions set expires_at = now() - interval '1 second' where id_hash = ${hash}`;
      await invalidateUser(services.kv, userId);
      assertEquals((await me(cookie)).status, 401);
      await services.db.sql`update sessions set expires_at = now() + interval '30 days' where id_hash = ${hash}`;
    });

    await t.step("timezone is optional (UTC); every bad field is reported at once", async () => {
      const ok = await post("/api/auth/signup", { email: "bob@example.com", password: "correct horse battery staple" });
      assertEquals(ok.status, 201);
      assertEquals((await ok.json()).user.timezone, "UTC");
      const bad = await post("/api/auth/signup", { email: "not-an-email", password: "short", timezone: "Mars/Base" });
      assertEquals(bad.status, 400);
      assertEquals(bad.headers.get("content-type"), "application/json");
      const { error } = await bad.json();
      assertEquals(error.code, "validation_failed");
      assertEquals(Object.keys(error.details.fields).sort(), ["email", "password", "timezone"]);
      const long = await post("/api/auth/signup", { email: "long@example.com", password: "x".repeat(129) });
      assertEquals((await long.json()).error.details.fields.password, "Use at most 128 characters");
      const missing = await post("/api/auth/signup", {});
      assertEquals(Object.keys((await missing.json()).error.details.fields).sort(), ["email", "password"]);
    });

    await t.step("an e-mail already taken, in any case → 409, no second account", async () => {
      const res = await post("/api/auth/signup", { email: "ANN@example.com", password: "another password" });
      assertEquals(res.status, 409);
      const { error } = await res.json();
      assertEquals(error.code, "conflict");
      assertMatch(error.message, /already exists/);
      const [{ n }] = await services.db
        .sql`select count(*)::int as n from users where lower(email) = 'ann@example.com'`;
      assertEquals(n, 1);
    });

    await t.step("racing sign-ups for one address: exactly one account, the others 409", async () => {
      const emails = ["race@example.com", "RACE@example.com", "Race@Example.com", "race@EXAMPLE.com"];
      const results = await Promise.all(
        emails.map((email) => post("/api/auth/signup", { email, password: "correct horse battery" })),
      );
      const statuses = results.map((res) => res.status).sort();
      await Promise.all(results.map((res) => res.body?.cancel()));
      assertEquals(statuses, [201, 409, 409, 409]);
      const [{ n }] = await services.db
        .sql`select count(*)::int as n from users where lower(email) = 'race@example.com'`;
      assertEquals(n, 1);
    });

    await t.step("unknown e-mail and wrong password: the same 401 body", async () => {
      const unknown = await post("/api/auth/login", { email: "nobody@example.com", password: "correct horse battery" });
      const wrong = await post("/api/auth/login", { email: "ann@example.com", password: "wrong horse battery" });
      assertEquals([unknown.status, wrong.status], [401, 401]);
      assertEquals(unknown.headers.get("set-cookie"), null);
      const bodies = [await unknown.json(), await wrong.json()];
      assertEquals(bodies[0], { error: { code: "unauthorized", message: "Wrong e-mail or password" } });
      assertEquals(bodies[1], bodies[0]);
      const missing = await post("/api/auth/login", {});
      assertEquals(missing.status, 400);
      assertEquals(Object.keys((await missing.json()).error.details.fields).sort(), ["email", "password"]);
    });

    await t.step("an unknown e-mail costs a password verification too", async () => {
      // Counted, not timed: timings on a shared CI machine are noise.
      const verificationsFor = async (email: string) => {
        const before = passwordVerificationCount();
        const res = await post("/api/auth/login", { email, password: "wrong horse battery" });
        assertEquals(res.status, 401);
        return passwordVerificationCount() - before;
      };
      assertEquals(await verificationsFor("ann@example.com"), 1);
      assertEquals(await verificationsFor("nobody@example.com"), 1);
    });

    await t.step("log-in → 200 {user} and a new session; the request's old session is rotated out", async () => {
      const res = await post("/api/auth/login", { email: " ANN@example.com", password: "correct horse battery" }, {
        Cookie: cookie,
      });
      assertEquals(res.status, 200);
      assertEquals(res.headers.get("content-type"), "application/json");
      assertEquals((await res.json()).user.id, userId);
      const fresh = cookieOf(res);
      assert(fresh !== cookie);
      assertEquals((await me(cookie)).status, 401, "the old session id no longer works");
      assertEquals((await me(fresh)).status, 200);
      assertEquals(await activity("user.logged_in", userId), 1);
      cookie = fresh;
    });

    await t.step("log-out → 204, clears the cookie and deletes the session row", async () => {
      const res = await app.request("/api/auth/logout", {
        method: "POST",
        headers: { Cookie: cookie, Origin: origin },
      });
      assertEquals(res.status, 204);
      assertMatch(res.headers.get("set-cookie")!, /^cg_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Lax$/);
      const secret = cookie.split("=")[1];
      assertEquals(
        (await services.db.sql`select 1 from sessions where id_hash = ${await sha256Hex(secret)}`).length,
        0,
      );
      assertEquals((await me(cookie)).status, 401);
      assertEquals(await activity("user.logged_out", userId), 1);
      const again = await app.request("/api/auth/logout", { method: "POST" });
      assertEquals(again.status, 204);
    });

    await t.step("from another origin: log-out with the cookie and log-in alike → 403, nothing written", async () => {
      const login = await post("/api/auth/login", { email: "ann@example.com", password: "correct horse battery" });
      const session = cookieOf(login);
      const before = await services.db.sql`select count(*)::int as n from sessions where user_id = ${userId}`;
      const res = await post("/api/auth/logout", {}, { Cookie: session, Origin: "https://evil.example" });
      assertEquals(res.status, 403);
      assertEquals((await res.json()).error.code, "forbidden");
      const after = await services.db.sql`select count(*)::int as n from sessions where user_id = ${userId}`;
      assertEquals(after[0].n, before[0].n);
      assertEquals((await me(session)).status, 200);
      const forged = await post("/api/auth/login", { email: "ann@example.com", password: "correct horse battery" }, {
        Origin: "https://evil.example",
      });
      assertEquals(forged.status, 403);
      assertEquals(forged.headers.get("set-cookie"), null);
      const last = await services.db.sql`select count(*)::int as n from sessions where user_id = ${userId}`;
      assertEquals(last[0].n, before[0].n);
    });

    await t.step("/api/me: 401 without credentials", async () => {
      const res = await app.request("/api/me");
      assertEquals(res.status, 401);
      assertEquals((await res.json()).error.code, "unauthorized");
    });
  } finally {
    closePasswordWorkers();
  }
});

Deno.test("API: on an https origin the session cookie is Secure and __Host-", async () => {
  await using test = await startTestApp({ config: { appOrigin: "https://grid.example" } });
  try {
    const res = await test.app.request("/api/auth/signup", {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: "https://grid.example" },
      body: JSON.stringify({ email: "sec@example.com", password: "correct horse battery" }),
    });
    assertEquals(res.status, 201);
    assertMatch(
      res.headers.get("set-cookie")!,
      /^__Host-cg_session=[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax; Secure$/,
    );
  } finally {
    closePasswordWorkers();
  }
});
