/**
 * /api/habits and /api/habits/[id]: status, then content type, then body, for the
 * happy paths, every field's error at once, other users' and malformed ids (404), and
 * the plan limit (402) — over a Bearer token and over the session cookie.
 */
import { assert, assertEquals, assertMatch } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";
import { type App, call, json } from "@/tests/support/api.ts";

async function newHabit(app: App, user: TestUser, body: Record<string, unknown> = {}) {
  const res = await call(app, user.bearer, "POST", "/api/habits", { name: "Read", ...body });
  return (await json(res, 201)).habit;
}

Deno.test("/api/habits", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services, { timezone: "Europe/Berlin" });
  const bob = await createTestUser(services);

  await t.step("no credentials → 401 envelope", async () => {
    for (
      const [method, path] of [["GET", "/api/habits"], ["POST", "/api/habits"], [
        "GET",
        `/api/habits/${crypto.randomUUID()}`,
      ]]
    ) {
      const body = await json(await call(app, {}, method, path, method === "POST" ? { name: "x" } : undefined), 401);
      assertEquals(body.error.code, "unauthorized");
    }
  });

  await t.step("POST creates with defaults → 201 {habit} and a Location", async () => {
    const res = await call(app, alice.bearer, "POST", "/api/habits", { name: "  Meditate  " });
    const { habit } = await json(res, 201);
    assertEquals(res.headers.get("location"), `/api/habits/${habit.id}`);
    assertMatch(habit.id, /^[0-9a-f-]{36}$/);
    assertEquals(
      { ...habit, id: "", createdAt: "", updatedAt: "", startDate: "" },
      {
        id: "",
        name: "Meditate",
        color: "#16a34a",
        kind: "boolean",
        target: null,
        unit: null,
        schedule: { type: "daily" },
        direction: "at_least",
        archived: false,
        position: 0,
        startDate: "",
        tags: [],
        createdAt: "",
        updatedAt: "",
      },
    );
    assertMatch(habit.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assertMatch(habit.startDate, /^\d{4}-\d{2}-\d{2}$/);
  });

  await t.step("POST a numeric, weekdays habit; GET lists active habits in order", async () => {
    const run = await newHabit(app, alice, {
      name: "Run",
      color: "#AA00FF",
      kind: "numeric",
      target: 5,
      unit: "km",
      schedule: { type: "weekdays", days: [5, 1, 3] },
    });
    assertEquals([run.color, run.kind, run.target, run.unit, run.schedule, run.position], [
      "#aa00ff",
      "numeric",
      5,
      "km",
      { type: "weekdays", days: [1, 3, 5] },
      1,
    ]);
    const { habits } = await json(await call(app, alice.bearer, "GET", "/api/habits"), 200);
    assertEquals(habits.map((h: { name: string }) => h.name), ["Meditate", "Run"]);
  });

  await t.step("every bad field is reported at once → 400 validation_failed", async () => {
    const res = await call(app, alice.bearer, "POST", "/api/habits", {
      name: "x".repeat(101),
      color: "green",
      kind: "numeric",
      target: 0,
      schedule: { type: "weekly", times: 9 },
    });
    const body = await json(res, 400);
    assertEquals(body.error.code, "validation_failed");
    assertEquals(Object.keys(body.error.details.fields).sort(), ["color", "name", "schedule.times", "target", "unit"]);
    assertMatch(body.error.details.fields.name, /100 characters/);

    const empty = await json(await call(app, alice.bearer, "POST", "/api/habits", {}), 400);
    assertEquals(empty.error.details.fields, { name: "Enter a name" });
    const yesNo = await json(
      await call(app, alice.bearer, "POST", "/api/habits", { name: "x", target: 3, unit: "km" }),
      400,
    );
    assertEquals(Object.keys(yesNo.error.details.fields).sort(), ["target", "unit"]);
    const weekdays = await json(
      await call(app, alice.bearer, "POST", "/api/habits", { name: "x", schedule: { type: "weekdays", days: [] } }),
      400,
    );
    assertEquals(Object.keys(weekdays.error.details.fields), ["schedule.days"]);
  });

  await t.step("bodies that are not JSON objects → 400 / 415", async () => {
    const broken = await app.request("/api/habits", {
      method: "POST",
      headers: { ...alice.bearer, "content-type": "application/json" },
      body: "{",
    });
    assertEquals((await json(broken, 400)).error.code, "validation_failed");
    const text = await app.request("/api/habits", {
      method: "POST",
      headers: { ...alice.bearer, "content-type": "text/plain" },
      body: "name=x",
    });
    assertEquals((await json(text, 415)).error.code, "unsupported_media_type");
  });

  await t.step("a name with markup round-trips as data", async () => {
    const name = "<script>alert(1)</script>";
    const created = await newHabit(app, alice, { name });
    assertEquals(created.name, name);
    const { habit } = await json(await call(app, alice.bearer, "GET", `/api/habits/${created.id}`), 200);
    assertEquals(habit.name, name);
    await call(app, alice.bearer, "DELETE", `/api/habits/${created.id}`);
  });

  await t.step("GET one → {habit, stats}", async () => {
    const habit = await newHabit(app, alice, { name: "Stats" });
    const body = await json(await call(app, alice.bearer, "GET", `/api/habits/${habit.id}`), 200);
    assertEquals(body.habit, habit);
    assertEquals(body.stats, {
      currentStreak: 0,
      longestStreak: 0,
      longestStreakStart: null,
      longestStreakEnd: null,
      completionRate30: 0,
      completionRate365: 0,
      totalDone: 0,
      strength: 0,
    });
    await call(app, alice.bearer, "DELETE", `/api/habits/${habit.id}`);
  });

  await t.step("PUT changes fields, archives and reorders → {habit}", async () => {
    const { habits } = await json(await call(app, alice.bearer, "GET", "/api/habits"), 200);
    const [meditate, run] = habits;
    const renamed = await json(
      await call(app, alice.session, "PUT", `/api/habits/${meditate.id}`, {
        name: "Sit",
        schedule: { type: "weekly", times: 3 },
      }),
      200,
    );
    assertEquals([renamed.habit.name, renamed.habit.schedule], ["Sit", { type: "weekly", times: 3 }]);

    const moved = await json(await call(app, alice.bearer, "PUT", `/api/habits/${run.id}`, { position: 0 }), 200);
    assertEquals(moved.habit.position, 0);
    const order = await json(await call(app, alice.bearer, "GET", "/api/habits"), 200);
    assertEquals(order.habits.map((h: { name: string }) => h.name), ["Run", "Sit"]);

    const yesNo = await json(await call(app, alice.bearer, "PUT", `/api/habits/${run.id}`, { kind: "boolean" }), 200);
    assertEquals([yesNo.habit.kind, yesNo.habit.target, yesNo.habit.unit], ["boolean", null, null]);
    const refused = await json(await call(app, alice.bearer, "PUT", `/api/habits/${run.id}`, { target: 4 }), 400);
    assertEquals(refused.error.code, "validation_failed");

    const archived = await json(
      await call(app, alice.bearer, "PUT", `/api/habits/${meditate.id}`, { archived: true }),
      200,
    );
    assertEquals(archived.habit.archived, true);
    const active = await json(await call(app, alice.bearer, "GET", "/api/habits"), 200);
    assertEquals(active.habits.map((h: { id: string }) => h.id), [run.id]);
    const gone = await json(await call(app, alice.bearer, "GET", "/api/habits?archived=true"), 200);
    assertEquals(gone.habits.map((h: { id: string }) => h.id), [meditate.id]);
    const back = await json(
      await call(app, alice.bearer, "PUT", `/api/habits/${meditate.id}`, { archived: false }),
      200,
    );
    assertEquals(back.habit.archived, false);
  });

  await t.step("PUT with nothing or bad fields → 400 listing them; ?archived=maybe → 400", async () => {
    const { habits } = await json(await call(app, alice.bearer, "GET", "/api/habits"), 200);
    const nothing = await json(await call(app, alice.bearer, "PUT", `/api/habits/${habits[0].id}`, {}), 400);
    assertEquals(Object.keys(nothing.error.details.fields), ["_"]);
    const bad = await json(
      await call(app, alice.bearer, "PUT", `/api/habits/${habits[0].id}`, {
        name: "",
        archived: "yes",
        position: -1,
        color: 3,
      }),
      400,
    );
    assertEquals(Object.keys(bad.error.details.fields).sort(), ["archived", "color", "name", "position"]);
    const query = await json(await call(app, alice.bearer, "GET", "/api/habits?archived=maybe"), 400);
    assertEquals(Object.keys(query.error.details.fields), ["archived"]);
  });

  await t.step("another user's, unknown and malformed ids → 404 for GET, PUT and DELETE", async () => {
    const secret = await newHabit(app, alice, { name: "Alice's" });
    const ids = [secret.id, crypto.randomUUID(), "nope", "123", "%27%20or%201%3D1"];
    for (const id of ids) {
      for (const auth of [bob.bearer, bob.session]) {
        for (const [method, body] of [["GET"], ["PUT", { name: "Bob's now" }], ["DELETE"]] as const) {
          const res = await call(app, auth, method, `/api/habits/${id}`, body);
          assertEquals((await json(res, 404)).error.code, "not_found", `${method} ${id}`);
        }
      }
    }
    const { habit } = await json(await call(app, alice.bearer, "GET", `/api/habits/${secret.id}`), 200);
    assertEquals(habit.name, "Alice's");
    assertEquals((await json(await call(app, bob.bearer, "GET", "/api/habits"), 200)).habits, []);
  });

  await t.step("DELETE → 204 with no body; the habit is gone", async () => {
    const habit = await newHabit(app, alice, { name: "Short-lived" });
    const res = await call(app, alice.session, "DELETE", `/api/habits/${habit.id}`);
    assertEquals(res.status, 204);
    assertEquals(await res.text(), "");
    assertEquals(
      (await json(await call(app, alice.bearer, "GET", `/api/habits/${habit.id}`), 404)).error.code,
      "not_found",
    );
  });

  await t.step("the free plan's 11th active habit, and unarchiving past it → 402 plan_limit", async () => {
    const carol = await createTestUser(services);
    const made = [];
    for (let i = 0; i < 10; i++) made.push(await newHabit(app, carol, { name: `Habit ${i}` }));
    const over = await json(await call(app, carol.bearer, "POST", "/api/habits", { name: "One too many" }), 402);
    assertEquals(over.error.code, "plan_limit");
    assertMatch(over.error.message, /free plan allows 10 active habits/);
    assertMatch(over.error.message, /upgrade/);
    assertEquals(over.error.details, { upgradeUrl: "/upgrade" });

    await json(await call(app, carol.bearer, "PUT", `/api/habits/${made[0].id}`, { archived: true }), 200);
    await newHabit(app, carol, { name: "Replacement" });
    const unarchive = await json(
      await call(app, carol.bearer, "PUT", `/api/habits/${made[0].id}`, { archived: false }),
      402,
    );
    assertEquals(unarchive.error.code, "plan_limit");
    const stillArchived = await json(await call(app, carol.bearer, "GET", `/api/habits/${made[0].id}`), 200);
    assertEquals(stillArchived.habit.archived, true);
  });

  await t.step("a cross-origin write with the session cookie → 403, nothing written", async () => {
    const res = await call(app, { ...alice.session, Origin: "https://evil.example" }, "POST", "/api/habits", {
      name: "Forged",
    });
    assertEquals((await json(res, 403)).error.code, "forbidden");
    const { habits } = await json(await call(app, alice.bearer, "GET", "/api/habits"), 200);
    assert(habits.every((h: { name: string }) => h.name !== "Forged"));
  });
});
