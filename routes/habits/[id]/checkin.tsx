import {
  checkinDefaults,
  CheckinForm,
  type CheckinFormValues,
  checkinFormValues,
  keepNoteWhenEmpty,
} from "@/components/CheckinForm.tsx";
import { keepsSignedInUser } from "@/app/cache/invalidate.ts";
import { formProblems } from "@/components/form_problems.ts";
import { type Checkin, listCheckins, upsertCheckin } from "@/db/checkins.ts";
import { getHabit, type Habit } from "@/db/habits.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { addDays, formatDay, isValidDate, localDay } from "@/domain/calendar.ts";
import { type FreshContext, HttpError, page, safeLocalPath } from "fresh";
import { BACKFILL_DAYS, checkinFormToInput, checkinSchemaFor } from "@/domain/habit_input.ts";
import { setFlash } from "@/app/flash.ts";
import { dayCellId } from "@/components/ConsistencyGrid.tsx";
import { checkinLabel } from "@/domain/grid_days.ts";
import { define, type State } from "@/app/state.ts";
import { type FieldErrors, parseInput } from "@/lib/validate.ts";

interface CheckinPageData {
  habit: Habit;
  today: string;
  values: CheckinFormValues;
  errors?: FieldErrors;
  returnTo: string;
  /** The chosen day's check-in as saved, shown above the form (a day picked from the grid). */
  saved?: Checkin | null;
  /** A `?date=` that cannot be checked in (after today, before the backfill window, malformed). */
  refusedDate?: string;
}

/** The habit page's grid, where a check-in made from that page comes back to: the day's cell. */
function habitPageReturn(habitId: string, date: string): string {
  return `/habits/${habitId}#${dayCellId("habit-grid", date)}`;
}

/** Where to go after saving: the form's `return` when it is a local path, else the dashboard. */
function returnPath(value: unknown): string {
  return typeof value === "string" && safeLocalPath(value) === value ? value : "/app";
}

async function ownHabit(ctx: FreshContext<State>, userId: string): Promise<Habit> {
  const habit = await getHabit(ctx.state.services.db, userId, ctx.params.id);
  if (!habit) throw new HttpError(404, "No habit with that id");
  ctx.state.title = `Check in: ${habit.name}`;
  return habit;
}

export const handler = define.handlers({
  /** The form on its own page: `?date=` picks the day. */
  async GET(ctx) {
    const user = requireUser(ctx);
    const habit = await ownHabit(ctx, user.id);
    const today = localDay(user.timezone);
    const date = ctx.url.searchParams.get("date");
    const usable = isValidDate(date) && date <= today && date >= addDays(today, -BACKFILL_DAYS);
    if (!usable) {
      const refusedDate = date === null ? undefined : date.slice(0, 40);
      return page<CheckinPageData>({
        habit,
        today,
        values: checkinDefaults(today),
        returnTo: `/habits/${habit.id}`,
        refusedDate,
      });
    }
    // A day picked from the grid: the form starts from what that day holds.
    const [saved] = await listCheckins(ctx.state.services.db, user.id, habit.id, date, date);
    const values: CheckinFormValues = saved
      ? { date, status: saved.status, value: saved.value === null ? "" : String(saved.value), note: "" }
      : { ...checkinDefaults(today), date };
    return page<CheckinPageData>({ habit, today, values, returnTo: `/habits/${habit.id}`, saved: saved ?? null });
  },
  /** The target of the one-tap toggle (without JavaScript) and of the full check-in form. */
  async POST(ctx) {
    const user = requireUser(ctx);
    // A check-in changes no credential or profile: this instance may keep remembering the user.
    keepsSignedInUser(ctx.state);
    const today = localDay(user.timezone);
    const habit = await ownHabit(ctx, user.id);
    const { data: form } = await readBody(ctx.req);
    const returnTo = returnPath(form.return);
    try {
      const input = parseInput(checkinSchemaFor(habit, today), checkinFormToInput(keepNoteWhenEmpty(form)));
      const checkin = await upsertCheckin(ctx.state.services.db, user.id, habit.id, input, today);
      const what = checkin ? checkinLabel(habit, checkin, input.date) : "cleared";
      setFlash(ctx, `${habit.name}, ${formatDay(input.date)}: ${what}.`);
      // Back to the habit's page lands on the day's cell in its grid.
      return ctx.redirect(returnTo === `/habits/${habit.id}` ? habitPageReturn(habit.id, input.date) : returnTo, 303);
    } catch (error) {
      const problems = formProblems(error);
      if (!problems) throw error;
      return page<CheckinPageData>(
        { habit, today, values: checkinFormValues(form, today), errors: problems.errors, returnTo },
        { status: problems.status },
      );
    }
  },
});

export default define.page<typeof handler>(function CheckinPage({ data }) {
  const { habit, saved } = data;
  const back = habitPageReturn(habit.id, data.values.date);
  return (
    <section class="narrow">
      <p class="breadcrumb">
        <a href="/app">Dashboard</a> / <a href={back}>{habit.name}</a>
      </p>
      <h1>Check in: {habit.name}</h1>
      {data.refusedDate !== undefined && (
        <p class="notice">
          {`“${data.refusedDate}” is not a day you can check in for: pick one from today back ${BACKFILL_DAYS} days.`}
        </p>
      )}
      {saved !== undefined && (
        <p class="muted">
          {formatDay(data.values.date)}: {saved ? checkinLabel(habit, saved, saved.date) : "nothing logged yet"}
          {saved?.note ? ` · note: “${saved.note}”` : ""}
        </p>
      )}
      <CheckinForm
        habit={habit}
        today={data.today}
        values={data.values}
        errors={data.errors}
        returnTo={data.returnTo}
      />
    </section>
  );
});
