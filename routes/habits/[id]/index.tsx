import { z } from "zod";
import { checkinDefaults, CheckinForm } from "@/components/CheckinForm.tsx";
import { CheckinHistory } from "@/components/CheckinHistory.tsx";
import { ConsistencyGrid, gridStart, habitLegend } from "@/components/ConsistencyGrid.tsx";
import { ErrorSummary } from "@/components/form.tsx";
import { formProblems } from "@/components/form_problems.ts";
import { fullDays, habitGridDays, indexCheckins } from "@/domain/grid_days.ts";
import {
  countOf,
  describeSchedule,
  describeTarget,
  percent,
  safeColor,
  streakUnit,
} from "@/components/habit_labels.ts";
import { ShareControl } from "@/components/ShareControl.tsx";
import { StatsSummary } from "@/components/StatsSummary.tsx";
import { type HabitShare, shareOf } from "@/db/shares.ts";
import GridKeys from "@/islands/GridKeys.tsx";
import { type HabitDetail, loadHabitDetail } from "@/db/dashboard.ts";
import { updateHabit } from "@/db/habits.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { addDays, localDay, type Weekday, weekdayName } from "@/domain/calendar.ts";
import { type Completion, completion, describeCompletionRule } from "@/domain/completion.ts";
import { BACKFILL_DAYS } from "@/domain/habit_input.ts";
import { type FreshContext, HttpError, page } from "fresh";
import { setFlash } from "@/app/flash.ts";
import { define, type State } from "@/app/state.ts";
import { habitStats } from "@/domain/stats.ts";
import { type FieldErrors, parseInput } from "@/lib/validate.ts";
import { HabitCharts } from "@/components/HabitCharts.tsx";
import { NoteSearch } from "@/components/NoteSearch.tsx";
import { type NoteSearchPage, searchNotes } from "@/db/note_search.ts";
import { type NoteSearch as NoteSearchQuery, parseNoteSearch } from "@/domain/note_search.ts";
import { emptyPauseValues, PauseForm, PauseList } from "@/components/Pauses.tsx";
import { listPauses, type Pause } from "@/db/pauses.ts";

/** How many check-ins the page lists. */
const RECENT_CHECKINS = 30;

interface HabitPageData extends HabitDetail {
  today: string;
  weekStart: Weekday;
  errors?: FieldErrors;
  /** The habit's share link, and the origin it lives on. */
  share?: HabitShare;
  origin: string;
  search: NoteSearchQuery;
  /** Null when nothing was searched. */
  found: NoteSearchPage | null;
  /** The pauses that cover this habit (its own and every-habit ones), latest first. */
  pauseList: Pause[];
}

/** The page's small forms: archive, unarchive, move to a position. */
const manageSchema = z.union([
  z.object({ archived: z.enum(["true", "false"]).transform((v) => v === "true") }),
  z.object({ position: z.coerce.number().int().min(0).max(10_000) }),
], { error: "Choose archive, unarchive or a position" });

async function habitPage(ctx: FreshContext<State>, errors?: FieldErrors): Promise<HabitPageData> {
  const user = requireUser(ctx);
  const today = localDay(user.timezone);
  const detail = await loadHabitDetail(ctx.state.services.db, user.id, ctx.params.id, today);
  if (!detail) throw new HttpError(404, "No habit with that id");
  ctx.state.title = detail.habit.name;
  const share = await shareOf(ctx.state.services.db, user.id, detail.habit.id);
  const search = parseNoteSearch(ctx.url.searchParams);
  const found = search.q
    ? await searchNotes(ctx.state.services.db, user.id, detail.habit.id, search.q, search.page)
    : null;
  const pauseList = (await listPauses(ctx.state.services.db, user.id))
    .filter((pause) => pause.habitId === null || pause.habitId === detail.habit.id);
  return {
    ...detail,
    pauseList,
    today,
    weekStart: user.weekStart,
    errors,
    share,
    origin: ctx.state.services.config.appOrigin,
    search,
    found,
  };
}

export const handler = define.handlers({
  async GET(ctx) {
    return page(await habitPage(ctx));
  },
  /** Archive, unarchive, move up or down; then back here. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const { data: form } = await readBody(ctx.req);
    try {
      const patch = parseInput(manageSchema, form);
      const habit = await updateHabit(ctx.state.services.db, user.id, ctx.params.id, patch);
      if (!habit) throw new HttpError(404, "No habit with that id");
      setFlash(
        ctx,
        "archived" in patch
          ? `“${habit.name}” ${habit.archived ? "archived: it left the dashboard" : "is back on the dashboard"}.`
          : `“${habit.name}” moved to position ${habit.position + 1}.`,
      );
      return ctx.redirect(`/habits/${habit.id}`, 303);
    } catch (error) {
      const problems = formProblems(error);
      if (!problems) throw error;
      return page(await habitPage(ctx, problems.errors), { status: problems.status });
    }
  },
});

/** Each day's note, for the grid cells' names. */
function notesByDate(checkins: readonly { date: string; note: string | null }[]): Map<string, string> {
  return new Map(checkins.flatMap((c) => (c.note ? [[c.date, c.note] as const] : [])));
}

/** "5 of 6 expected days done (83 %)". */
function expected({ met, due, rate }: Completion): string {
  if (due === 0) return "nothing expected yet";
  return `${met} of ${countOf(due, "expected day")} done (${percent(rate)})`;
}

/** A habit's page: its year, statistics, a check-in form, recent check-ins and its settings. */
export default define.page<typeof handler>(function HabitPage({ data }) {
  const { habit, today, weekStart } = data;
  const byDate = indexCheckins(data.checkins).get(habit.id) ?? new Map();
  const stats = habitStats(habit, byDate, today, weekStart);
  const unit = streakUnit(habit.schedule);
  const days = habitGridDays(habit, byDate, gridStart(today, weekStart), today);
  const recent = data.checkins.slice(-RECENT_CHECKINS).reverse();
  const meta = [describeSchedule(habit.schedule), describeTarget(habit)].filter(Boolean).join(" · ");
  return (
    <div class="habit-page">
      <p class="breadcrumb">
        <a href="/app">Dashboard</a>
      </p>
      <header class="page-header">
        <div>
          <h1 class="habit-title">
            <span class="habit-swatch" style={`--habit-color:${safeColor(habit.color)}`} aria-hidden="true"></span>
            {habit.name}
            {habit.archived && <span class="badge">Archived</span>}
          </h1>
          <p class="muted">{meta}</p>
        </div>
        <a class="button" href={`/habits/${habit.id}/edit`}>Edit</a>
      </header>
      <ErrorSummary errors={data.errors} title="That did not work" />
      <section class="card" aria-labelledby="year-heading">
        <h2 id="year-heading">The last year</h2>
        <GridKeys gridId="habit-grid">
          <ConsistencyGrid
            id="habit-grid"
            today={today}
            weekStart={weekStart}
            days={days}
            color={habit.color}
            summary={`${habit.name}: done on ${countOf(fullDays(days, today), "day")} of the last 365; ` +
              `current streak ${countOf(stats.currentStreak, unit)}. Each day links to its check-in.`}
            dayHref={(date) => `/habits/${habit.id}/checkin?date=${date}`}
            firstLinkable={addDays(today, -BACKFILL_DAYS)}
            legend={habitLegend(habit)}
            notes={notesByDate(data.checkins)}
          />
        </GridKeys>
        <StatsSummary stats={stats} unit={unit} />
        <details class="cg-how">
          <summary>How are these computed?</summary>
          <p>{describeCompletionRule(habit.schedule, weekdayName(weekStart))}</p>
          <p>
            Last 30 days: {expected(completion(habit, byDate, today, weekStart, 30))}. Last 365 days:{" "}
            {expected(completion(habit, byDate, today, weekStart, 365))}. A streak counts{" "}
            {unit === "week" ? "weeks that reached their target" : "expected days done in a row"}; skipped days and days
            not expected neither break nor extend it.
          </p>
        </details>
      </section>
      <section class="card" aria-labelledby="charts-heading">
        <h2 id="charts-heading">Charts</h2>
        <HabitCharts
          habit={habit}
          checkins={byDate}
          today={today}
          weekStart={weekStart}
          currentStreak={stats.currentStreak}
        />
      </section>
      <div class="columns">
        <section class="card" aria-labelledby="checkin-heading">
          <h2 id="checkin-heading">Check in</h2>
          <CheckinForm habit={habit} today={today} values={checkinDefaults(today)} returnTo={`/habits/${habit.id}`} />
        </section>
        <section class="card" aria-labelledby="recent-heading">
          <h2 id="recent-heading">Recent check-ins</h2>
          <CheckinHistory habit={habit} checkins={recent} />
        </section>
      </div>
      <section class="card" aria-labelledby="notes-heading">
        <h2 id="notes-heading">Notes</h2>
        <NoteSearch action={`/habits/${habit.id}`} habit={habit} search={data.search} found={data.found} />
      </section>
      <section class="card" aria-labelledby="pauses">
        <h2 id="pauses">Pauses</h2>
        <p class="muted">
          Away or ill? Paused days are not expected: they neither break nor extend a streak, and no reminder fires.
          Pausing every habit at once is <a href="/settings/pauses">vacation mode</a>.
        </p>
        <PauseList
          pauses={data.pauseList}
          action={`/habits/${habit.id}/pauses`}
          habitNames={new Map([[habit.id, habit.name]])}
          today={today}
        />
        <PauseForm action={`/habits/${habit.id}/pauses`} values={emptyPauseValues} scope="this habit" today={today} />
      </section>
      <ShareControl habitId={habit.id} share={data.share} origin={data.origin} />
      <section class="card" aria-labelledby="manage-heading">
        <h2 id="manage-heading">Manage</h2>
        <div class="manage">
          {habit.position > 0 && (
            <form method="post" action={`/habits/${habit.id}`} class="inline-form">
              <input type="hidden" name="position" value={habit.position - 1} />
              <button type="submit" class="button">Move up</button>
            </form>
          )}
          {habit.position < data.listLength - 1 && (
            <form method="post" action={`/habits/${habit.id}`} class="inline-form">
              <input type="hidden" name="position" value={habit.position + 1} />
              <button type="submit" class="button">Move down</button>
            </form>
          )}
          <form method="post" action={`/habits/${habit.id}`} class="inline-form">
            <input type="hidden" name="archived" value={habit.archived ? "false" : "true"} />
            <button type="submit" class="button">{habit.archived ? "Unarchive" : "Archive"}</button>
          </form>
          <a class="button button-danger" href={`/habits/${habit.id}/delete`}>Delete…</a>
        </div>
        <p class="muted small">
          Archived habits keep their history but leave the dashboard and do not count towards your plan.
        </p>
      </section>
    </div>
  );
});
