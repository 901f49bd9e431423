/**
 * A goal's progress bar on its page, kept in step with its subgoals: each subgoal's
 * progress is a signal the `SubgoalProgress` islands write, and the goal's percentage is
 * recomputed from them by the one rule (domain/goal_progress.ts), so a subgoal moved to 50 %
 * moves the goal's bar with it. Same markup as `ProgressBar` (components/ProgressBar.tsx).
 *
 * @example
 * ```tsx
 * <GoalProgressBar status={goal.status} milestones={goal.milestones.map(({ done }) => ({ done }))}
 *   subgoals={goal.subgoals.map((s) => ({ done: s.done, progress: progressOf.get(s.id)! }))} />
 * ```
 */
import type { Signal } from "@preact/signals";
import { goalProgress, type GoalStatus } from "@/domain/goal_progress.ts";

export interface GoalProgressBarProps {
  status: GoalStatus;
  milestones: { done: boolean }[];
  subgoals: { done: boolean; progress: Signal<number> }[];
  label: string;
}

export default function GoalProgressBar({ status, milestones, subgoals, label }: GoalProgressBarProps) {
  const percent = goalProgress({
    status,
    milestones,
    subgoals: subgoals.map((s) => ({ done: s.done, progress: s.progress.value })),
  });
  return (
    <div class="progress">
      <progress max={100} value={percent} aria-label={label}>{percent}%</progress>
      <span class="progress-value">{percent}%</span>
    </div>
  );
}
