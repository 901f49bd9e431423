import { ErrorSummary, Field, TextareaField } from "@/components/form.tsx";
import { formProblems } from "@/components/form_problems.ts";
import { GoalCard } from "@/components/GoalCard.tsx";
import { createGoal, type Goal, listGoals } from "@/db/goals.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { page } from "fresh";
import { goalCreateSchema, goalFormToInput } from "@/domain/goal_input.ts";
import { formString } from "@/domain/form_fields.ts";
import { setFlash } from "@/app/flash.ts";
import { define } from "@/app/state.ts";
import { type FieldErrors, parseInput } from "@/lib/validate.ts";
import { GOAL_DESCRIPTION_MAX, GOAL_TITLE_MAX } from "@/domain/limits.ts";

interface GoalFormValues {
  title: string;
  description: string;
  targetDate: string;
}

interface GoalsData {
  goals: Goal[];
  values: GoalFormValues;
  errors?: FieldErrors;
  planLimit?: boolean;
}

const EMPTY: GoalFormValues = { title: "", description: "", targetDate: "" };

export const handler = define.handlers({
  async GET(ctx) {
    ctx.state.title = "Goals";
    const user = requireUser(ctx);
    return page<GoalsData>({ goals: await listGoals(ctx.state.services.db, user.id), values: EMPTY });
  },

  /** The create form: 303 to the new goal's page, or the list again with the form's problems. */
  async POST(ctx) {
    ctx.state.title = "Goals";
    const user = requireUser(ctx);
    const { db } = ctx.state.services;
    const { data: form } = await readBody(ctx.req);
    try {
      const goal = await createGoal(db, user.id, parseInput(goalCreateSchema, goalFormToInput(form)));
      setFlash(ctx, `Goal “${goal.title}” created.`);
      return ctx.redirect(`/goals/${goal.id}`, 303);
    } catch (error) {
      const problems = formProblems(error);
      if (!problems) throw error;
      const values = {
        title: formString(form.title) ?? "",
        description: formString(form.description) ?? "",
        targetDate: formString(form.targetDate) ?? "",
      };
      return page<GoalsData>(
        { goals: await listGoals(db, user.id), values, errors: problems.errors, planLimit: problems.status === 402 },
        { status: problems.status },
      );
    }
  },
});

/** The user's goals, pinned first, and the form that creates one. */
export default define.page<typeof handler, GoalsData>(function Goals({ data }) {
  const { goals, values, errors } = data;
  const lastPin = goals.filter((goal) => goal.pinned).length - 1;
  return (
    <div class="goals-page">
      <header class="page-header">
        <h1>Goals</h1>
      </header>
      <section class="card" aria-labelledby="new-goal-heading">
        <h2 id="new-goal-heading">New goal</h2>
        <ErrorSummary errors={errors} />
        {data.planLimit && (
          <p class="notice">
            <a href="/upgrade">See the plans</a>
          </p>
        )}
        <form method="post" action="/goals" class="goal-form">
          <Field
            label="Title"
            name="title"
            value={values.title}
            error={errors?.title}
            required
            maxLength={GOAL_TITLE_MAX}
          />
          <TextareaField
            label="Description (optional)"
            name="description"
            value={values.description}
            error={errors?.description}
            maxLength={GOAL_DESCRIPTION_MAX}
          />
          <Field
            label="Target date (optional)"
            name="targetDate"
            type="date"
            value={values.targetDate}
            error={errors?.targetDate}
          />
          <div class="form-actions">
            <button type="submit" class="button button-primary">Create goal</button>
          </div>
        </form>
      </section>
      <section aria-labelledby="goal-list-heading">
        <h2 id="goal-list-heading">Your goals</h2>
        {goals.length === 0
          ? <p class="muted">No goals yet. A goal is something bigger than a habit: run a marathon, finish a course.</p>
          : (
            <ul class="goal-list">
              {goals.map((goal) => (
                <GoalCard key={goal.id} goal={goal} back="/goals" last={goal.pinPosition === lastPin} />
              ))}
            </ul>
          )}
      </section>
    </div>
  );
});
