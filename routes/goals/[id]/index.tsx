import { ErrorSummary, Field, Form, SelectField, TextareaField } from "@/components/form.tsx";
import { formProblems } from "@/components/form_problems.ts";
import { STATUS_LABELS } from "@/components/GoalCard.tsx";
import type { DbQueries } from "@/db/client.ts";
import {
  createMilestone,
  createSubgoal,
  deleteMilestone,
  deleteSubgoal,
  getGoal,
  type Goal,
  updateGoal,
  updateMilestone,
  updateSubgoal,
} from "@/db/goals.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { formatDay } from "@/domain/calendar.ts";
import { HttpError, page } from "fresh";
import {
  goalFormToInput,
  goalUpdateSchema,
  milestoneCreateSchema,
  milestoneFormToInput,
  milestoneUpdateSchema,
  subgoalCreateSchema,
  subgoalFormToInput,
  subgoalUpdateSchema,
} from "@/domain/goal_input.ts";
import { setFlash } from "@/app/flash.ts";
import { define } from "@/app/state.ts";
import GoalPinToggle from "@/islands/GoalPinToggle.tsx";
import { MilestoneList, SubgoalList } from "@/components/GoalParts.tsx";
import GoalProgressBar from "@/islands/GoalProgressBar.tsx";
import { signal } from "@preact/signals";
import { type FieldErrors, parseInput } from "@/lib/validate.ts";
import { GOAL_DESCRIPTION_MAX, GOAL_TITLE_MAX } from "@/domain/limits.ts";
import { formString } from "@/domain/form_fields.ts";

const NOT_FOUND = "No goal with that id";

type Form = Record<string, unknown>;

type Change = (db: DbQueries, userId: string, goal: Goal, form: Form, item: string) => Promise<unknown>;

/**
 * The page's forms, by their `intent` field: each validates its fields and makes one
 * change through db/goals.ts. False means "not this user's" (a 404). `item` is the
 * milestone's or subgoal's id, already checked to belong to `goal`. A Map: the intent
 * comes from the client, and `hasOwnProperty` or `__proto__` must find nothing.
 */
const INTENTS = new Map<string, Change>(Object.entries(
  {
    "goal-update": (db, userId, goal, form) =>
      updateGoal(db, userId, goal.id, parseInput(goalUpdateSchema, goalFormToInput(form))),
    "milestone-add": (db, userId, goal, form) =>
      createMilestone(
        db,
        userId,
        parseInput(milestoneCreateSchema, { ...milestoneFormToInput(form), goalId: goal.id }),
      ),
    "milestone-update": (db, userId, _goal, form, item) =>
      updateMilestone(db, userId, item, parseInput(milestoneUpdateSchema, milestoneFormToInput(form))),
    "milestone-delete": (db, userId, _goal, _form, item) => deleteMilestone(db, userId, item),
    "subgoal-add": (db, userId, goal, form) =>
      createSubgoal(db, userId, parseInput(subgoalCreateSchema, { ...subgoalFormToInput(form), goalId: goal.id })),
    "subgoal-update": (db, userId, _goal, form, item) =>
      updateSubgoal(db, userId, item, parseInput(subgoalUpdateSchema, subgoalFormToInput(form))),
    "subgoal-delete": (db, userId, _goal, _form, item) => deleteSubgoal(db, userId, item),
  } satisfies Record<string, Change>,
));

/** The confirmation of each intent, from the goal before the change, the change's result and the form. */
const CONFIRMATIONS: Record<string, (goal: Goal, result: unknown, item: string, form: Form) => string> = {
  "goal-update": (_goal, result) => `Goal “${(result as Goal).title}” saved.`,
  "milestone-add": (_goal, result) => `Milestone “${(result as { title: string }).title}” added.`,
  "milestone-update": (_goal, result, _item, form) => {
    const { title, done } = result as { title: string; done: boolean };
    return form.done === undefined
      ? `Milestone “${title}” saved.`
      : `Milestone “${title}” ${done ? "done" : "reopened"}.`;
  },
  "milestone-delete": (goal, _result, item) => `Milestone “${titleOf(goal.milestones, item)}” deleted.`,
  "subgoal-add": (_goal, result) => `Subgoal “${(result as { title: string }).title}” added.`,
  "subgoal-update": (_goal, result, _item, form) => {
    const { title, done, progress } = result as { title: string; done: boolean; progress: number };
    if (form.done !== undefined) return `Subgoal “${title}” ${done ? "done" : "reopened"}.`;
    return `Subgoal “${title}” at ${progress} %.`;
  },
  "subgoal-delete": (goal, _result, item) => `Subgoal “${titleOf(goal.subgoals, item)}” deleted.`,
};

function titleOf(items: readonly { id: string; title: string }[], id: string): string {
  return items.find((x) => x.id === id)?.title ?? "";
}

/** A form that failed, shown again with the user's input and its problems. */
interface Failed {
  intent: string;
  item: string;
  values: Record<string, string>;
  errors: FieldErrors;
}

interface GoalPageData {
  goal: Goal;
  failed?: Failed;
}

function formValues(form: Form): Record<string, string> {
  return Object.fromEntries(Object.entries(form).map(([key, value]) => [key, formString(value) ?? ""]));
}

export const handler = define.handlers({
  async GET(ctx) {
    const user = requireUser(ctx);
    const goal = await getGoal(ctx.state.services.db, user.id, ctx.params.id);
    if (!goal) throw new HttpError(404, NOT_FOUND);
    ctx.state.title = goal.title;
    return page<GoalPageData>({ goal });
  },

  /** One of the page's forms (by `intent`): 303 back to the page, or the page again with the form's problems. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const { db } = ctx.state.services;
    const goal = await getGoal(db, user.id, ctx.params.id);
    if (!goal) throw new HttpError(404, NOT_FOUND);
    ctx.state.title = goal.title;
    const { data: form } = await readBody(ctx.req);
    const intent = formString(form.intent) ?? "";
    const change = INTENTS.get(intent);
    if (!change) throw new HttpError(400, `Unknown form: send intent as one of ${[...INTENTS.keys()].join(", ")}`);
    const item = formString(form.id) ?? "";
    // A milestone or subgoal form must name one of this goal's: anything else is a 404.
    const [kind, verb] = intent.split("-");
    if (kind !== "goal" && verb !== "add") {
      const items: { id: string }[] = kind === "milestone" ? goal.milestones : goal.subgoals;
      if (!items.some((x) => x.id === item)) throw new HttpError(404, `No ${kind} with that id`);
    }
    try {
      const result = await change(db, user.id, goal, form, item);
      if (!result) throw new HttpError(404, NOT_FOUND);
      setFlash(ctx, CONFIRMATIONS[intent](goal, result, item, form));
      return ctx.redirect(`/goals/${goal.id}`, 303);
    } catch (error) {
      const problems = formProblems(error);
      if (!problems) throw error;
      return page<GoalPageData>(
        { goal, failed: { intent, item, values: formValues(form), errors: problems.errors } },
        { status: problems.status },
      );
    }
  },
});

/** The failed form's values and errors when `intent` (and `item`) match it. */
function failedFor(failed: Failed | undefined, intent: string, item = "") {
  return failed && failed.intent === intent && failed.item === item ? failed : undefined;
}

/** A goal: its details (editable), a milestones timeline and a subgoal list, all usable without JavaScript. */
export default define.page<typeof handler, GoalPageData>(function GoalPage({ data }) {
  const { goal, failed } = data;
  const edit = failedFor(failed, "goal-update");
  const addMilestone = failedFor(failed, "milestone-add");
  const addSubgoal = failedFor(failed, "subgoal-add");
  const updateSubgoalFailed = failed?.intent === "subgoal-update" ? failed : undefined;
  // Each subgoal's progress, shared by its edit island and the goal's bar.
  const progressOf = new Map(goal.subgoals.map((s) => [s.id, signal(s.progress)]));
  return (
    <div class="goal-page">
      <p class="breadcrumb">
        <a href="/goals">Goals</a>
      </p>
      <header class="page-header">
        <div>
          <h1>{goal.title}</h1>
          <p class="muted">
            <span class={`badge badge-${goal.status}`}>{STATUS_LABELS[goal.status]}</span>
            {goal.targetDate && (
              <>
                {" "}· Target <time dateTime={goal.targetDate}>{formatDay(goal.targetDate)}</time>
              </>
            )}
          </p>
        </div>
        <GoalPinToggle goalId={goal.id} title={goal.title} pinned={goal.pinned} back={`/goals/${goal.id}`} />
      </header>
      {goal.description && <p class="goal-description">{goal.description}</p>}
      <GoalProgressBar
        status={goal.status}
        milestones={goal.milestones.map(({ done }) => ({ done }))}
        subgoals={goal.subgoals.map((s) => ({ done: s.done, progress: progressOf.get(s.id)! }))}
        label="Goal progress"
      />
      <p class="muted small">
        Progress: every milestone and subgoal counts equally (a done milestone or subgoal is 100%); a goal marked done
        is 100%.
      </p>
      {failed && !edit && !addMilestone && !addSubgoal && <ErrorSummary errors={failed.errors} />}

      <MilestoneList milestones={goal.milestones} add={addMilestone} />
      <SubgoalList
        goalId={goal.id}
        subgoals={goal.subgoals}
        progressOf={progressOf}
        failedUpdate={updateSubgoalFailed && { id: updateSubgoalFailed.item, ...updateSubgoalFailed }}
        add={addSubgoal}
      />

      <section class="card" aria-labelledby="edit-heading">
        <h2 id="edit-heading">Edit goal</h2>
        <Form id="goal-edit" method="post" class="goal-form">
          <ErrorSummary errors={edit?.errors} />
          <input type="hidden" name="intent" value="goal-update" />
          <Field
            label="Title"
            name="title"
            value={edit?.values.title ?? goal.title}
            error={edit?.errors.title}
            required
            maxLength={GOAL_TITLE_MAX}
          />
          <TextareaField
            label="Description"
            name="description"
            value={edit?.values.description ?? goal.description}
            error={edit?.errors.description}
            maxLength={GOAL_DESCRIPTION_MAX}
          />
          <Field
            label="Target date"
            name="targetDate"
            type="date"
            value={edit?.values.targetDate ?? goal.targetDate}
            error={edit?.errors.targetDate}
          />
          <SelectField
            label="Status"
            name="status"
            value={edit?.values.status ?? goal.status}
            error={edit?.errors.status}
            options={Object.entries(STATUS_LABELS).map(([value, label]) => ({ value, label }))}
          />
          <div class="form-actions">
            <button type="submit" class="button button-primary">Save goal</button>
            <a class="button button-danger" href={`/goals/${goal.id}/delete`}>Delete goal…</a>
          </div>
        </Form>
      </section>
    </div>
  );
});
