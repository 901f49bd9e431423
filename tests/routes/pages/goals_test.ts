/**
 * The goal pages with JavaScript off: plain form posts and 303 redirects (create, add a
 * milestone and a subgoal, mark done, set progress, pin, edit, delete), forms that come
 * back with the user's input and messages, escaping of what users type, and 404 for
 * another user's goals on every page and form. Also the dashboard's pinned goals.
 */
import { assert, assertEquals, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";
import { getGoal, listGoals } from "@/db/goals.ts";
import { html } from "@/tests/support/pages.ts";

const PAYLOAD = `<img src=x onerror="alert(1)">`;
const ESCAPED = "&lt;img src=x onerror=";

function post(user: TestUser, fields: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: { ...user.session, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  };
}

function redirectsTo(res: Response, location: string): void {
  assertEquals(res.status, 303);
  assertEquals(res.headers.get("location"), location);
}

Deno.test("goal pages", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const { db } = services;
  const alice = await createTestUser(services);
  const mallory = await createTestUser(services);

  await t.step("signed out: the goal pages redirect to the log-in page", async () => {
    for (const path of ["/goals", `/goals/${crypto.randomUUID()}`]) {
      const res = await app.request(path);
      assertEquals(res.status, 303, path);
      assertEquals(res.headers.get("location"), `/login?next=${encodeURIComponent(path)}`);
    }
  });

  let goalId = "";
  await t.step("create: 303 to the goal's page, which shows the title escaped", async () => {
    const list = await html(await app.request("/goals", { headers: alice.session }), 200);
    assertStringIncludes(list, 'action="/goals"');
    const res = await app.request("/goals", post(alice, { title: PAYLOAD, description: "", targetDate: "2026-12-01" }));
    const [goal] = await listGoals(db, alice.id);
    redirectsTo(res, `/goals/${goal.id}`);
    goalId = goal.id;
    assertEquals([goal.title, goal.description, goal.targetDate], [PAYLOAD, null, "2026-12-01"]);
    const page = await html(await app.request(`/goals/${goalId}`, { headers: alice.session }), 200);
    assertStringIncludes(page, ESCAPED);
    assert(!page.includes(PAYLOAD), "the payload must not appear unescaped");
  });

  await t.step("create with bad input: 400, the form again with the input and every message", async () => {
    const res = await app.request("/goals", post(alice, { title: "", description: PAYLOAD, targetDate: "2026-02-31" }));
    const page = await html(res, 400);
    assertStringIncludes(page, 'id="field-title-error">Enter a title<');
    assertStringIncludes(page, 'id="field-targetDate-error">Enter a real date as YYYY-MM-DD<');
    assertStringIncludes(page, ESCAPED); // the description typed comes back, escaped
    assertStringIncludes(page, 'value="2026-02-31"');
  });

  await t.step("add a milestone and a subgoal, mark done, set progress", async () => {
    redirectsTo(
      await app.request(`/goals/${goalId}`, post(alice, { intent: "milestone-add", title: "Half", dueDate: "" })),
      `/goals/${goalId}`,
    );
    redirectsTo(
      await app.request(`/goals/${goalId}`, post(alice, { intent: "subgoal-add", title: PAYLOAD })),
      `/goals/${goalId}`,
    );
    let goal = (await getGoal(db, alice.id, goalId))!;
    const [m] = goal.milestones;
    const [s] = goal.subgoals;
    redirectsTo(
      await app.request(`/goals/${goalId}`, post(alice, { intent: "milestone-update", id: m.id, done: "true" })),
      `/goals/${goalId}`,
    );
    redirectsTo(
      await app.request(`/goals/${goalId}`, post(alice, { intent: "subgoal-update", id: s.id, progress: "30" })),
      `/goals/${goalId}`,
    );
    goal = (await getGoal(db, alice.id, goalId))!;
    assertEquals([goal.milestones[0].done, goal.subgoals[0].progress, goal.progress], [true, 30, 65]);
    const page = await html(await app.request(`/goals/${goalId}`, { headers: alice.session }), 200);
    assertStringIncludes(page, 'value="65"');
    // The pin toggle, the goal's bar and the subgoal's progress are islands: server-rendered markup plus
    // hydration markers; their props (the payload title among them) are serialized escaped too.
    assertEquals(page.match(/<!--frsh:island:\d+-->/g)?.length, 3);
    assert(!page.includes(PAYLOAD));
  });

  await t.step("bad milestone, progress or edit input: 400 with the message next to the form", async () => {
    const page = await html(
      await app.request(`/goals/${goalId}`, post(alice, { intent: "milestone-add", title: " ", dueDate: "nope" })),
      400,
    );
    // Each form on the page has ids of its own (components/form.tsx's Form).
    assertStringIncludes(page, 'id="milestone-add-title-error">Enter a title<');
    assertStringIncludes(page, 'id="milestone-add-dueDate-error">Enter a real date as YYYY-MM-DD<');
    const s = (await getGoal(db, alice.id, goalId))!.subgoals[0];
    const progress = await html(
      await app.request(`/goals/${goalId}`, post(alice, { intent: "subgoal-update", id: s.id, progress: "250" })),
      400,
    );
    assertStringIncludes(progress, "Progress is a whole number from 0 to 100");
    assertStringIncludes(progress, 'value="250"');
    const edit = await html(
      await app.request(`/goals/${goalId}`, post(alice, { intent: "goal-update", title: "x", status: "won" })),
      400,
    );
    assertStringIncludes(edit, 'id="goal-edit-status-error"');
    assertEquals((await getGoal(db, alice.id, goalId))!.subgoals[0].progress, 30);
  });

  await t.step("pin from the list; the dashboard shows pinned goals with progress", async () => {
    redirectsTo(await app.request("/goals/pin", post(alice, { goalId, pinned: "true", back: "/app" })), "/app");
    redirectsTo(
      await app.request("/goals/pin", post(alice, { goalId, pinned: "true", back: "https://evil.example" })),
      `/goals/${goalId}`,
    );
    assertEquals((await getGoal(db, alice.id, goalId))!.pinPosition, 0);
    // The dashboard shows its empty state without habits; give Alice one.
    const habit = await app.request("/api/habits", {
      method: "POST",
      headers: { ...alice.bearer, "content-type": "application/json" },
      body: JSON.stringify({ name: "Read" }),
    });
    assertEquals(habit.status, 201);
    await habit.body?.cancel();
    const dashboard = await html(await app.request("/app", { headers: alice.session }), 200);
    assertStringIncludes(dashboard, "Pinned goals");
    assertStringIncludes(dashboard, ESCAPED);
    assertStringIncludes(dashboard, `href="/goals/${goalId}"`);
  });

  await t.step("reorder pinned goals with Move up / Move down forms", async () => {
    const created = await app.request("/goals", post(alice, { title: "Second" }));
    const secondId = created.headers.get("location")!.split("/").pop()!;
    redirectsTo(
      await app.request("/goals/pin", post(alice, { goalId: secondId, pinned: "true", back: "/goals" })),
      "/goals",
    );
    const list = await html(await app.request("/goals", { headers: alice.session }), 200);
    assertStringIncludes(list, 'aria-label="Move up: Second"');
    assertStringIncludes(list, `aria-label="Move down: ${ESCAPED}`);
    redirectsTo(
      await app.request("/goals/pin", post(alice, { goalId: secondId, pinned: "true", position: "0", back: "/goals" })),
      "/goals",
    );
    assertEquals((await listGoals(db, alice.id)).map((g) => [g.id, g.pinPosition]), [[secondId, 0], [goalId, 1]]);
    const bad = await html(
      await app.request("/goals/pin", post(alice, { goalId, pinned: "maybe", position: "-1" })),
      400,
    );
    assertStringIncludes(bad, "2 fields need attention"); // hidden fields only: the error page, not a form
    redirectsTo(await app.request(`/goals/${secondId}/delete`, post(alice, {})), "/goals");
    assertEquals((await getGoal(db, alice.id, goalId))!.pinPosition, 0);
  });

  await t.step("edit: status done → 303, progress 100", async () => {
    redirectsTo(
      await app.request(
        `/goals/${goalId}`,
        post(alice, { intent: "goal-update", title: "Marathon", description: "", targetDate: "", status: "done" }),
      ),
      `/goals/${goalId}`,
    );
    const goal = (await getGoal(db, alice.id, goalId))!;
    assertEquals([goal.title, goal.status, goal.progress, goal.targetDate], ["Marathon", "done", 100, null]);
  });

  await t.step("another user's goal, milestone or subgoal: 404 on every page and form, nothing changes", async () => {
    const goal = (await getGoal(db, alice.id, goalId))!;
    for (const id of [goalId, "not-a-uuid", crypto.randomUUID()]) {
      await html(await app.request(`/goals/${id}`, { headers: mallory.session }), 404);
      await html(await app.request(`/goals/${id}/delete`, { headers: mallory.session }), 404);
      await html(await app.request(`/goals/${id}`, post(mallory, { intent: "subgoal-add", title: "x" })), 404);
      await html(await app.request(`/goals/${id}/delete`, post(mallory, {})), 404);
      await html(await app.request("/goals/pin", post(mallory, { goalId: id, pinned: "false" })), 404);
    }
    // Mallory's own goal, but Alice's milestone and subgoal ids.
    const own = await app.request("/goals", post(mallory, { title: "Mine" }));
    const ownId = own.headers.get("location")!.split("/").pop()!;
    const foreign: Record<string, string>[] = [
      { intent: "milestone-update", id: goal.milestones[0].id, done: "false" },
      { intent: "subgoal-delete", id: goal.subgoals[0].id },
    ];
    for (const fields of foreign) {
      await html(await app.request(`/goals/${ownId}`, post(mallory, fields)), 404);
    }
    const after = (await getGoal(db, alice.id, goalId))!;
    assertEquals([after.pinned, after.milestones[0].done, after.subgoals.length], [true, true, 1]);
  });

  await t.step("delete: confirmation page, then 303 to the list and gone", async () => {
    const confirm = await html(await app.request(`/goals/${goalId}/delete`, { headers: alice.session }), 200);
    assertStringIncludes(confirm, `action="/goals/${goalId}/delete"`);
    const s = (await getGoal(db, alice.id, goalId))!.subgoals[0];
    redirectsTo(
      await app.request(`/goals/${goalId}`, post(alice, { intent: "subgoal-delete", id: s.id })),
      `/goals/${goalId}`,
    );
    redirectsTo(await app.request(`/goals/${goalId}/delete`, post(alice, {})), "/goals");
    assertEquals(await getGoal(db, alice.id, goalId), null);
  });
});
