import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser } from "@/tests/support/users.ts";
import { setLogSink } from "@/lib/log.ts";
import { rateLimitOptions } from "@/app/rate_limit/middleware.ts";

/** A KV whose calls never settle (unreachable), or always fail. */
const hangingKv = {
  get: () => new Promise(() => {}),
  atomic: () => ({ check: () => ({}), set: () => ({}), commit: () => new Promise(() => {}) }),
} as unknown as Deno.Kv;
const failingKv = { get: () => Promise.reject(new Error("kv down")), atomic: () => ({}) } as unknown as Deno.Kv;

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

Deno.test("rate limits through the real app", async (t) => {
  await using app = await startTestApp({ config: { trustProxy: true } });
  const alice = await createTestUser(app.services);
  const bob = await createTestUser(app.services);

  await t.step("limited successes carry RateLimit-Policy and RateLimit", async () => {
    const res = await app.app.request("/api/settings/save", json({}, alice.bearer));
    assert(res.status !== 429 && res.status < 500, `status ${res.status}`);
    assertEquals(res.headers.get("RateLimit-Policy"), '"settings.save";q=20;w=60');
    assertMatch(res.headers.get("RateLimit")!, /^"settings\.save";r=19;t=60$/);
    await res.body?.cancel();
  });

  await t.step("past the limit: 429 with the API.md envelope, Retry-After and both headers", async () => {
    for (let i = 0; i < 19; i++) {
      const res = await app.app.request("/api/settings/save", json({}, alice.bearer));
      assert(res.status !== 429, `request ${i + 2} was refused`);
      await res.body?.cancel();
    }
    const res = await app.app.request("/api/settings/save", json({}, alice.bearer));
    assertEquals(res.status, 429);
    assertStringIncludes(res.headers.get("content-type")!, "application/json");
    const body = await res.json();
    assertEquals(body.error.code, "rate_limited");
    const retryAfter = Number(res.headers.get("Retry-After"));
    assert(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assertEquals(res.headers.get("RateLimit-Policy"), '"settings.save";q=20;w=60');
    assertMatch(res.headers.get("RateLimit")!, /^"settings\.save";r=0;t=\d+$/);
  });

  await t.step("the HTML form post of the same action shares the budget and gets an error page", async () => {
    const res = await app.app.request("/settings", {
      method: "POST",
      headers: { ...alice.session, "content-type": "application/x-www-form-urlencoded" },
      body: "displayName=Alice",
    });
    assertEquals(res.status, 429);
    assertStringIncludes(res.headers.get("content-type")!, "text/html");
    assert(Number(res.headers.get("Retry-After")) >= 1);
    assertStringIncludes(await res.text(), "<html");
  });

  await t.step("another user's budget is separate", async () => {
    const res = await app.app.request("/api/settings/save", json({}, bob.bearer));
    assert(res.status !== 429, `status ${res.status}`);
    assertMatch(res.headers.get("RateLimit")!, /r=19/);
    await res.body?.cancel();
  });

  await t.step("a refusal further down keeps its envelope and gains the rate-limit headers", async () => {
    const res = await app.app.request("/api/settings/save", json({ timezone: "Not/AZone" }, bob.bearer));
    assertEquals(res.status, 400);
    assertMatch(res.headers.get("RateLimit")!, /^"settings\.save";r=18;/);
    const { error } = await res.json();
    assertEquals(error.code, "validation_failed");
    assertEquals(Object.keys(error.details.fields), ["timezone"]);
    const nul = await app.app.request("/api/settings/save", json({ displayName: "a\u0000" }, bob.bearer));
    assertEquals(nul.status, 400);
    assertMatch(nul.headers.get("RateLimit")!, /r=17/);
    assertEquals(Object.keys((await nul.json()).error.details.fields), ["displayName"]);
  });

  await t.step("health endpoints are never limited, and carry no rate-limit headers", async () => {
    for (let i = 0; i < 100; i++) {
      const res = await app.app.request("/api/health", { headers: { "X-Forwarded-For": "10.9.9.9" } });
      assertEquals(res.status, 200);
      assertEquals(res.headers.get("RateLimit"), null);
      await res.body?.cancel();
    }
  });

  await t.step("Stripe's webhook is never limited either (billing is off here: 503, never 429)", async () => {
    for (let i = 0; i < 70; i++) {
      const res = await app.app.request("/api/stripe/webhook", {
        method: "POST",
        body: "{}",
        headers: { "content-type": "application/json", "X-Forwarded-For": "10.9.9.8" },
      });
      assertEquals(res.status, 503);
      await res.body?.cancel();
    }
  });

  await t.step("anonymous /api requests: 60 per minute per IP, per instance", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) {
      const res = await app.app.request("/api/me", { headers: { "X-Forwarded-For": "203.0.113.7, 10.0.0.1" } });
      statuses.push(res.status);
      await res.body?.cancel();
    }
    assertEquals(statuses.filter((s) => s === 429).length, 1);
    assertEquals(statuses[60], 429);
    // The last hop is the client IP (TRUST_PROXY): another last hop has its own budget.
    const other = await app.app.request("/api/me", { headers: { "X-Forwarded-For": "203.0.113.7, 10.0.0.2" } });
    assertEquals(other.status, 401);
    assertMatch(other.headers.get("RateLimit")!, /^"anonymous";r=59;/);
  });

  await t.step(
    "login: 5 per e-mail across IPs, read by the route's own body parser (the route still sees the body)",
    async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await app.app.request(
          "/api/auth/login",
          json({ email: "Victim@Example.test", password: "wrong password 123" }, {
            "X-Forwarded-For": `198.51.100.${i}`,
          }),
        );
        statuses.push(res.status);
        await res.body?.cancel();
      }
      assertEquals(statuses, [401, 401, 401, 401, 401, 429]);
    },
  );

  await t.step("login: 10 per IP whatever the e-mail", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await app.app.request(
        "/api/auth/login",
        json({ email: `u${i}@example.test`, password: "wrong password 123" }, { "X-Forwarded-For": "192.0.2.50" }),
      );
      statuses.push(res.status);
      await res.body?.cancel();
    }
    assertEquals(statuses.slice(0, 10), Array(10).fill(401));
    assertEquals(statuses[10], 429);
  });

  await t.step("KV hanging or failing: auth fails closed (503), others fail open, both logged", async () => {
    const kv = app.services.kv;
    const lines: string[] = [];
    const restore = setLogSink((_level, line) => lines.push(line));
    rateLimitOptions.callTimeoutMs = 100;
    try {
      for (const broken of [hangingKv, failingKv]) {
        app.services.kv = broken;
        const login = await app.app.request(
          "/api/auth/login",
          json({ email: "a@example.test", password: "x" }, { "X-Forwarded-For": "192.0.2.99" }),
        );
        assertEquals(login.status, 503);
        assertEquals((await login.json()).error.code, "unavailable");
        const created = await app.app.request("/api/habits", json({ name: "Read" }, bob.bearer));
        assertEquals(created.status, 201);
        await created.body?.cancel();
      }
    } finally {
      app.services.kv = kv;
      delete rateLimitOptions.callTimeoutMs;
      restore();
    }
    assert(lines.some((line) => line.includes("rate_limit.unavailable")));
  });

  await t.step("contention past the budget is a 503 for every policy, never a request let through", async () => {
    const kv = app.services.kv;
    // Another writer commits between every read and commit of ours: every check fails.
    app.services.kv = new Proxy(kv, {
      get(target, prop) {
        if (prop === "get") {
          return async (key: Deno.KvKey) => {
            const entry = await target.get(key);
            if (key[0] === "rate_limit") await target.set(key, [], { expireIn: 60_000 });
            return entry;
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const lines: string[] = [];
    const restore = setLogSink((_level, line) => lines.push(line));
    rateLimitOptions.budgetMs = 100;
    try {
      const created = await app.app.request("/api/habits", json({ name: "Raced" }, bob.bearer));
      assertEquals(created.status, 503);
      assertEquals((await created.json()).error.code, "unavailable");
      assertEquals(created.headers.get("Retry-After"), "1");
      const list = await (await app.app.request("/api/habits", { headers: bob.bearer })).json();
      assert(!list.habits.some((h: { name: string }) => h.name === "Raced"), "the refused request wrote nothing");
    } finally {
      app.services.kv = kv;
      delete rateLimitOptions.budgetMs;
      restore();
    }
    assert(lines.some((line) => line.includes("rate_limit.busy")));
    assert(!lines.some((line) => line.includes("rate_limit.unavailable")));
  });
});
