import { type PauseFormFailure, submitPauseForm } from "@/app/pause_form.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { define, type State } from "@/app/state.ts";
import { emptyPauseValues, PauseForm, type PauseFormValues, PauseList } from "@/components/Pauses.tsx";
import { listHabits } from "@/db/habits.ts";
import { listPauses, type Pause } from "@/db/pauses.ts";
import { localDay } from "@/domain/calendar.ts";
import type { FieldErrors } from "@/lib/validate.ts";
import { type FreshContext, page } from "fresh";

interface VacationPage {
  today: string;
  /** Every pause of the user (every-habit and one-habit ones), latest first. */
  pauses: Pause[];
  /** Habit id → name, active and archived, to say what a one-habit pause covers. */
  habitNames: Map<string, string>;
  values: PauseFormValues;
  errors?: FieldErrors;
}

async function pageData(ctx: FreshContext<State>, failure?: PauseFormFailure): Promise<VacationPage> {
  const user = requireUser(ctx);
  const { db } = ctx.state.services;
  ctx.state.title = "Vacation mode";
  const [pauses, active, archived] = await Promise.all([
    listPauses(db, user.id),
    listHabits(db, user.id),
    listHabits(db, user.id, { archived: true }),
  ]);
  return {
    today: localDay(user.timezone),
    pauses,
    habitNames: new Map([...active, ...archived].map((habit) => [habit.id, habit.name])),
    values: failure?.values ?? emptyPauseValues,
    errors: failure?.errors,
  };
}

export const handler = define.handlers({
  async GET(ctx) {
    return page(await pageData(ctx));
  },
  /** Pauses every habit, or deletes a pause; then back here. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const outcome = await submitPauseForm(ctx, user.id, {
      habitId: null,
      back: "/settings/pauses",
      scope: "every habit",
    });
    if (outcome instanceof Response) return outcome;
    return page(await pageData(ctx, outcome), { status: outcome.status });
  },
});

/** Settings → Vacation mode: pause every habit for some days (holidays, illness), see and delete pauses. */
export default define.page<typeof handler>(function VacationMode({ data }) {
  return (
    <div class="settings-page">
      <header class="page-header">
        <h1>Vacation mode</h1>
        <p class="muted">
          <a href="/settings">Settings</a>{" "}
          · Pause every habit for a few days: paused days are not expected, so they neither break nor extend a streak,
          leave rates and strength unchanged, and no reminder fires. Habits you add during a pause are paused too. To
          pause one habit, use the form on its page.
        </p>
      </header>
      <section class="card settings-section" aria-labelledby="new-pause-heading">
        <h2 id="new-pause-heading">Pause every habit</h2>
        <PauseForm
          action="/settings/pauses"
          values={data.values}
          errors={data.errors}
          scope="every habit"
          today={data.today}
        />
      </section>
      <section class="card settings-section" aria-labelledby="pauses">
        <h2 id="pauses">Your pauses</h2>
        <PauseList pauses={data.pauses} action="/settings/pauses" habitNames={data.habitNames} today={data.today} />
      </section>
    </div>
  );
});
