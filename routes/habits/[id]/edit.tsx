import { formProblems } from "@/components/form_problems.ts";
import { HabitForm, type HabitFormValues, habitFormValues, habitToFormValues } from "@/components/HabitForm.tsx";
import { getHabit } from "@/db/habits.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { HttpError, page } from "fresh";
import { habitFormErrors, habitFormToInput, habitUpdateSchema } from "@/domain/habit_input.ts";
import { setFlash } from "@/app/flash.ts";
import { define } from "@/app/state.ts";
import { type FieldErrors, parseInput } from "@/lib/validate.ts";
import { updateTaggedHabit } from "@/db/habit_tags.ts";

interface EditHabitData {
  id: string;
  /** The saved name, for the heading (the form may hold an unsaved one). */
  name: string;
  values: HabitFormValues;
  errors?: FieldErrors;
}

export const handler = define.handlers({
  async GET(ctx) {
    const user = requireUser(ctx);
    const habit = await getHabit(ctx.state.services.db, user.id, ctx.params.id);
    if (!habit) throw new HttpError(404, "No habit with that id");
    ctx.state.title = `Edit ${habit.name}`;
    return page<EditHabitData>({ id: habit.id, name: habit.name, values: habitToFormValues(habit) });
  },
  async POST(ctx) {
    const user = requireUser(ctx);
    const { db } = ctx.state.services;
    const { data: form } = await readBody(ctx.req);
    try {
      const patch = parseInput(habitUpdateSchema, habitFormToInput(form));
      const habit = await updateTaggedHabit(db, user.id, ctx.params.id, patch);
      if (!habit) throw new HttpError(404, "No habit with that id");
      setFlash(ctx, `Changes to “${habit.name}” saved.`);
      return ctx.redirect(`/habits/${habit.id}`, 303);
    } catch (error) {
      const problems = formProblems(error);
      if (!problems) throw error;
      // The form is only shown again to its owner.
      const habit = await getHabit(db, user.id, ctx.params.id);
      if (!habit) throw new HttpError(404, "No habit with that id");
      ctx.state.title = `Edit ${habit.name}`;
      return page<EditHabitData>(
        {
          id: habit.id,
          name: habit.name,
          values: habitFormValues(form),
          errors: habitFormErrors(problems.errors, habitFormValues(form).scheduleType),
        },
        { status: problems.status },
      );
    }
  },
});

export default define.page<typeof handler>(function EditHabit({ data, state }) {
  return (
    <section class="narrow">
      <p class="breadcrumb">
        <a href="/app">Dashboard</a> / <a href={`/habits/${data.id}`}>{data.name}</a>
      </p>
      <h1>Edit habit</h1>
      <HabitForm
        action={`/habits/${data.id}/edit`}
        values={data.values}
        errors={data.errors}
        weekStart={state.user!.weekStart}
        submitLabel="Save changes"
        cancelHref={`/habits/${data.id}`}
      />
    </section>
  );
});
