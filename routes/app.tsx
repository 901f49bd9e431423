import { ConsistencyGrid, gridStart, OVERALL_LEGEND } from "@/components/ConsistencyGrid.tsx";
import { signal } from "@preact/signals";
import { fullDays, overallStreak } from "@/domain/grid_days.ts";
import type { HabitLive, LiveHabit } from "@/components/habit_live.ts";
import { safeColor, streakUnit } from "@/components/habit_labels.ts";
import { HabitRow } from "@/components/HabitRow.tsx";
import { PinnedGoals } from "@/components/GoalCard.tsx";
import { loadDashboardPage } from "@/db/dashboard.ts";
import type { Goal } from "@/db/goals.ts";
import { DASHBOARD_VIEW_FORMAT } from "@/domain/dashboard_view.ts";
import { decodeDays } from "@/domain/day_codes.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { CACHE_HEADER, cachedValue } from "@/lib/cache/user_cache.ts";
import { addDays, formatDay, localDay } from "@/domain/calendar.ts";
import StreakTable from "@/islands/StreakTable.tsx";
import TodayCell from "@/islands/TodayCell.tsx";
import YearSummary from "@/islands/YearSummary.tsx";
import { page } from "fresh";
import { define } from "@/app/state.ts";
import { isScheduled } from "@/domain/stats.ts";
import { TagFilter } from "@/components/TagFilter.tsx";
import { groupByTag, hasTag, tagCounts } from "@/domain/tags.ts";

/** The dashboard's view from its URL: `?tag=` filters by a tag, `?group=tag` groups the day's habits. */
function tagView(params: URLSearchParams): { tag: string | null; grouped: boolean } {
  const tag = params.get("tag")?.trim();
  return { tag: tag ? tag : null, grouped: params.get("group") === "tag" };
}

export const handler = define.handlers({
  async GET(ctx) {
    ctx.state.title = "Dashboard";
    const user = requireUser(ctx);
    const today = localDay(user.timezone);
    // The computed view is cached (statistics, the year's days encoded), not the HTML:
    // each page carries its own CSP nonce. The week start shapes the grid: part of the key.
    const { value: data, status } = await cachedValue(
      ctx,
      user.id,
      ["dashboard", DASHBOARD_VIEW_FORMAT, today, user.weekStart],
      () => loadDashboardPage(ctx.state.services.db, user.id, today, user.weekStart, gridStart(today, user.weekStart)),
    );
    // The tag view filters the cached data after the read, so the cache key needs no filter.
    const view = tagView(ctx.url.searchParams);
    return page({ ...data, today, weekStart: user.weekStart, view }, { headers: { [CACHE_HEADER]: status } });
  },
});

/** The dashboard: today's habits with one-tap check-ins, the year across all habits, streaks. */
export default define.page<typeof handler>(function Dashboard({ data }) {
  const { today, weekStart, view } = data;
  if (data.habits.length === 0) return <EmptyDashboard today={today} pinnedGoals={data.pinnedGoals} />;
  const tags = tagCounts(data.habits);
  // A tag filters the lists and the streaks; "Your year" and today's square stay the whole
  // of the user's habits.
  const habits = view.tag === null ? data.habits : data.habits.filter((habit) => hasTag(habit, view.tag!));
  // One signal per habit: today's check-in and its statistics, shared by the toggle, the
  // streaks table and today's square (components/habit_live.ts).
  const live = new Map(data.habits.map((h) => {
    return [
      h.id,
      signal<HabitLive>({ status: h.today?.status ?? null, value: h.today?.value ?? null, stats: h.stats }),
    ];
  }));
  const liveHabits: LiveHabit[] = data.habits.map((h) => ({
    id: h.id,
    kind: h.kind,
    target: h.target,
    schedule: h.schedule,
    startDate: h.startDate,
    live: live.get(h.id)!,
  }));
  const dueToday = habits.filter((h) => isScheduled(h.schedule, today));
  const restToday = habits.filter((h) => !isScheduled(h.schedule, today));
  const days = decodeDays(data.year);
  const yesterday = addDays(today, -1);
  const fullBefore = fullDays(days, yesterday, 364);
  const ended = days.get(yesterday);
  const runBefore = ended && (ended.score >= 1 || ended.state === "off") ? overallStreak(days, yesterday) : 0;
  return (
    <div class="dashboard">
      <DashboardHeader today={today} />
      <TagFilter tags={tags} selected={view.tag} grouped={view.grouped} />
      <section class="card today" aria-labelledby="today-heading">
        <h2 id="today-heading">Today{view.tag !== null && <>: tagged “{view.tag}”</>}</h2>
        {habits.length === 0 && <p class="muted">No active habit has this tag.</p>}
        {habits.length > 0 && dueToday.length === 0 && (
          <p class="muted">Nothing is scheduled today. Enjoy the day off.</p>
        )}
        {dueToday.length > 0 && (view.grouped ? groupByTag(dueToday) : [{ tag: undefined, habits: dueToday }]).map((
          group,
        ) => (
          <>
            {group.tag !== undefined && <h3 class="habit-group-heading">{group.tag ?? "No tag"}</h3>}
            <ul class="habit-list">
              {group.habits.map((habit) => (
                <HabitRow key={habit.id} habit={habit} today={today} live={live.get(habit.id)!} />
              ))}
            </ul>
          </>
        ))}
        {restToday.length > 0 && (
          <p class="muted not-today">
            Not today: {restToday.map((habit, i) => (
              <>
                {i > 0 && ", "}
                <a href={`/habits/${habit.id}`}>{habit.name}</a>
              </>
            ))}
          </p>
        )}
      </section>
      <PinnedGoals goals={data.pinnedGoals} />
      <section class="card" aria-labelledby="year-heading">
        <h2 id="year-heading">Your year</h2>
        <p class="muted">
          Each square is a day: full when you did every habit due that day, filled in part when you did some. A habit
          counts on the days it is due, and on any other day you did it.
        </p>
        <ConsistencyGrid
          id="overall-grid"
          today={today}
          weekStart={weekStart}
          days={days}
          legend={OVERALL_LEGEND}
          todayCell={<TodayCell habits={liveHabits} today={today} />}
          summary={<YearSummary habits={liveHabits} today={today} fullBefore={fullBefore} runBefore={runBefore} />}
        />
      </section>
      <section class="card" aria-labelledby="streaks-heading">
        <h2 id="streaks-heading">Streaks</h2>
        <div class="table-scroll">
          <StreakTable
            rows={habits.map((habit) => ({
              id: habit.id,
              name: habit.name,
              color: safeColor(habit.color),
              unit: streakUnit(habit.schedule),
              live: live.get(habit.id)!,
            }))}
          />
        </div>
        <p class="muted small">
          <a href="/habits/archived">Archived habits</a>
        </p>
      </section>
    </div>
  );
});

function DashboardHeader({ today }: { today: string }) {
  return (
    <header class="page-header">
      <div>
        <h1>Dashboard</h1>
        <p class="muted">
          <time dateTime={today}>{formatDay(today)}</time>
        </p>
      </div>
      <a class="button button-primary" href="/habits/new">New habit</a>
    </header>
  );
}

function EmptyDashboard({ today, pinnedGoals }: { today: string; pinnedGoals: Goal[] }) {
  return (
    <div class="dashboard">
      <DashboardHeader today={today} />
      <section class="card empty-state">
        <h2>Start with one habit</h2>
        <p>
          A habit is anything you want to do regularly: read 20 pages, run 5 km, call home on Sundays. Every day you do
          it fills a square on your grid.
        </p>
        <p>
          <a class="button button-primary" href="/habits/new">Create your first habit</a>
        </p>
        <p class="muted small">
          <a href="/habits/archived">Archived habits</a>
        </p>
      </section>
      <PinnedGoals goals={pinnedGoals} />
    </div>
  );
}
