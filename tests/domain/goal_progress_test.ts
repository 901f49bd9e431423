/** The one progress rule of domain/goal_progress.ts, case by case. */
import { type GoalParts, goalProgress } from "@/domain/goal_progress.ts";
import { assertEquals } from "@/tests/support/assert.ts";

const m = (done: boolean) => ({ done });
const s = (progress: number, done = false) => ({ progress, done });

const CASES: [string, GoalParts, number][] = [
  ["no parts, active → 0", { status: "active", milestones: [], subgoals: [] }, 0],
  ["no parts, done → 100", { status: "done", milestones: [], subgoals: [] }, 100],
  ["no parts, dropped → 0", { status: "dropped", milestones: [], subgoals: [] }, 0],
  ["status done wins over parts", { status: "done", milestones: [m(false)], subgoals: [s(0)] }, 100],
  ["milestones only: done share", {
    status: "active",
    milestones: [m(true), m(false), m(false), m(true)],
    subgoals: [],
  }, 50],
  ["subgoals only: mean progress", { status: "active", milestones: [], subgoals: [s(20), s(60)] }, 40],
  ["a done subgoal counts 100 whatever its progress", {
    status: "active",
    milestones: [],
    subgoals: [s(10, true), s(0)],
  }, 50],
  ["every part weighs the same", { status: "active", milestones: [m(true), m(false)], subgoals: [s(50)] }, 50],
  ["rounded down: 2 of 3 → 66", { status: "active", milestones: [m(true), m(true), m(false)], subgoals: [] }, 66],
  ["99.67 is not 100", { status: "active", milestones: [m(true), m(true)], subgoals: [s(99)] }, 99],
  ["all finished → 100", { status: "active", milestones: [m(true)], subgoals: [s(100), s(3, true)] }, 100],
  ["dropped keeps its parts' progress", { status: "dropped", milestones: [m(true)], subgoals: [s(0)] }, 50],
  ["out-of-range progress is clamped", { status: "active", milestones: [], subgoals: [s(150), s(-20)] }, 50],
];

Deno.test("goalProgress", async (t) => {
  for (const [name, goal, expected] of CASES) {
    await t.step(name, () => assertEquals(goalProgress(goal), expected));
  }
});
