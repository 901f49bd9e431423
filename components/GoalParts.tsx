/**
 * A goal's parts on its page: the milestones timeline and the subgoal list. Both are one
 * {@linkcode GoalPartList}: a card with the parts, each with its "Mark done"/"Reopen" and
 * "Delete" forms, and an add form. Every form posts to the goal page with an `intent`
 * (`milestone-update`, `subgoal-add`, …) and works without JavaScript; a failed add form
 * comes back with the user's input and its problems.
 *
 * @example
 * ```tsx
 * <MilestoneList milestones={goal.milestones} add={failedFor(failed, "milestone-add")} />
 * ```
 */
import type { ComponentChildren } from "preact";
import type { Signal } from "@preact/signals";
import type { Milestone, Subgoal } from "@/domain/goal_input.ts";
import { formatDay } from "@/domain/calendar.ts";
import { MILESTONE_TITLE_MAX, SUBGOAL_TITLE_MAX } from "@/domain/limits.ts";
import type { FieldErrors } from "@/lib/validate.ts";
import SubgoalProgress from "@/islands/SubgoalProgress.tsx";
import { Field, Form } from "./form.tsx";

/** A failed form shown again: what the user typed and what was wrong. */
export interface FailedPartForm {
  values: Record<string, string>;
  errors: FieldErrors;
}

type PartKind = "milestone" | "subgoal";

/** The "Mark done"/"Reopen" and "Delete" forms of one part. */
function PartActions(props: { kind: PartKind; id: string; done: boolean }) {
  return (
    <div class="item-actions">
      <form method="post" class="inline-form">
        <input type="hidden" name="intent" value={`${props.kind}-update`} />
        <input type="hidden" name="id" value={props.id} />
        <input type="hidden" name="done" value={props.done ? "false" : "true"} />
        <button type="submit" class="link-button">{props.done ? "Reopen" : "Mark done"}</button>
      </form>
      <form method="post" class="inline-form">
        <input type="hidden" name="intent" value={`${props.kind}-delete`} />
        <input type="hidden" name="id" value={props.id} />
        <button type="submit" class="link-button danger">Delete</button>
      </form>
    </div>
  );
}

interface GoalPartListProps<T extends { id: string; done: boolean }> {
  kind: PartKind;
  /** "Milestones". */
  heading: string;
  parts: readonly T[];
  /** A timeline is ordered (`ol`), a list is not. */
  ordered: boolean;
  listClass: string;
  /** One part's `<li>`; its actions come from {@linkcode PartActions}. */
  item: (part: T, actions: ComponentChildren) => ComponentChildren;
  titleMax: number;
  /** The add form's fields after the title. */
  addFields?: ComponentChildren;
  add?: FailedPartForm;
}

/** A card of a goal's parts of one kind, with their forms and the add form. */
export function GoalPartList<T extends { id: string; done: boolean }>(props: GoalPartListProps<T>) {
  const { kind, add } = props;
  const List = props.ordered ? "ol" : "ul";
  return (
    <section class="card" aria-labelledby={`${kind}s-heading`}>
      <h2 id={`${kind}s-heading`}>{props.heading}</h2>
      {props.parts.length === 0
        ? <p class="muted">No {props.heading.toLowerCase()} yet.</p>
        : (
          <List class={props.listClass}>
            {props.parts.map((part) => props.item(part, <PartActions kind={kind} id={part.id} done={part.done} />))}
          </List>
        )}
      <Form id={`${kind}-add`} method="post" class="inline-add">
        <input type="hidden" name="intent" value={`${kind}-add`} />
        <Field
          label={`New ${kind}`}
          name="title"
          value={add?.values.title}
          error={add?.errors.title}
          required
          maxLength={props.titleMax}
        />
        {props.addFields}
        <button type="submit" class="button">Add {kind}</button>
      </Form>
    </section>
  );
}

/** A goal's milestones as a timeline, with their due dates. */
export function MilestoneList(props: { milestones: readonly Milestone[]; add?: FailedPartForm }) {
  return (
    <GoalPartList
      kind="milestone"
      heading="Milestones"
      parts={props.milestones}
      ordered
      listClass="timeline"
      titleMax={MILESTONE_TITLE_MAX}
      add={props.add}
      item={(m, actions) => (
        <li class={m.done ? "timeline-item done" : "timeline-item"}>
          <span class="timeline-dot" aria-hidden="true"></span>
          <div class="timeline-body">
            <strong>{m.title}</strong>
            {m.dueDate && (
              <span class="muted small milestone-due">
                due <time dateTime={m.dueDate}>{formatDay(m.dueDate)}</time>
              </span>
            )}
            {m.done && <span class="badge badge-done">Done</span>}
            {actions}
          </div>
        </li>
      )}
      addFields={
        <Field
          label="Due date (optional)"
          name="dueDate"
          type="date"
          value={props.add?.values.dueDate}
          error={props.add?.errors.dueDate}
        />
      }
    />
  );
}

/**
 * A goal's subgoals, each with its progress form (an island that saves at once; the
 * goal's bar follows through `progressOf`). `failedUpdate` is the subgoal whose progress
 * form failed, to show again.
 */
export function SubgoalList(props: {
  goalId: string;
  subgoals: readonly Subgoal[];
  progressOf: ReadonlyMap<string, Signal<number>>;
  failedUpdate?: { id: string } & FailedPartForm;
  add?: FailedPartForm;
}) {
  return (
    <GoalPartList
      kind="subgoal"
      heading="Subgoals"
      parts={props.subgoals}
      ordered={false}
      listClass="subgoal-list"
      titleMax={SUBGOAL_TITLE_MAX}
      add={props.add}
      item={(s, actions) => {
        const failed = props.failedUpdate?.id === s.id ? props.failedUpdate : undefined;
        return (
          <li class={s.done ? "subgoal done" : "subgoal"}>
            <div class="subgoal-head">
              <strong>{s.title}</strong>
              {s.done && <span class="badge badge-done">Done</span>}
            </div>
            <SubgoalProgress
              goalId={props.goalId}
              subgoalId={s.id}
              title={s.title}
              progress={props.progressOf.get(s.id)!}
              done={s.done}
              typed={failed?.values.progress}
              error={failed?.errors.progress}
            />
            {actions}
          </li>
        );
      }}
    />
  );
}
