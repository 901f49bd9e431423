/**
 * The goal functions of sql/006_goals.sql through db/goals.ts: the plan limit under
 * concurrency, ownership, the pin upsert and its dense positions under concurrency, and
 * one activity row per call.
 */
import type { Db } from "@/db/client.ts";
import {
  createGoal,
  createMilestone,
  createSubgoal,
  deleteGoal,
  deleteMilestone,
  deleteSubgoal,
  getGoal,
  listGoals,
  listPinnedGoals,
  pinGoal,
  updateGoal,
  updateMilestone,
  updateSubgoal,
} from "@/db/goals.ts";
import { RuleViolation } from "@/domain/rules.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";

async function newUser(db: Db, plan: "free" | "pro" = "free"): Promise<string> {
  const [row] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash, plan_id)
    values (${`goals-${crypto.randomUUID()}@example.test`}, 'test-only', ${plan})
    returning id::text as id`;
  return row.id;
}

async function actions(db: Db, userId: string): Promise<string[]> {
  const rows = await db.sql<{ action: string }[]>`
    select action from activity where user_id = ${userId}::uuid order by id`;
  return rows.map((r) => r.action);
}

async function pinPositions(db: Db, userId: string): Promise<number[]> {
  const rows = await db.sql<{ position: number }[]>`
    select position from goal_pins where user_id = ${userId}::uuid order by position`;
  return rows.map((r) => r.position);
}

Deno.test("goals in the database", async (t) => {
  await using testDb = await openTestDb({ poolMax: 25 });
  const { db } = testDb;

  await t.step("25 concurrent creations on the free plan: exactly 20 succeed, the rest get plan_limit", async () => {
    const userId = await newUser(db);
    const results = await Promise.allSettled(
      Array.from({ length: 25 }, (_, i) => createGoal(db, userId, { title: `Goal ${i}` })),
    );
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    assertEquals([results.length - refused.length, refused.length], [20, 5]);
    for (const { reason } of refused) {
      assert(reason instanceof RuleViolation, String(reason));
      assertEquals(reason.kind, "plan_limit");
      assertMatch(reason.message, /free plan allows 20 goals.*\/upgrade/);
    }
    const [{ count }] = await db.sql<{ count: number }[]>`
      select count(*)::int as count from goals where user_id = ${userId}::uuid`;
    assertEquals(count, 20);
    assertEquals((await actions(db, userId)).filter((a) => a === "goal.created").length, 20);
  });

  await t.step("parts, progress, updates and one activity row per call", async () => {
    const userId = await newUser(db);
    const goal = await createGoal(db, userId, { title: "Marathon", description: "Sub 4h", targetDate: "2026-10-04" });
    assertEquals([goal.progress, goal.status, goal.pinned, goal.targetDate], [0, "active", false, "2026-10-04"]);
    const m1 = (await createMilestone(db, userId, { goalId: goal.id, title: "10 km", dueDate: "2026-04-01" }))!;
    const m2 = (await createMilestone(db, userId, { goalId: goal.id, title: "Half" }))!;
    assertEquals([m1.position, m2.position, m2.dueDate], [0, 1, null]);
    const sub = (await createSubgoal(db, userId, { goalId: goal.id, title: "Shoes" }))!;
    assertEquals((await updateMilestone(db, userId, m1.id, { done: true, dueDate: null }))!.dueDate, null);
    assertEquals((await updateSubgoal(db, userId, sub.id, { progress: 50 }))!.progress, 50);
    // (100 + 0 + 50) / 3
    assertEquals((await getGoal(db, userId, goal.id))!.progress, 50);
    const done = (await updateGoal(db, userId, goal.id, { status: "done", description: null }))!;
    assertEquals([done.progress, done.description], [100, null]);
    assert(await deleteMilestone(db, userId, m2.id));
    assert(await deleteSubgoal(db, userId, sub.id));
    assertEquals((await getGoal(db, userId, goal.id))!.milestones.map((m) => m.id), [m1.id]);
    assert(await deleteGoal(db, userId, goal.id));
    assertEquals(await getGoal(db, userId, goal.id), null);
    assertEquals(await actions(db, userId), [
      "goal.created",
      "milestone.created",
      "milestone.created",
      "subgoal.created",
      "milestone.updated",
      "subgoal.updated",
      "goal.updated",
      "milestone.deleted",
      "subgoal.deleted",
      "goal.deleted",
    ]);
  });

  await t.step("another user's or a malformed id is not found and writes nothing", async () => {
    const owner = await newUser(db);
    const other = await newUser(db);
    const goal = await createGoal(db, owner, { title: "Mine" });
    const m = (await createMilestone(db, owner, { goalId: goal.id, title: "M" }))!;
    const s = (await createSubgoal(db, owner, { goalId: goal.id, title: "S" }))!;
    for (const id of [goal.id, "not-a-uuid", crypto.randomUUID()]) {
      assertEquals(await getGoal(db, other, id), null);
      assertEquals(await updateGoal(db, other, id, { title: "x" }), null);
      assertEquals(await deleteGoal(db, other, id), false);
      assertEquals(await pinGoal(db, other, { goalId: id, pinned: true }), null);
      assertEquals(await createMilestone(db, other, { goalId: id, title: "x" }), null);
      assertEquals(await createSubgoal(db, other, { goalId: id, title: "x" }), null);
    }
    for (const id of [m.id, "nope"]) {
      assertEquals(await updateMilestone(db, other, id, { done: true }), null);
      assertEquals(await deleteMilestone(db, other, id), false);
    }
    for (const id of [s.id, "nope"]) {
      assertEquals(await updateSubgoal(db, other, id, { done: true }), null);
      assertEquals(await deleteSubgoal(db, other, id), false);
    }
    assertEquals(await actions(db, other), []);
    assertEquals((await getGoal(db, owner, goal.id))!.title, "Mine");
  });

  await t.step(
    "pin is an upsert: repeating keeps one row and its place; reorder and unpin keep positions dense",
    async () => {
      const userId = await newUser(db);
      const [a, b, c] = [
        await createGoal(db, userId, { title: "A" }),
        await createGoal(db, userId, { title: "B" }),
        await createGoal(db, userId, { title: "C" }),
      ];
      await pinGoal(db, userId, { goalId: a.id, pinned: true });
      await pinGoal(db, userId, { goalId: b.id, pinned: true });
      const again = (await pinGoal(db, userId, { goalId: a.id, pinned: true }))!;
      assertEquals([again.pinned, again.pinPosition], [true, 0]);
      assertEquals(await pinPositions(db, userId), [0, 1]);
      await pinGoal(db, userId, { goalId: c.id, pinned: true, position: 0 });
      assertEquals((await listPinnedGoals(db, userId)).map((g) => g.title), ["C", "A", "B"]);
      await pinGoal(db, userId, { goalId: c.id, pinned: true, position: 99 });
      assertEquals((await listPinnedGoals(db, userId)).map((g) => g.title), ["A", "B", "C"]);
      await pinGoal(db, userId, { goalId: a.id, pinned: false });
      await pinGoal(db, userId, { goalId: a.id, pinned: false });
      assertEquals(await pinPositions(db, userId), [0, 1]);
      assertEquals((await listGoals(db, userId)).map((g) => [g.title, g.pinPosition]), [
        ["B", 0],
        ["C", 1],
        ["A", null],
      ]);
      await deleteGoal(db, userId, b.id);
      assertEquals(await pinPositions(db, userId), [0]);
      assertEquals((await actions(db, userId)).filter((x) => x.startsWith("goal.")).length, 3 + 7 + 1);
    },
  );

  await t.step("concurrent pins and reorders keep positions dense and unique", async () => {
    const userId = await newUser(db, "pro");
    const goals = [];
    for (let i = 0; i < 12; i++) goals.push(await createGoal(db, userId, { title: `G${i}` }));
    await Promise.all(goals.map((g, i) => pinGoal(db, userId, { goalId: g.id, pinned: true, position: i % 3 })));
    assertEquals(await pinPositions(db, userId), [...Array(12).keys()]);
    await Promise.all(
      goals.map((g, i) => pinGoal(db, userId, { goalId: g.id, pinned: i % 2 === 0, position: 11 - i })),
    );
    assertEquals(await pinPositions(db, userId), [...Array(6).keys()]);
  });

  await t.step("rules the schemas enforce are refused by the tables too", async () => {
    const userId = await newUser(db);
    const error = await assertRejects(() => createGoal(db, userId, { title: "" }));
    assert(error instanceof RuleViolation && error.kind === "invalid", String(error));
  });
});
