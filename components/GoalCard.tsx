/**
 * One goal in a list (the goals page, the dashboard's pinned goals): its title linking
 * to its page, status, target date, progress, and the pin toggle (an island that is a
 * plain form post to `/goals/pin` without JavaScript, coming back to `back`).
 *
 * @example
 * ```tsx
 * <GoalCard goal={goal} back="/goals" />
 * ```
 */
import type { Goal } from "@/domain/goal_input.ts";
import { formatDay } from "@/domain/calendar.ts";
import GoalPinToggle from "@/islands/GoalPinToggle.tsx";
import { countOf } from "./habit_labels.ts";
import { ProgressBar } from "./ProgressBar.tsx";

export const STATUS_LABELS: Record<Goal["status"], string> = {
  active: "Active",
  done: "Done",
  dropped: "Dropped",
};

/** "1 of 3 milestones done · 0 of 1 subgoal done"; "No milestones or subgoals yet". */
export function itemCounts(goal: Pick<Goal, "milestones" | "subgoals">): string {
  const done = (items: { done: boolean }[], noun: string) =>
    `${items.filter((item) => item.done).length} of ${countOf(items.length, noun)} done`;
  const parts = [];
  if (goal.milestones.length > 0) parts.push(done(goal.milestones, "milestone"));
  if (goal.subgoals.length > 0) parts.push(done(goal.subgoals, "subgoal"));
  return parts.length > 0 ? parts.join(" · ") : "No milestones or subgoals yet";
}

/** A pinned goal's "Move up" / "Move down": a pin post with the new position (no JavaScript needed). */
function MoveForm({ goal, back, to, label }: { goal: Goal; back: string; to: number; label: string }) {
  return (
    <form method="post" action="/goals/pin" class="inline-form">
      <input type="hidden" name="goalId" value={goal.id} />
      <input type="hidden" name="pinned" value="true" />
      <input type="hidden" name="position" value={String(to)} />
      <input type="hidden" name="back" value={back} />
      <button type="submit" class="link-button" aria-label={`${label}: ${goal.title}`}>{label}</button>
    </form>
  );
}

/**
 * `last`: whether this is the last pinned goal (no "Move down"). Pinned goals get
 * "Move up"/"Move down" forms that reorder them.
 */
export function GoalCard({ goal, back, last = false }: { goal: Goal; back: string; last?: boolean }) {
  const position = goal.pinPosition;
  return (
    <li class={`goal-card goal-${goal.status}`}>
      <div class="goal-card-head">
        <h3>
          {goal.pinned && <span class="goal-pin-mark" aria-label="Pinned">📌</span>}
          <a href={`/goals/${goal.id}`}>{goal.title}</a>
        </h3>
        <span class={`badge badge-${goal.status}`}>{STATUS_LABELS[goal.status]}</span>
      </div>
      <ProgressBar value={goal.progress} label={`${goal.title}: progress`} />
      <p class="muted small">
        {goal.targetDate
          ? (
            <>
              Target <time dateTime={goal.targetDate}>{formatDay(goal.targetDate)}</time> ·{" "}
            </>
          )
          : null}
        {itemCounts(goal)}
      </p>
      <div class="item-actions">
        <GoalPinToggle goalId={goal.id} title={goal.title} pinned={goal.pinned} back={back} />
        {position !== null && position > 0 && <MoveForm goal={goal} back={back} to={position - 1} label="Move up" />}
        {position !== null && !last && <MoveForm goal={goal} back={back} to={position + 1} label="Move down" />}
      </div>
    </li>
  );
}

/**
 * The dashboard's "Pinned goals": the pinned goals in their order with their progress;
 * nothing when none is pinned.
 *
 * @example
 * ```tsx
 * <PinnedGoals goals={await listPinnedGoals(db, user.id)} />
 * ```
 */
export function PinnedGoals({ goals }: { goals: Goal[] }) {
  if (goals.length === 0) return null;
  return (
    <section class="card pinned-goals" aria-labelledby="pinned-goals-heading">
      <h2 id="pinned-goals-heading">Pinned goals</h2>
      <ul class="goal-list">
        {goals.map((goal) => (
          <GoalCard
            key={goal.id}
            goal={goal}
            back="/app"
            last={goal === goals[goals.length - 1]}
          />
        ))}
      </ul>
      <p class="muted small">
        <a href="/goals">All goals</a>
      </p>
    </section>
  );
}
