/**
 * The cache through the app: `X-Cache: MISS` then `HIT` on the cached reads with
 * byte-identical bodies, every mutating route in the manifest invalidating (a new
 * mutating route without an entry in {@linkcode MUTATIONS} fails this test), and two
 * instances sharing one KV seeing each other's invalidation at once.
 */
import manifest from "@/fresh.gen.ts";
import { closePasswordWorkers, hashPassword } from "@/lib/auth/password.ts";
import { localDay } from "@/domain/calendar.ts";
import type { RouteModule } from "fresh";
import { setLogSink } from "@/lib/log.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";

type App = Awaited<ReturnType<typeof startTestApp>>["app"];

const UNSAFE = ["POST", "PUT", "PATCH", "DELETE"] as const;

/** What a mutation case gets: the app, a fresh signed-in user and one habit of theirs. */
interface Fixture {
  app: App;
  user: TestUser;
  habitId: string;
  /** Sets the user's password (test users have none that verifies), for routes that ask for it. */
  setPassword(password: string): Promise<void>;
}

/**
 * How to make one valid mutation; `exempt` says why a route changes no cached data
 * (or changes it without a signed-in user, so it calls `invalidateUser` itself).
 */
type MutationCase = ((f: Fixture) => Promise<Response>) | { exempt: string };

async function json(
  f: Fixture,
  method: string,
  path: string,
  body?: unknown,
  headers = f.user.bearer,
): Promise<Response> {
  return await f.app.request(path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function form(f: Fixture, path: string, fields: Record<string, string>): Promise<Response> {
  return await f.app.request(path, {
    method: "POST",
    headers: { ...f.user.session, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
}

const today = () => localDay("UTC");

/** Every mutating route and method → a valid request. Add a line here with each new one. */
const MUTATIONS: Record<string, Partial<Record<(typeof UNSAFE)[number], MutationCase>>> = {
  "routes/api/auth/login.ts": { POST: { exempt: "anonymous: signs in, changes no user data" } },
  "routes/api/auth/signup.ts": { POST: { exempt: "anonymous: a new user has nothing cached" } },
  "routes/api/auth/logout.ts": { POST: (f) => json(f, "POST", "/api/auth/logout", {}, f.user.session) },
  "routes/api/billing/checkout.ts": {
    POST: { exempt: "only starts a Stripe Checkout; the plan changes in the webhook (./writers_test.ts)" },
  },
  "routes/api/habits/index.ts": { POST: (f) => json(f, "POST", "/api/habits", { name: "Another" }) },
  "routes/api/habits/[id].ts": {
    PUT: (f) => json(f, "PUT", `/api/habits/${f.habitId}`, { name: "Renamed" }),
    DELETE: (f) => json(f, "DELETE", `/api/habits/${f.habitId}`),
  },
  "routes/api/habits/[id]/checkins.ts": {
    POST: (f) => json(f, "POST", `/api/habits/${f.habitId}/checkins`, { date: today(), status: "done" }),
  },
  "routes/api/import.ts": {
    POST: (f) =>
      json(f, "POST", "/api/import", {
        format: "consistencygrid-export",
        version: 1,
        habits: [{ name: "Imported", startDate: today() }],
      }),
  },
  "routes/export.tsx": {
    POST: async (f) => {
      const doc = { format: "consistencygrid-export", version: 1, habits: [{ name: "Uploaded", startDate: today() }] };
      const body = new FormData();
      body.set("file", new File([JSON.stringify(doc)], "export.json"));
      return await f.app.request("/export", { method: "POST", headers: f.user.session, body });
    },
  },
  "routes/api/goals/index.ts": { POST: (f) => json(f, "POST", "/api/goals", { title: "A goal" }) },
  "routes/api/goals/[id].ts": {
    PUT: async (f) => json(f, "PUT", `/api/goals/${await goalFor(f)}`, { title: "Renamed" }),
    DELETE: async (f) => json(f, "DELETE", `/api/goals/${await goalFor(f)}`),
  },
  "routes/api/goals/pin.ts": {
    PATCH: async (f) => json(f, "PATCH", "/api/goals/pin", { goalId: await goalFor(f), pinned: true }),
  },
  "routes/api/milestones/index.ts": {
    POST: async (f) => json(f, "POST", "/api/milestones", { goalId: await goalFor(f), title: "M" }),
  },
  "routes/api/milestones/[id].ts": {
    PATCH: async (f) => json(f, "PATCH", `/api/milestones/${await milestoneFor(f)}`, { done: true }),
    DELETE: async (f) => json(f, "DELETE", `/api/milestones/${await milestoneFor(f)}`),
  },
  "routes/api/subgoals/index.ts": {
    POST: async (f) => json(f, "POST", "/api/subgoals", { goalId: await goalFor(f), title: "S" }),
  },
  "routes/api/subgoals/[id].ts": {
    PATCH: async (f) => json(f, "PATCH", `/api/subgoals/${await subgoalFor(f)}`, { progress: 50 }),
    DELETE: async (f) => json(f, "DELETE", `/api/subgoals/${await subgoalFor(f)}`),
  },
  "routes/goals/index.tsx": { POST: (f) => form(f, "/goals", { title: "A goal" }) },
  "routes/goals/[id]/index.tsx": {
    POST: async (f) => form(f, `/goals/${await goalFor(f)}`, { intent: "subgoal-add", title: "S" }),
  },
  "routes/goals/[id]/delete.tsx": { POST: async (f) => form(f, `/goals/${await goalFor(f)}/delete`, {}) },
  "routes/goals/pin.tsx": { POST: async (f) => form(f, "/goals/pin", { goalId: await goalFor(f), pinned: "true" }) },
  "routes/api/settings/save.ts": {
    POST: (f) =>
      json(f, "POST", "/api/settings/save", {
        displayName: "Ann",
        timezone: "UTC",
        weekStart: 7,
        theme: "dark",
        emailReminders: false,
      }),
  },
  "routes/api/tokens/index.ts": { POST: (f) => json(f, "POST", "/api/tokens", { name: "laptop" }) },
  "routes/api/tokens/[id].ts": {
    DELETE: async (f) => {
      const created = await (await json(f, "POST", "/api/tokens", { name: "old" })).json();
      await warm(f); // the create above invalidated too: start from a HIT again
      return await json(f, "DELETE", `/api/tokens/${created.token.id}`);
    },
  },
  // Writes no user data, but the middleware bumps on every successful write: harmless, never stale.
  "routes/api/habits/[id]/share.ts": {
    POST: (f) => json(f, "POST", `/api/habits/${f.habitId}/share`, {}),
    DELETE: async (f) => {
      await json(f, "POST", `/api/habits/${f.habitId}/share`, {});
      await warm(f);
      return await json(f, "DELETE", `/api/habits/${f.habitId}/share`);
    },
  },
  "routes/habits/[id]/share.ts": { POST: (f) => form(f, `/habits/${f.habitId}/share`, { intent: "share" }) },
  // Loopback targets pass the address check here: the test app runs without APP_ORIGIN, like development.
  "routes/api/webhooks/index.ts": {
    POST: (f) => json(f, "POST", "/api/webhooks", { url: "http://127.0.0.1:9/cg", events: ["habit.*"] }),
  },
  "routes/api/webhooks/[id].ts": {
    DELETE: async (f) => {
      const created = await (await json(f, "POST", "/api/webhooks", {
        url: "http://127.0.0.1:9/cg",
        events: ["habit.*"],
      })).json();
      await warm(f);
      return await json(f, "DELETE", `/api/webhooks/${created.webhook.id}`);
    },
  },
  "routes/settings/webhooks.tsx": {
    POST: (f) =>
      form(f, "/settings/webhooks", { intent: "create-webhook", url: "http://127.0.0.1:9/cg", events: "habit.*" }),
  },
  "routes/api/push/subscriptions/index.ts": {
    POST: { exempt: "a device for push reminders: no cached read shows devices (tests/routes/api/push_test.ts)" },
  },
  "routes/api/push/subscriptions/[id].ts": {
    DELETE: { exempt: "a device for push reminders: no cached read shows devices (tests/routes/api/push_test.ts)" },
  },
  "routes/settings/devices/[id]/delete.ts": {
    POST: { exempt: "a device for push reminders: no cached read shows devices (tests/routes/api/push_test.ts)" },
  },
  "routes/one-tap/[token].tsx": {
    POST: {
      exempt: "no signed-in user: the token names the user, whom the route marks changed (changedUserIds); " +
        "tests/routes/pages/one_tap_test.ts",
    },
  },
  "routes/api/monitoring.ts": {
    POST: async (f) => {
      const restore = setLogSink(() => {}); // the report is logged as a warning
      try {
        return await json(f, "POST", "/api/monitoring", { message: "boom" }, f.user.session);
      } finally {
        restore();
      }
    },
  },
  "routes/api/stripe/webhook.ts": {
    POST: {
      exempt: "Stripe, not a user: it names the user it changed (markUsersChanged); walked in ./writers_test.ts",
    },
  },
  "routes/habits/new.tsx": { POST: (f) => form(f, "/habits/new", { name: "Walk", scheduleType: "daily" }) },
  "routes/habits/[id]/index.tsx": { POST: (f) => form(f, `/habits/${f.habitId}`, { archived: "true" }) },
  "routes/habits/[id]/edit.tsx": {
    POST: (f) => form(f, `/habits/${f.habitId}/edit`, { name: "Edited", kind: "boolean", scheduleType: "daily" }),
  },
  "routes/habits/[id]/delete.tsx": { POST: (f) => form(f, `/habits/${f.habitId}/delete`, {}) },
  "routes/habits/[id]/checkin.tsx": {
    POST: (f) => form(f, `/habits/${f.habitId}/checkin`, { date: today(), status: "done", return: "/app" }),
  },
  "routes/settings.tsx": {
    POST: (f) => form(f, "/settings", { intent: "save-settings", timezone: "UTC", weekStart: "1", theme: "light" }),
  },
  "routes/logout.ts": { POST: (f) => form(f, "/logout", {}) },
  "routes/login.tsx": { POST: { exempt: "anonymous: signs in, changes no user data" } },
  "routes/signup.tsx": { POST: { exempt: "anonymous: a new user has nothing cached" } },
  "routes/api/reminders/index.ts": {
    POST: (f) => json(f, "POST", "/api/reminders", { title: "Stretch", time: "07:30", days: [1, 2, 3] }),
  },
  "routes/api/reminders/[id].ts": {
    PATCH: async (f) => {
      const created = await (await json(f, "POST", "/api/reminders", { title: "A", time: "07:30", days: [1] })).json();
      await warm(f);
      return await json(f, "PATCH", `/api/reminders/${created.reminder.id}`, { enabled: false });
    },
    DELETE: async (f) => {
      const created = await (await json(f, "POST", "/api/reminders", { title: "A", time: "07:30", days: [1] })).json();
      await warm(f);
      return await json(f, "DELETE", `/api/reminders/${created.reminder.id}`);
    },
  },
  "routes/api/pauses/index.ts": {
    POST: (f) => json(f, "POST", "/api/pauses", { from: "2026-01-05", to: "2026-01-09" }),
  },
  "routes/api/pauses/[id].ts": {
    DELETE: async (f) => {
      const created = await (await json(f, "POST", "/api/pauses", { from: "2026-01-05", to: "2026-01-09" })).json();
      await warm(f);
      return await json(f, "DELETE", `/api/pauses/${created.pause.id}`);
    },
  },
  "routes/habits/[id]/pauses.tsx": {
    POST: (f) =>
      form(f, `/habits/${f.habitId}/pauses`, { intent: "create-pause", from: "2026-01-05", to: "2026-01-09" }),
  },
  "routes/settings/pauses.tsx": {
    POST: (f) => form(f, "/settings/pauses", { intent: "create-pause", from: "2026-01-05", to: "2026-01-09" }),
  },
  "routes/api/notifications/read.ts": { POST: (f) => json(f, "POST", "/api/notifications/read", {}) },
  "routes/reminders.tsx": {
    POST: (f) => form(f, "/reminders", { title: "Stretch", time: "07:30", days: "1", enabled: "on" }),
  },
  "routes/reminders/[id]/edit.tsx": {
    POST: async (f) => {
      const created = await (await json(f, "POST", "/api/reminders", { title: "A", time: "07:30", days: [1] })).json();
      await warm(f);
      return await form(f, `/reminders/${created.reminder.id}/edit`, { title: "B", time: "08:00", days: "2" });
    },
  },
  "routes/notifications.tsx": { POST: (f) => form(f, "/notifications", {}) },
  "routes/api/account/password.ts": {
    POST: async (f) => {
      await f.setPassword("correct horse battery staple");
      return await json(f, "POST", "/api/account/password", {
        currentPassword: "correct horse battery staple",
        newPassword: "purple elephant umbrella orbit",
      });
    },
  },
  "routes/settings/security/password.tsx": {
    POST: async (f) => {
      await f.setPassword("correct horse battery staple");
      return await form(f, "/settings/security/password", {
        currentPassword: "correct horse battery staple",
        newPassword: "purple elephant umbrella orbit",
      });
    },
  },
  "routes/api/account/index.ts": {
    DELETE: { exempt: "erases the user and every KV entry of theirs (tests/routes/api/account_deletion_test.ts)" },
  },
  "routes/settings/security/delete.tsx": {
    POST: { exempt: "erases the user and every KV entry of theirs (tests/routes/api/account_deletion_test.ts)" },
  },
  "routes/api/auth/logout-all.ts": { POST: (f) => json(f, "POST", "/api/auth/logout-all", {}, f.user.session) },
  "routes/settings/security.tsx": { POST: (f) => form(f, "/settings/security", { intent: "logout-all" }) },
  "routes/api/sessions/[id].ts": {
    DELETE: async (f) => {
      const { sessions } = await (await json(f, "GET", "/api/sessions")).json();
      return await json(f, "DELETE", `/api/sessions/${sessions[0].id}`);
    },
  },
  "routes/api/auth/password-reset/index.ts": { POST: { exempt: "anonymous: queues an e-mail, changes no user data" } },
  "routes/forgot-password.tsx": { POST: { exempt: "anonymous: queues an e-mail, changes no user data" } },
  "routes/api/auth/password-reset/confirm.ts": {
    POST: { exempt: "anonymous: sets a password and ends sessions, then calls renewUserVersion itself" },
  },
  "routes/reset-password.tsx": {
    POST: { exempt: "anonymous: sets a password and ends sessions, then calls renewUserVersion itself" },
  },
};

/** The unsafe methods a route module answers (a single handler function answers them all). */
function mutatingMethods(module: RouteModule): string[] {
  const handler = module.handler;
  if (!handler || Array.isArray(handler)) return [];
  if (typeof handler === "function") return [...UNSAFE];
  return UNSAFE.filter((m) => m in handler);
}

/** Reads the cached list twice, so the cache holds a fresh entry (the second read is a HIT). */
async function warm(f: Fixture): Promise<void> {
  await (await f.app.request("/api/habits", { headers: f.user.bearer })).arrayBuffer();
  const res = await f.app.request("/api/habits", { headers: f.user.bearer });
  await res.arrayBuffer();
  assertEquals(res.headers.get("x-cache"), "HIT");
}

Deno.test("cache through the app", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;

  await t.step("GET /api/habits, /api/habits/[id]: MISS then HIT, byte-identical bodies", async () => {
    const alice = await createTestUser(services);
    const created = await app.request("/api/habits", {
      method: "POST",
      headers: { "content-type": "application/json", ...alice.bearer },
      body: JSON.stringify({ name: `<b>"Read"</b> ✓` }),
    });
    assertEquals(created.status, 201);
    const { habit } = await created.json();
    for (const path of ["/api/habits", "/api/habits?archived=true", `/api/habits/${habit.id}`]) {
      const miss = await app.request(path, { headers: alice.bearer });
      const hit = await app.request(path, { headers: alice.bearer });
      assertEquals([miss.status, hit.status], [200, 200]);
      assertEquals([miss.headers.get("x-cache"), hit.headers.get("x-cache")], ["MISS", "HIT"], path);
      assertEquals(hit.headers.get("content-type"), "application/json");
      const [a, b] = [new Uint8Array(await miss.arrayBuffer()), new Uint8Array(await hit.arrayBuffer())];
      assertEquals(a.byteLength, b.byteLength);
      assert(a.every((x, i) => x === b[i]), `${path}: HIT and MISS bodies are byte-identical`);
      // Per-response headers (nonce, request id, rate-limit budget) differ anyway; the representation's do not.
      const headers = (r: Response) => ["content-type", "cache-control", "etag"].map((k) => r.headers.get(k));
      assertEquals(headers(hit), headers(miss));
    }
    const list = await (await app.request("/api/habits", { headers: alice.bearer })).json();
    assertEquals(list.habits[0].name, `<b>"Read"</b> ✓`);
  });

  await t.step("a 404 is never cached: another user's habit stays 404, the owner's read is theirs", async () => {
    const alice = await createTestUser(services);
    const bob = await createTestUser(services);
    const res = await app.request("/api/habits", {
      method: "POST",
      headers: { "content-type": "application/json", ...alice.bearer },
      body: JSON.stringify({ name: "Mine" }),
    });
    const { habit } = await res.json();
    for (let i = 0; i < 2; i++) {
      const other = await app.request(`/api/habits/${habit.id}`, { headers: bob.bearer });
      assertEquals(other.status, 404);
      await other.arrayBuffer();
    }
    assertEquals((await app.request("/api/habits/not-a-uuid", { headers: alice.bearer })).status, 404);
    const own = await app.request(`/api/habits/${habit.id}`, { headers: alice.bearer });
    assertEquals([own.status, own.headers.get("x-cache")], [200, "MISS"]);
    await own.arrayBuffer();
  });

  await t.step("GET /app: the dashboard data is cached (MISS, HIT); the page differs only in its nonce", async () => {
    const alice = await createTestUser(services);
    await app.request("/habits/new", {
      method: "POST",
      headers: { ...alice.session, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ name: "Stretch", scheduleType: "daily" }),
    });
    const miss = await app.request("/app", { headers: alice.session });
    const hit = await app.request("/app", { headers: alice.session });
    assertEquals([miss.status, hit.status], [200, 200]);
    assertEquals([miss.headers.get("x-cache"), hit.headers.get("x-cache")], ["MISS", "HIT"]);
    assertEquals(hit.headers.get("content-type"), miss.headers.get("content-type"));
    // Each response has its own CSP nonce (and request id); nothing else may differ.
    const normalise = async (r: Response) => {
      const nonce = r.headers.get("content-security-policy")?.match(/'nonce-([^']+)'/)?.[1];
      const html = await r.text();
      return nonce ? html.replaceAll(nonce, "NONCE") : html;
    };
    const [a, b] = [await normalise(miss), await normalise(hit)];
    assert(a.includes("Stretch"));
    assertEquals(a, b);
  });

  await t.step("every mutating route in the manifest invalidates the user's cache", async (t) => {
    const found: string[] = [];
    for (const [file, module] of Object.entries(manifest.routes)) {
      for (const method of mutatingMethods(module)) {
        found.push(`${method} ${file}`);
        const entry = MUTATIONS[file]?.[method as (typeof UNSAFE)[number]];
        assert(entry, `${method} ${file} mutates but has no case in MUTATIONS: add one (tests/lib/cache)`);
        if ("exempt" in entry) continue;
        await t.step(`${method} ${file}`, async () => {
          const user = await createTestUser(services);
          const created = await app.request("/api/habits", {
            method: "POST",
            headers: { "content-type": "application/json", ...user.bearer },
            body: JSON.stringify({ name: "Habit" }),
          });
          const setPassword = async (password: string) => {
            await services.db.sql`update users set password_hash = ${await hashPassword(password)}
                                  where id = ${user.id}::uuid`;
          };
          const fixture: Fixture = { app, user, habitId: (await created.json()).habit.id, setPassword };
          await warm(fixture);
          const res = await entry(fixture);
          await res.arrayBuffer();
          assert(res.status < 400, `${method} ${file} answered ${res.status}: the case is not a valid request`);
          const next = await app.request("/api/habits", { headers: user.bearer });
          await next.arrayBuffer();
          assertEquals(next.headers.get("x-cache"), "MISS", `${method} ${file} did not invalidate`);
        });
      }
    }
    // The table lists nothing that is gone (a stale entry would hide a rename).
    for (const [file, methods] of Object.entries(MUTATIONS)) {
      for (const method of Object.keys(methods)) {
        assert(found.includes(`${method} ${file}`), `MUTATIONS has ${method} ${file}, which no route answers`);
      }
    }
  });

  await t.step("a failed write (4xx) leaves the cache alone", async () => {
    const user = await createTestUser(services);
    await (await app.request("/api/habits", { headers: user.bearer })).arrayBuffer();
    const bad = await app.request("/api/habits", {
      method: "POST",
      headers: { "content-type": "application/json", ...user.bearer },
      body: JSON.stringify({ name: "" }),
    });
    assertEquals(bad.status, 400);
    const next = await app.request("/api/habits", { headers: user.bearer });
    assertEquals(next.headers.get("x-cache"), "HIT");
    await next.arrayBuffer();
  });
  closePasswordWorkers(); // the password cases hashed in the worker pool
});

Deno.test("cache: two instances sharing one KV see each other's invalidation at once", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using one = await startTestApp({ kvPath: `${dir}/kv.sqlite3` });
    await using two = await startTestApp({ kvPath: `${dir}/kv.sqlite3`, db: one.services.db });
    const alice = await createTestUser(one.services);
    const read = async (app: App) => {
      const res = await app.request("/api/habits", { headers: alice.bearer });
      assertEquals(res.status, 200);
      return {
        cache: res.headers.get("x-cache"),
        names: (await res.json()).habits.map((h: { name: string }) => h.name),
      };
    };
    assertEquals(await read(one.app), { cache: "MISS", names: [] });
    assertEquals(await read(two.app), { cache: "HIT", names: [] }, "instance two reads instance one's entry");
    const created = await two.app.request("/api/habits", {
      method: "POST",
      headers: { "content-type": "application/json", ...alice.bearer },
      body: JSON.stringify({ name: "Swim" }),
    });
    assertEquals(created.status, 201);
    await created.arrayBuffer();
    assertEquals(await read(one.app), { cache: "MISS", names: ["Swim"] }, "instance one sees two's write at once");
    assertEquals(await read(two.app), { cache: "HIT", names: ["Swim"] });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A goal of the fixture's user, created before the cache is warmed again (goal cases). */
async function goalFor(f: Fixture): Promise<string> {
  const res = await json(f, "POST", "/api/goals", { title: "Cached goal" });
  const { goal } = await res.json();
  await warm(f);
  return goal.id;
}

/** A milestone of a new goal of the fixture's user, the cache warmed after. */
async function milestoneFor(f: Fixture): Promise<string> {
  const goalId = await goalFor(f);
  const { milestone } = await (await json(f, "POST", "/api/milestones", { goalId, title: "M" })).json();
  await warm(f);
  return milestone.id;
}

/** A subgoal of a new goal of the fixture's user, the cache warmed after. */
async function subgoalFor(f: Fixture): Promise<string> {
  const goalId = await goalFor(f);
  const { subgoal } = await (await json(f, "POST", "/api/subgoals", { goalId, title: "S" })).json();
  await warm(f);
  return subgoal.id;
}
