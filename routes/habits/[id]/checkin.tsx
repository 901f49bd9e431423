import {
  checkinDefaults,
  CheckinForm,
  type CheckinFormValues,
  checkinFormValues,
  keepNoteWhenEmpty,
} from "../../../components/CheckinForm.tsx";
import { formProblems } from "../../../components/form_problems.ts";
import { upsertCheckin } from "../../../db/checkins.ts";
import { getHabit, type Habit } from "../../../db/habits.ts";
import { requireUser } from "../../../lib/auth/require_user.ts";
import { readBody } from "../../../lib/body.ts";
import { isValidDate, localDay } from "../../../lib/calendar.ts";
import { type FreshContext, HttpError, page, safeLocalPath } from "../../../lib/fresh/mod.ts";
import { checkinFormToInput, checkinSchemaFor } from "../../../lib/habit_input.ts";
import { define, type State } from "../../../lib/state.ts";
import { type FieldErrors, parseInput } from "../../../lib/validate.ts";

interface CheckinPageData {
  habit: Habit;
  today: string;
  values: CheckinFormValues;
  errors?: FieldErrors;
  returnTo: string;
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
    const values = { ...checkinDefaults(today), ...(isValidDate(date) && date <= today ? { date } : {}) };
    return page<CheckinPageData>({ habit, today, values, returnTo: `/habits/${habit.id}` });
  },
  /** The target of the one-tap toggle (without JavaScript) and of the full check-in form. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const today = localDay(user.timezone);
    const habit = await ownHabit(ctx, user.id);
    const { data: form } = await readBody(ctx.req);
    const returnTo = returnPath(form.return);
    try {
      const input = parseInput(checkinSchemaFor(habit, today), checkinFormToInput(keepNoteWhenEmpty(form)));
      await upsertCheckin(ctx.state.services.db, user.id, habit.id, input, today);
      return ctx.redirect(returnTo, 303);
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
  const { habit } = data;
  return (
    <section class="narrow">
      <p class="breadcrumb">
        <a href="/app">Dashboard</a> / <a href={`/habits/${habit.id}`}>{habit.name}</a>
      </p>
      <h1>Check in: {habit.name}</h1>
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
