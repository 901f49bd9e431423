/**
 * /api/goals, /api/goals/[id], /api/goals/pin, /api/milestones, /api/subgoals: status,
 * then content type, then body — happy paths, every field's error at once, other users'
 * and malformed ids in the path and as `goalId` in the body (404), escaping of an HTML
 * payload (returned as data), pinned first, the plan limit, and the read cache.
 */
import { assert, assertEquals, assertMatch } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";
import { type App, call, json } from "@/tests/support/api.ts";

async function newGoal(app: App, user: TestUser, body: Record<string, unknown> = {}) {
  return (await json(await call(app, user.bearer, "POST", "/api/goals", { title: "Run", ...body }), 201)).goal;
}

const HTML = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

Deno.test("/api/goals, milestones and subgoals", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services);
  const bob = await createTestUser(services);

  await t.step("no credentials → 401", async () => {
    assertEquals((await json(await call(app, {}, "GET", "/api/goals"), 401)).error.code, "unauthorized");
    const res = await call(app, {}, "PATCH", "/api/goals/pin", { goalId: crypto.randomUUID(), pinned: true });
    assertEquals(res.status, 401);
  });

  let goalId = "";
  await t.step("POST /api/goals → 201 {goal} with a Location; HTML round-trips as data", async () => {
    const res = await call(app, alice.bearer, "POST", "/api/goals", {
      title: `  ${HTML}  `,
      description: "Line one\nline two",
      targetDate: "2026-12-31",
    });
    const { goal } = await json(res, 201);
    goalId = goal.id;
    assertEquals(res.headers.get("location"), `/api/goals/${goal.id}`);
    assertEquals({ ...goal, id: "", createdAt: "", updatedAt: "" }, {
      id: "",
      title: HTML,
      description: "Line one\nline two",
      targetDate: "2026-12-31",
      status: "active",
      pinned: false,
      pinPosition: null,
      progress: 0,
      milestones: [],
      subgoals: [],
      createdAt: "",
      updatedAt: "",
    });
    assertMatch(goal.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  await t.step("POST with every field wrong → 400 listing each", async () => {
    const body = await json(
      await call(app, alice.bearer, "POST", "/api/goals", { title: "", description: 5, targetDate: "2026-02-30" }),
      400,
    );
    assertEquals(body.error.code, "validation_failed");
    assertEquals(Object.keys(body.error.details.fields).sort(), ["description", "targetDate", "title"]);
    const put = await json(
      await call(app, alice.bearer, "PUT", `/api/goals/${goalId}`, { title: "x".repeat(201), status: "won" }),
      400,
    );
    assertEquals(Object.keys(put.error.details.fields).sort(), ["status", "title"]);
    const empty = await json(await call(app, alice.bearer, "PUT", `/api/goals/${goalId}`, {}), 400);
    assertEquals(Object.keys(empty.error.details.fields), ["_"]);
    const pin = await json(await call(app, alice.bearer, "PATCH", "/api/goals/pin", { position: -1 }), 400);
    assertEquals(Object.keys(pin.error.details.fields).sort(), ["goalId", "pinned", "position"]);
    const ms = await json(await call(app, alice.bearer, "POST", "/api/milestones", { dueDate: "soon" }), 400);
    assertEquals(Object.keys(ms.error.details.fields).sort(), ["dueDate", "goalId", "title"]);
    const sub = await json(await call(app, alice.bearer, "POST", "/api/subgoals", { title: 3 }), 400);
    assertEquals(Object.keys(sub.error.details.fields).sort(), ["goalId", "title"]);
  });

  let milestoneId = "";
  let subgoalId = "";
  await t.step("milestones and subgoals: create 201, patch 200, progress follows the rule", async () => {
    const m = await json(
      await call(app, alice.bearer, "POST", "/api/milestones", { goalId, title: HTML, dueDate: "2026-06-01" }),
      201,
    );
    milestoneId = m.milestone.id;
    assertEquals([m.milestone.title, m.milestone.goalId, m.milestone.done], [HTML, goalId, false]);
    const s = await json(await call(app, alice.bearer, "POST", "/api/subgoals", { goalId, title: "Shoes" }), 201);
    subgoalId = s.subgoal.id;
    assertEquals(s.subgoal.progress, 0);
    const pm = await json(
      await call(app, alice.bearer, "PATCH", `/api/milestones/${milestoneId}`, { done: true }),
      200,
    );
    assertEquals(pm.milestone.done, true);
    const ps = await json(await call(app, alice.bearer, "PATCH", `/api/subgoals/${subgoalId}`, { progress: 40 }), 200);
    assertEquals(ps.subgoal.progress, 40);
    const bad = await json(
      await call(app, alice.bearer, "PATCH", `/api/subgoals/${subgoalId}`, { progress: 101, done: "yes", title: "" }),
      400,
    );
    assertEquals(Object.keys(bad.error.details.fields).sort(), ["done", "progress", "title"]);
    const { goal } = await json(await call(app, alice.bearer, "GET", `/api/goals/${goalId}`), 200);
    assertEquals(goal.progress, 70);
    assertEquals(goal.milestones.map((x: { id: string }) => x.id), [milestoneId]);
    assertEquals(goal.subgoals.map((x: { progress: number }) => x.progress), [40]);
  });

  await t.step("PUT updates; status done → progress 100", async () => {
    const { goal } = await json(
      await call(app, alice.bearer, "PUT", `/api/goals/${goalId}`, { status: "done", targetDate: null }),
      200,
    );
    assertEquals([goal.status, goal.targetDate, goal.progress], ["done", null, 100]);
  });

  await t.step("another user's ids and malformed ids → 404, in the path and as goalId", async () => {
    const ids = [goalId, "not-a-uuid", "1'; drop table goals;--", crypto.randomUUID()];
    for (const id of ids) {
      const path = `/api/goals/${encodeURIComponent(id)}`;
      for (const [method, body] of [["GET"], ["PUT", { title: "x" }], ["DELETE"]] as const) {
        assertEquals((await json(await call(app, bob.bearer, method, path, body), 404)).error.code, "not_found");
      }
      for (
        const [path, body] of [
          ["/api/goals/pin", { goalId: id, pinned: true }],
          ["/api/milestones", { goalId: id, title: "x" }],
          ["/api/subgoals", { goalId: id, title: "x" }],
        ] as const
      ) {
        const method = path === "/api/goals/pin" ? "PATCH" : "POST";
        assertEquals((await json(await call(app, bob.bearer, method, path, body), 404)).error.code, "not_found");
      }
    }
    for (const path of [`/api/milestones/${milestoneId}`, `/api/subgoals/${subgoalId}`, "/api/milestones/zzz"]) {
      await json(await call(app, bob.bearer, "PATCH", path, { done: true }), 404);
      await json(await call(app, bob.bearer, "DELETE", path), 404);
    }
    const { goal } = await json(await call(app, alice.bearer, "GET", `/api/goals/${goalId}`), 200);
    assertEquals([goal.title, goal.pinned], [HTML, false]);
  });

  await t.step("GET /api/goals: pinned first in pin order; X-Cache MISS → HIT → MISS after a write", async () => {
    const first = await newGoal(app, alice, { title: "Second newest" });
    const second = await newGoal(app, alice, { title: "Newest" });
    const list1 = await call(app, alice.bearer, "GET", "/api/goals");
    assertEquals(list1.headers.get("x-cache"), "MISS");
    const { goals: before } = await json(list1, 200);
    assertEquals(before.map((g: { title: string }) => g.title), ["Newest", "Second newest", HTML]);
    const hit = await call(app, alice.bearer, "GET", "/api/goals");
    assertEquals(hit.headers.get("x-cache"), "HIT");
    await json(hit, 200);

    const pinned = await json(
      await call(app, alice.bearer, "PATCH", "/api/goals/pin", { goalId, pinned: true }),
      200,
    );
    assertEquals([pinned.goal.id, pinned.goal.pinned, pinned.goal.pinPosition], [goalId, true, 0]);
    await json(
      await call(app, alice.bearer, "PATCH", "/api/goals/pin", { goalId: first.id, pinned: true, position: 0 }),
      200,
    );
    const list2 = await call(app, alice.bearer, "GET", "/api/goals");
    assertEquals(list2.headers.get("x-cache"), "MISS");
    const { goals } = await json(list2, 200);
    assertEquals(goals.map((g: { id: string }) => g.id), [first.id, goalId, second.id]);
    assertEquals(goals.map((g: { pinPosition: number | null }) => g.pinPosition), [0, 1, null]);
  });

  await t.step("DELETE → 204 empty; then 404", async () => {
    const del = await call(app, alice.bearer, "DELETE", `/api/milestones/${milestoneId}`);
    assertEquals([del.status, await del.text()], [204, ""]);
    const delS = await call(app, alice.bearer, "DELETE", `/api/subgoals/${subgoalId}`);
    assertEquals(delS.status, 204);
    await delS.body?.cancel();
    const res = await call(app, alice.bearer, "DELETE", `/api/goals/${goalId}`);
    assertEquals([res.status, await res.text()], [204, ""]);
    await json(await call(app, alice.bearer, "GET", `/api/goals/${goalId}`), 404);
  });

  await t.step("the plan limit: the 21st goal on free → 402 naming the limit and /upgrade", async () => {
    const carol = await createTestUser(services);
    for (let i = 0; i < 20; i++) await newGoal(app, carol, { title: `G${i}` });
    const body = await json(await call(app, carol.bearer, "POST", "/api/goals", { title: "One more" }), 402);
    assertEquals(body.error.code, "plan_limit");
    assertMatch(body.error.message, /20 goals/);
    assert(body.error.message.includes("/upgrade"), body.error.message);
  });
});
