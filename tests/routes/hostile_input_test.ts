/**
 * Issue 8, item 3: inputs that used to crash a route (500) get a clear 4xx — JSON or
 * page as the client asked — and write nothing: NUL in log-in e-mails and token ids,
 * lone UTF-16 surrogates in every text field (creates and updates), impossible activity
 * cursors, `Object.prototype` names as form intents, and targets (`next`, `return`) that
 * cannot go into a `Location` header as they are.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { closePasswordWorkers } from "@/lib/auth/password.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { call, json } from "@/tests/support/api.ts";
import { html } from "@/tests/support/pages.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";

const PROTOTYPE_NAMES = [
  "hasOwnProperty",
  "valueOf",
  "toString",
  "constructor",
  "__proto__",
  "__defineGetter__",
  "__lookupSetter__",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
];

function form(user: TestUser | undefined, fields: Record<string, string>, origin?: string): RequestInit {
  return {
    method: "POST",
    headers: {
      ...(user?.session ?? { Origin: origin! }),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(fields),
  };
}

function cursorOf(text: string): string {
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

Deno.test("hostile input: every case of issue 8 is a 4xx, never a 500, and writes nothing", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const { db, config } = services;
  const alice = await createTestUser(services);

  try {
    await t.step("NUL in the log-in e-mail: 400 naming it (API and form), no session", async () => {
      const res = await app.request("/api/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json", Origin: config.appOrigin },
        body: JSON.stringify({ email: "ann\u0000@example.com", password: "whatever it is" }),
      });
      const { error } = await json(res, 400);
      assertEquals(error.code, "validation_failed");
      assertMatch(error.details.fields.email, /NUL/);
      const page = await html(
        await app.request(
          "/login",
          form(undefined, { email: "ann\u0000@example.com", password: "x" }, config.appOrigin),
        ),
        400,
      );
      assertStringIncludes(page, "<code>email</code>");
      const [{ n }] = await db.sql`select count(*)::int as n from sessions`;
      assertEquals(n, 1, "only the test user's own session");
    });

    await t.step("NUL in a token id: DELETE /api/tokens/%00 → 404; the settings revoke form → 400", async () => {
      const { error } = await json(await call(app, alice.bearer, "DELETE", "/api/tokens/%00"), 404);
      assertEquals(error.code, "not_found");
      await json(await call(app, alice.bearer, "DELETE", "/api/tokens/abc%00def"), 404);
      const page = await html(
        await app.request("/settings", form(alice, { intent: "revoke-token", tokenId: "\u0000" })),
        400,
      );
      assertStringIncludes(page, "<code>tokenId</code>");
      const [{ n }] = await db.sql`select count(*)::int as n from api_tokens where user_id = ${alice.id}`;
      assertEquals(n, 1, "the token is still there");
    });

    const api = (method: string, path: string, body: unknown) => call(app, alice.bearer, method, path, body);
    const { habit } = await json(await api("POST", "/api/habits", { name: "Read" }), 201);
    const { goal } = await json(await api("POST", "/api/goals", { title: "Run a marathon" }), 201);
    const { milestone } = await json(await api("POST", "/api/milestones", { goalId: goal.id, title: "10 km" }), 201);
    const { subgoal } = await json(await api("POST", "/api/subgoals", { goalId: goal.id, title: "Shoes" }), 201);
    const { reminder } = await json(
      await api("POST", "/api/reminders", { title: "Stretch", time: "07:30", days: [1, 2, 3] }),
      201,
    );
    const rowCounts = async () =>
      Object.fromEntries(
        await Promise.all(
          ["habits", "goals", "milestones", "subgoals", "reminders", "checkins", "activity"].map(async (table) => {
            const [{ n }] = await db.sql.unsafe(`select count(*)::int as n from ${table} where user_id = $1`, [
              alice.id,
            ]);
            return [table, n];
          }),
        ),
      );

    await t.step(
      "a lone surrogate in any text field, create or update: 400 naming the field, nothing written",
      async () => {
        const before = await rowCounts();
        const today = new Date().toISOString().slice(0, 10);
        const cases: [string, string, Record<string, unknown>, string][] = [
          ["POST", "/api/habits", { name: "a\ud800" }, "name"],
          ["PUT", `/api/habits/${habit.id}`, { name: "b\udc00" }, "name"],
          ["PUT", `/api/habits/${habit.id}`, { unit: "\ud800" }, "unit"],
          ["POST", `/api/habits/${habit.id}/checkins`, { date: today, status: "done", note: "\ud800" }, "note"],
          ["POST", "/api/goals", { title: "\ud800" }, "title"],
          ["PUT", `/api/goals/${goal.id}`, { title: "x\ud800" }, "title"],
          ["PUT", `/api/goals/${goal.id}`, { description: "\udfff" }, "description"],
          ["POST", "/api/milestones", { goalId: goal.id, title: "\ud800" }, "title"],
          ["PATCH", `/api/milestones/${milestone.id}`, { title: "\ud800" }, "title"],
          ["POST", "/api/subgoals", { goalId: goal.id, title: "\ud800" }, "title"],
          ["PATCH", `/api/subgoals/${subgoal.id}`, { title: "\ud800" }, "title"],
          ["POST", "/api/reminders", { title: "\ud800", time: "07:30", days: [1] }, "title"],
          ["PATCH", `/api/reminders/${reminder.id}`, { title: "\ud800" }, "title"],
          ["POST", "/api/settings/save", { displayName: "\ud800" }, "displayName"],
          ["POST", "/api/tokens", { name: "\ud800" }, "name"],
          ["PATCH", `/api/reminders/${reminder.id}`, { title: "ok", "\ud800": 1 }, "_"],
        ];
        for (const [method, path, body, field] of cases) {
          const { error } = await json(await api(method, path, body), 400);
          assertEquals(error.code, "validation_failed", `${method} ${path}`);
          assert(error.details.fields[field], `${method} ${path}: ${JSON.stringify(error.details)}`);
        }
        assertEquals(await rowCounts(), before);
        const [row] = await db.sql`select name, unit from habits where id = ${habit.id}`;
        assertEquals(row.name, "Read");
      },
    );

    await t.step(
      "impossible activity cursors: 400 on cursor (/api/activity as JSON, /activity as a page)",
      async () => {
        for (
          const text of [
            "2024-02-30 10:00:00+00|1",
            "0000-00-00 00:00:00+00|1",
            "2024-13-01 10:00:00+00|1",
            "2024-01-01 24:00:00+00|1",
            "2024-01-01 10:61:00+00|1",
            "2024-01-01 10:00:00+99|1",
          ]
        ) {
          const { error } = await json(
            await call(app, alice.bearer, "GET", `/api/activity?cursor=${cursorOf(text)}`),
            400,
          );
          assert(error.details.fields.cursor, text);
          await html(await app.request(`/activity?cursor=${cursorOf(text)}`, { headers: alice.session }), 400);
        }
        const real = await json(await call(app, alice.bearer, "GET", "/api/activity?limit=1"), 200);
        assert(real.nextCursor, "a real cursor");
        await json(await call(app, alice.bearer, "GET", `/api/activity?cursor=${real.nextCursor}`), 200);
      },
    );

    await t.step("Object.prototype names as a form intent: 400 on every intent dispatcher", async () => {
      const before = await rowCounts();
      for (const intent of PROTOTYPE_NAMES) {
        for (const path of [`/goals/${goal.id}`, "/settings", `/reminders/${reminder.id}/edit`]) {
          const res = await app.request(path, form(alice, { intent, id: milestone.id, title: "x" }));
          assert(res.status >= 400 && res.status < 500, `${path} intent=${intent}: ${res.status}`);
          await res.body?.cancel();
        }
      }
      for (const done of PROTOTYPE_NAMES) {
        const settings = await html(await app.request(`/settings?done=${done}`, { headers: alice.session }), 200);
        assert(!settings.includes('class="notice"'), `/settings?done=${done} shows no notice`);
        const upgrade = await html(await app.request(`/upgrade?done=${done}`, { headers: alice.session }), 200);
        assert(
          !/Thank you|Checkout canceled|\[object|function /.test(upgrade),
          `/upgrade?done=${done} shows no notice`,
        );
      }
      assertEquals(await rowCounts(), before);
    });

    await t.step("a non-ASCII next/return: redirects carry it percent-encoded, never a 500", async () => {
      const get = await app.request("/login?next=/%EF%BC%8F%EF%BC%8F", { headers: alice.session });
      assertEquals(get.status, 303);
      assertEquals(get.headers.get("location"), "/%EF%BC%8F%EF%BC%8F");

      const signup = await app.request("/api/auth/signup", {
        method: "POST",
        headers: { "content-type": "application/json", Origin: config.appOrigin },
        body: JSON.stringify({ email: "next@example.test", password: "correct horse battery staple" }),
      });
      assertEquals(signup.status, 201);
      const post = await app.request(
        "/login",
        form(
          undefined,
          { email: "next@example.test", password: "correct horse battery staple", next: "/／" },
          config.appOrigin,
        ),
      );
      assertEquals(post.status, 303);
      assertEquals(post.headers.get("location"), "/%EF%BC%8F");
      assertMatch(post.headers.get("set-cookie") ?? "", /^cg_session=/);

      const checkin = await app.request(
        `/habits/${habit.id}/checkin`,
        form(alice, { date: new Date().toISOString().slice(0, 10), status: "done", return: "/é／" }),
      );
      assertEquals(checkin.status, 303);
      assertEquals(checkin.headers.get("location"), "/app");
    });

    await t.step("query parameters and route ids that could never be stored: 400 naming them / 404", async () => {
      const { error } = await json(
        await call(app, alice.bearer, "GET", `/api/habits/${habit.id}/checkins?from=%00&to=2026-01-01`),
        400,
      );
      assert(error.details.fields.from);
      await json(await call(app, alice.bearer, "GET", "/api/habits/%00"), 404);
      await html(await app.request("/habits/%00/edit", { headers: alice.session }), 404);
      await html(await app.request("/habits/new?x=%00", { headers: alice.session }), 400);
    });
  } finally {
    closePasswordWorkers();
  }
});
