/**
 * The one rule for how far along a goal is, as a whole percentage 0–100:
 *
 * 1. A goal whose status is `done` is 100, whatever its parts say.
 * 2. Otherwise every part counts once, equally: each subgoal counts its progress
 *    (a subgoal marked done counts 100), each milestone counts 100 when done, else 0.
 *    The goal's progress is the mean over all parts, rounded down, so 100 means every
 *    part is finished (99.6 is not "done").
 * 3. A goal with no parts is 0 (a `done` one is 100 by rule 1).
 *
 * A `dropped` goal keeps the progress its parts show: dropping is not finishing.
 *
 * @example
 * ```ts
 * goalProgress({ status: "active", milestones: [{ done: true }, { done: false }], subgoals: [{ progress: 50, done: false }] });
 * // (100 + 0 + 50) / 3 → 50
 * ```
 */

export type GoalStatus = "active" | "done" | "dropped";

/** What the rule reads of a goal. */
export interface GoalParts {
  status: GoalStatus;
  milestones: readonly { done: boolean }[];
  subgoals: readonly { progress: number; done: boolean }[];
}

/** The goal's progress, 0–100, by the rule above. */
export function goalProgress(goal: GoalParts): number {
  if (goal.status === "done") return 100;
  const parts = [
    ...goal.milestones.map((m) => (m.done ? 100 : 0)),
    ...goal.subgoals.map((s) => (s.done ? 100 : clampPercent(s.progress))),
  ];
  if (parts.length === 0) return 0;
  const sum = parts.reduce((a, b) => a + b, 0);
  return Math.floor(sum / parts.length);
}

function clampPercent(n: number): number {
  return Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : 0;
}
