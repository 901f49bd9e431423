/**
 * Account control through the JSON API (API.md "Account"): password policy, change
 * password, sessions (list, revoke one, log out everywhere), forgot/reset password by
 * e-mail (no enumeration, single use, one hour, secrets hashed and never logged), and
 * the rate limits of each.
 */
import { assert, assertEquals, assertMatch } from "@/tests/support/assert.ts";
import { markEmailSent } from "@/db/email_outbox.ts";
import { closePasswordWorkers, passwordVerificationCount } from "@/lib/auth/password.ts";
import { sha256Hex } from "@/lib/auth/secret.ts";
import type { Db } from "@/db/client.ts";
import { setLogLevel, setLogSink } from "@/lib/log.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { json } from "@/tests/support/api.ts";
import { resetRateLimits } from "@/tests/support/rate_limits.ts";

const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "purple elephant umbrella orbit";

type App = Awaited<ReturnType<typeof startTestApp>>;

/**
 * JSON requests as a browser (cookie + Origin) or a script would send them; each from its
 * own IP unless told, so only the per-user and per-e-mail budgets apply. Steps start with
 * fresh budgets; the last step tests the budgets themselves.
 */
function client(test: App) {
  const origin = test.services.config.appOrigin;
  let ip = 0;
  const request = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    test.app.request(path, {
      method,
      headers: {
        Origin: origin,
        "X-Forwarded-For": headers["X-Forwarded-For"] ?? `10.7.${ip >> 8}.${ip++ & 255}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const cookieOf = (res: Response) => res.headers.get("set-cookie")!.split(";")[0];
  return {
    request,
    async signUp(email: string, password = PASSWORD) {
      const res = await request("POST", "/api/auth/signup", { email, password }, {
        "User-Agent": "Signup-Browser/1.0",
      });
      const { user } = await json(res, 201);
      return { id: user.id as string, cookie: cookieOf(res) };
    },
    async logIn(email: string, password = PASSWORD, userAgent = "Firefox/140 (test)") {
      const res = await request("POST", "/api/auth/login", { email, password }, { "User-Agent": userAgent });
      await json(res, 200);
      return cookieOf(res);
    },
    me: (cookie: string) => request("GET", "/api/me", undefined, { Cookie: cookie }),
  };
}

/** The db with every statement counted (tagged and `unsafe`), for "the same work" checks. */
function countStatements(db: Db) {
  let count = 0;
  const sql = new Proxy(db.sql, {
    apply(target, self, args) {
      count++;
      return Reflect.apply(target, self, args);
    },
    get(target, prop) {
      if (prop === "unsafe") {
        return (...args: Parameters<typeof target.unsafe>) => {
          count++;
          return target.unsafe(...args);
        };
      }
      return Reflect.get(target, prop);
    },
  });
  const counted = new Proxy(db, { get: (target, prop) => prop === "sql" ? sql : Reflect.get(target, prop) });
  return { db: counted, count: () => count };
}

Deno.test("account API: passwords, sessions, reset by e-mail", async (t) => {
  // Generous KV deadline: these tests are about budgets, not a loaded machine's latency.
  await using test = await startTestApp({ config: { trustProxy: true, smtpUrl: "smtp://127.0.0.1:9" } });
  const { services } = test;
  const { db } = services;
  const api = client(test);

  try {
    await t.step("weak or common passwords are refused with the estimator's reason, at sign-up", async () => {
      await resetRateLimits(services.kv);
      for (const password of ["password", "12345678", "        ", "qwertyuiop", "weak@example.test", "aaaaaaaaaaaa"]) {
        const res = await api.request("POST", "/api/auth/signup", { email: "weak@example.test", password });
        const { error } = await json(res, 400);
        assertEquals(error.code, "validation_failed");
        assert(
          error.details.fields.password.length > 10,
          `${JSON.stringify(password)}: ${error.details.fields.password}`,
        );
      }
      const { error } = await json(
        await api.request("POST", "/api/auth/signup", { email: "nope", password: "password" }),
        400,
      );
      assertEquals(Object.keys(error.details.fields).sort(), ["email", "password"], "every problem at once");
      const [{ n }] = await db.sql`select count(*)::int as n from users where email = 'weak@example.test'`;
      assertEquals(n, 0);
    });

    const ann = await api.signUp("ann@example.test");

    await t.step("sessions: listed with created, last seen, user agent and which one is this", async () => {
      await resetRateLimits(services.kv);
      const phone = await api.logIn("ann@example.test", PASSWORD, "Phone-Browser/2.0");
      const { sessions } = await json(await api.request("GET", "/api/sessions", undefined, { Cookie: phone }), 200);
      assertEquals(sessions.length, 2);
      const current = sessions.find((s: { current: boolean }) => s.current);
      assertEquals(current.userAgent, "Phone-Browser/2.0");
      assertEquals(sessions.filter((s: { current: boolean }) => s.current).length, 1);
      for (const session of sessions) {
        assertMatch(session.id, /^[0-9a-f-]{36}$/);
        assert(Date.parse(session.createdAt) <= Date.parse(session.lastSeenAt) + 1000);
        assertEquals(Object.keys(session).sort(), ["createdAt", "current", "id", "lastSeenAt", "userAgent"]);
      }
      const hashes = await db.sql`select id_hash from sessions where user_id = ${ann.id}`;
      for (const { id_hash } of hashes) {
        assert(!sessions.some((s: { id: string }) => s.id === id_hash), "the cookie's hash never leaves");
      }
    });

    await t.step("sessions: revoke one (another's or unknown → 404); it stops working at once", async () => {
      await resetRateLimits(services.kv);
      const laptop = await api.logIn("ann@example.test", PASSWORD, "Laptop/1");
      const { sessions } = await json(
        await api.request("GET", "/api/sessions", undefined, { Cookie: ann.cookie }),
        200,
      );
      const target = sessions.find((s: { userAgent: string }) => s.userAgent === "Laptop/1");
      assertEquals((await api.me(laptop)).status, 200);
      const bob = await api.signUp("bob@example.test");
      await json(await api.request("DELETE", `/api/sessions/${target.id}`, undefined, { Cookie: bob.cookie }), 404);
      await json(await api.request("DELETE", "/api/sessions/not-a-uuid", undefined, { Cookie: ann.cookie }), 404);
      await json(
        await api.request("DELETE", `/api/sessions/${crypto.randomUUID()}`, undefined, { Cookie: ann.cookie }),
        404,
      );
      assertEquals((await api.me(laptop)).status, 200, "a refused revocation changed nothing");
      const res = await api.request("DELETE", `/api/sessions/${target.id}`, undefined, { Cookie: ann.cookie });
      assertEquals(res.status, 204);
      assertEquals((await api.me(laptop)).status, 401);
      assertEquals((await api.me(ann.cookie)).status, 200);
      const [{ n }] = await db.sql`
        select count(*)::int as n from activity where user_id = ${ann.id} and action = 'session.revoked'`;
      assertEquals(n, 1);
    });

    await t.step("change password: wrong current → 400 naming it; weak → 400 with the reason", async () => {
      await resetRateLimits(services.kv);
      const wrong = await api.request("POST", "/api/account/password", {
        currentPassword: "not my password at all",
        newPassword: NEW_PASSWORD,
      }, { Cookie: ann.cookie });
      assertEquals(Object.keys((await json(wrong, 400)).error.details.fields), ["currentPassword"]);
      const weak = await api.request("POST", "/api/account/password", {
        currentPassword: PASSWORD,
        newPassword: "password1",
      }, { Cookie: ann.cookie });
      const { error } = await json(weak, 400);
      assert(error.details.fields.newPassword);
      assertEquals(error.details.fields.password, error.details.fields.newPassword, "API.md names it password");
      const own = await api.request("POST", "/api/account/password", {
        currentPassword: PASSWORD,
        newPassword: "ann@example.test!",
      }, { Cookie: ann.cookie });
      await json(own, 400);
    });

    await t.step("change password: 204; every other session ends, this one and API tokens stay", async () => {
      await resetRateLimits(services.kv);
      const other = await api.logIn("ann@example.test");
      const { secret } = await json(
        await api.request("POST", "/api/tokens", { name: "script" }, { Cookie: ann.cookie }),
        201,
      );
      const bearer = { Authorization: `Bearer ${secret}` };
      assertEquals((await api.me(other)).status, 200);
      const res = await api.request("POST", "/api/account/password", {
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
      }, { Cookie: ann.cookie });
      assertEquals(res.status, 204);
      assertEquals((await api.me(other)).status, 401);
      assertEquals((await api.me(ann.cookie)).status, 200);
      assertEquals((await api.request("GET", "/api/me", undefined, bearer)).status, 200);
      const [{ n }] = await db.sql`select count(*)::int as n from sessions where user_id = ${ann.id}`;
      assertEquals(n, 1);
      await json(await api.request("POST", "/api/auth/login", { email: "ann@example.test", password: PASSWORD }), 401);
      await api.logIn("ann@example.test", NEW_PASSWORD);
      // Through a token there is no "this" session: all end.
      const res2 = await api.request("POST", "/api/account/password", {
        currentPassword: NEW_PASSWORD,
        newPassword: PASSWORD,
      }, bearer);
      assertEquals(res2.status, 204);
      assertEquals((await api.me(ann.cookie)).status, 401);
      ann.cookie = await api.logIn("ann@example.test", PASSWORD);
    });

    await t.step("log out everywhere: 204, every session ends (this one too), tokens stay", async () => {
      await resetRateLimits(services.kv);
      const second = await api.logIn("ann@example.test");
      const { secret } = await json(
        await api.request("POST", "/api/tokens", { name: "cli" }, { Cookie: ann.cookie }),
        201,
      );
      const res = await api.request("POST", "/api/auth/logout-all", undefined, { Cookie: ann.cookie });
      assertEquals(res.status, 204);
      assertMatch(res.headers.get("set-cookie")!, /Max-Age=0/);
      assertEquals((await api.me(ann.cookie)).status, 401);
      assertEquals((await api.me(second)).status, 401);
      assertEquals(
        (await api.request("GET", "/api/me", undefined, { Authorization: `Bearer ${secret}` })).status,
        200,
      );
      ann.cookie = await api.logIn("ann@example.test");
    });

    await t.step(
      "forgot password: 202 for any address, after the same work; the e-mail only for an account",
      async () => {
        const counted = countStatements(db);
        services.db = counted.db;
        try {
          const work = async (email: string) => {
            const statements = counted.count();
            const verifications = passwordVerificationCount();
            const res = await api.request("POST", "/api/auth/password-reset", { email });
            const body = await json(res, 202);
            return {
              body,
              statements: counted.count() - statements,
              hashing: passwordVerificationCount() - verifications,
            };
          };
          const known = await work("  ANN@example.test ");
          const unknown = await work("nobody@example.test");
          assert(known.statements >= 1, "statements are counted");
          assertEquals(unknown, known, "same answer, same statements, same hashing");
        } finally {
          services.db = db;
        }
        const mails = await db.sql`select to_address, subject, body from email_outbox order by created_at`;
        assertEquals(mails.length, 1, "no e-mail for an address without an account");
        assertEquals(mails[0].to_address, "ann@example.test");
        assertMatch(mails[0].body, /\/reset-password\?token=[A-Za-z0-9_-]{43}\n/);
      },
    );

    const tokenOfLastMail = async () => {
      const [mail] = await db.sql`select body from email_outbox where body <> '' order by created_at desc limit 1`;
      return /token=([A-Za-z0-9_-]+)/.exec(mail.body)![1];
    };

    await t.step("the link's secret is stored hashed only, and the outbox blanks the e-mail once sent", async () => {
      await resetRateLimits(services.kv);
      const token = await tokenOfLastMail();
      const [reset] = await db.sql`
        select token_hash, extract(epoch from expires_at - created_at)::int as ttl from password_resets`;
      assertEquals(reset.token_hash, await sha256Hex(token));
      assertEquals(reset.ttl, 3600, "valid for one hour");
      const dump = JSON.stringify(await db.sql`select * from password_resets`);
      assert(!dump.includes(token));
      const [mail] = await db.sql`select id from email_outbox`;
      await markEmailSent(db, mail.id, new Date());
      const [after] = await db.sql`select body, sent_at from email_outbox where id = ${mail.id}`;
      assertEquals(after.body, "");
      assert(after.sent_at);
    });

    await t.step(
      "reset: the link works once, for an hour; every session ends; the old password no longer works",
      async () => {
        const lines: string[] = [];
        const restore = setLogSink((_level, line) => lines.push(line));
        setLogLevel("debug");
        try {
          await json(await api.request("POST", "/api/auth/password-reset", { email: "ann@example.test" }), 202);
          const token = await tokenOfLastMail();
          const weak = await api.request("POST", "/api/auth/password-reset/confirm", {
            token,
            newPassword: "12345678",
          });
          assert((await json(weak, 400)).error.details.fields.password);
          const other = await api.logIn("ann@example.test");
          const res = await api.request("POST", "/api/auth/password-reset/confirm", {
            token,
            newPassword: NEW_PASSWORD,
          });
          assertEquals(res.status, 204);
          assertEquals((await api.me(ann.cookie)).status, 401);
          assertEquals((await api.me(other)).status, 401);
          await json(
            await api.request("POST", "/api/auth/login", { email: "ann@example.test", password: PASSWORD }),
            401,
          );
          ann.cookie = await api.logIn("ann@example.test", NEW_PASSWORD);
          const again = await api.request("POST", "/api/auth/password-reset/confirm", { token, newPassword: PASSWORD });
          assert((await json(again, 400)).error.details.fields.token, "single use");
          assert(!lines.some((line) => line.includes(token)), "the secret never reaches a log line");
        } finally {
          restore();
          setLogLevel("warn");
        }

        await json(await api.request("POST", "/api/auth/password-reset", { email: "ann@example.test" }), 202);
        const older = await tokenOfLastMail();
        await json(await api.request("POST", "/api/auth/password-reset", { email: "ann@example.test" }), 202);
        const newer = await tokenOfLastMail();
        const replaced = await api.request("POST", "/api/auth/password-reset/confirm", {
          token: older,
          newPassword: PASSWORD,
        });
        assert((await json(replaced, 400)).error.details.fields.token, "a newer request replaces the older link");
        await db.sql`update password_resets set expires_at = now() - interval '1 second'`;
        const expired = await api.request("POST", "/api/auth/password-reset/confirm", {
          token: newer,
          newPassword: PASSWORD,
        });
        assert((await json(expired, 400)).error.details.fields.token, "an hour, no more");
      },
    );

    await t.step("rate limits: reset 3 per e-mail and 5 per IP; confirm 10 per IP; change 5 per user", async () => {
      await resetRateLimits(services.kv);
      const statuses = async (n: number, send: (i: number) => Response | Promise<Response>) => {
        const out: number[] = [];
        for (let i = 0; i < n; i++) {
          const res = await send(i);
          out.push(res.status);
          await res.body?.cancel();
        }
        return out;
      };
      assertEquals(
        await statuses(4, () => api.request("POST", "/api/auth/password-reset", { email: "Limit@example.test" })),
        [202, 202, 202, 429],
      );
      assertEquals(
        await statuses(6, (i) =>
          api.request("POST", "/api/auth/password-reset", { email: `ip${i}@example.test` }, {
            "X-Forwarded-For": "192.0.2.77",
          })),
        [202, 202, 202, 202, 202, 429],
      );
      assertEquals(
        (await statuses(
          11,
          () =>
            api.request("POST", "/api/auth/password-reset/confirm", {
              token: "x".repeat(43),
              newPassword: NEW_PASSWORD,
            }, {
              "X-Forwarded-For": "192.0.2.78",
            }),
        )).at(-1),
        429,
      );
      const changes = await statuses(6, () =>
        api.request("POST", "/api/account/password", {
          currentPassword: "wrong wrong wrong",
          newPassword: NEW_PASSWORD,
        }, { Cookie: ann.cookie }));
      assertEquals(changes, [400, 400, 400, 400, 400, 429]);
      const deletions = await statuses(
        6,
        () => api.request("DELETE", "/api/account", { password: "wrong wrong wrong" }, { Cookie: ann.cookie }),
      );
      assertEquals(deletions, [400, 400, 400, 400, 400, 429]);
    });

    await t.step("without SMTP_URL, reset is unavailable: 503, nothing written", async () => {
      await resetRateLimits(services.kv);
      services.config.smtpUrl = undefined;
      try {
        const before = await db.sql`select count(*)::int as n from password_resets`;
        const { error } = await json(
          await api.request("POST", "/api/auth/password-reset", { email: "ann@example.test" }),
          503,
        );
        assertMatch(error.message, /not available on this server/);
        assertEquals(await db.sql`select count(*)::int as n from password_resets`, before);
      } finally {
        services.config.smtpUrl = "smtp://127.0.0.1:9";
      }
    });
  } finally {
    closePasswordWorkers();
  }
});
