import { type PauseFormFailure, submitPauseForm } from "@/app/pause_form.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { define, type State } from "@/app/state.ts";
import { emptyPauseValues, PauseForm, type PauseFormValues, PauseList } from "@/components/Pauses.tsx";
import { getHabit, type Habit } from "@/db/habits.ts";
import { listPauses, type Pause } from "@/db/pauses.ts";
import { localDay } from "@/domain/calendar.ts";
import type { FieldErrors } from "@/lib/validate.ts";
import { type FreshContext, HttpError, page } from "fresh";

interface HabitPausesPage {
  habit: Habit;
  today: string;
  /** This habit's pauses and the user's every-habit ones, latest first. */
  pauses: Pause[];
  values: PauseFormValues;
  errors?: FieldErrors;
}

async function pageData(ctx: FreshContext<State>, failure?: PauseFormFailure): Promise<HabitPausesPage> {
  const user = requireUser(ctx);
  const { db } = ctx.state.services;
  const habit = await getHabit(db, user.id, ctx.params.id);
  if (!habit) throw new HttpError(404, "No habit with that id");
  ctx.state.title = `Pauses: ${habit.name}`;
  const pauses = (await listPauses(db, user.id)).filter((p) => p.habitId === null || p.habitId === habit.id);
  return {
    habit,
    today: localDay(user.timezone),
    pauses,
    values: failure?.values ?? emptyPauseValues,
    errors: failure?.errors,
  };
}

export const handler = define.handlers({
  async GET(ctx) {
    return page(await pageData(ctx));
  },
  /** Adds or deletes a pause, then back to the habit's page; a bad form comes back here with a 4xx. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const habit = await getHabit(ctx.state.services.db, user.id, ctx.params.id);
    if (!habit) throw new HttpError(404, "No habit with that id");
    const outcome = await submitPauseForm(ctx, user.id, {
      habitId: habit.id,
      back: `/habits/${habit.id}`,
      scope: `“${habit.name}”`,
    });
    if (outcome instanceof Response) return outcome;
    return page(await pageData(ctx, outcome), { status: outcome.status });
  },
});

/** One habit's pauses on a page of their own: where the habit page's pause form lands when it needs fixing. */
export default define.page<typeof handler>(function HabitPauses({ data }) {
  const { habit } = data;
  const action = `/habits/${habit.id}/pauses`;
  return (
    <section class="narrow">
      <p class="breadcrumb">
        <a href="/app">Dashboard</a> / <a href={`/habits/${habit.id}`}>{habit.name}</a>
      </p>
      <h1>Pause “{habit.name}”</h1>
      <p class="muted">
        Paused days are not expected: they neither break nor extend a streak, leave rates and strength unchanged, and no
        reminder fires. To pause every habit at once, use <a href="/settings/pauses">vacation mode</a>.
      </p>
      <PauseForm action={action} values={data.values} errors={data.errors} scope="this habit" today={data.today} />
      <h2 id="pauses">Pauses</h2>
      <PauseList
        pauses={data.pauses}
        action={action}
        habitNames={new Map([[habit.id, habit.name]])}
        today={data.today}
      />
    </section>
  );
});
