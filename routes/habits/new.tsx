import { formProblems } from "@/components/form_problems.ts";
import { EMPTY_HABIT_FORM, HabitForm, type HabitFormValues, habitFormValues } from "@/components/HabitForm.tsx";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { localDay } from "@/domain/calendar.ts";
import { page } from "fresh";
import { habitCreateSchema, habitFormErrors, habitFormToInput } from "@/domain/habit_input.ts";
import { setFlash } from "@/app/flash.ts";
import { define } from "@/app/state.ts";
import { type FieldErrors, parseInput } from "@/lib/validate.ts";
import { createTaggedHabit } from "@/db/habit_tags.ts";

interface NewHabitData {
  values: HabitFormValues;
  errors?: FieldErrors;
  planLimit?: boolean;
}

export const handler = define.handlers({
  GET(ctx) {
    ctx.state.title = "New habit";
    requireUser(ctx);
    return page<NewHabitData>({ values: EMPTY_HABIT_FORM });
  },
  async POST(ctx) {
    ctx.state.title = "New habit";
    const user = requireUser(ctx);
    const { data: form } = await readBody(ctx.req);
    try {
      const input = parseInput(habitCreateSchema, habitFormToInput(form));
      const habit = await createTaggedHabit(ctx.state.services.db, user.id, input, localDay(user.timezone));
      setFlash(ctx, `Habit “${habit.name}” created.`);
      return ctx.redirect(`/app#habit-${habit.id}`, 303);
    } catch (error) {
      const problems = formProblems(error);
      if (!problems) throw error;
      return page<NewHabitData>(
        {
          values: habitFormValues(form),
          errors: habitFormErrors(problems.errors, habitFormValues(form).scheduleType),
          planLimit: problems.status === 402,
        },
        { status: problems.status },
      );
    }
  },
});

export default define.page<typeof handler>(function NewHabit({ data, state }) {
  return (
    <section class="narrow">
      <p class="breadcrumb">
        <a href="/app">Dashboard</a>
      </p>
      <h1>New habit</h1>
      {data.planLimit && (
        <p class="notice">
          <a href="/upgrade">See the plans</a> or <a href="/habits/archived">your archived habits</a>.
        </p>
      )}
      <HabitForm
        action="/habits/new"
        values={data.values}
        errors={data.errors}
        weekStart={state.user!.weekStart}
        submitLabel="Create habit"
        cancelHref="/app"
      />
    </section>
  );
});
