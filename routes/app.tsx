import { ConsistencyGrid, gridStart } from "../components/ConsistencyGrid.tsx";
import { fullDays, indexCheckins, overallGridDays, overallStreak } from "../components/grid_days.ts";
import { countOf, percent, safeColor, streakUnit } from "../components/habit_labels.ts";
import { HabitRow } from "../components/HabitRow.tsx";
import { PinnedGoals } from "../components/GoalCard.tsx";
import { loadDashboard } from "../db/dashboard.ts";
import { type Goal, listPinnedGoals } from "../db/goals.ts";
import { requireUser } from "../lib/auth/require_user.ts";
import { CACHE_HEADER, cachedValue } from "../lib/cache/user_cache.ts";
import { formatDay, localDay } from "../lib/calendar.ts";
import { page } from "../lib/fresh/mod.ts";
import { define } from "../lib/state.ts";
import { habitStats, isScheduled } from "../lib/stats.ts";

export const handler = define.handlers({
  async GET(ctx) {
    ctx.state.title = "Dashboard";
    const user = requireUser(ctx);
    const today = localDay(user.timezone);
    // The data is cached, not the HTML: each page carries its own CSP nonce.
    const { value: data, status } = await cachedValue(
      ctx,
      user.id,
      ["dashboard", today],
      async () => ({
        ...(await loadDashboard(ctx.state.services.db, user.id, today)),
        pinnedGoals: await listPinnedGoals(ctx.state.services.db, user.id),
      }),
    );
    return page({ ...data, today, weekStart: user.weekStart }, { headers: { [CACHE_HEADER]: status } });
  },
});

/** The dashboard: today's habits with one-tap check-ins, the year across all habits, streaks. */
export default define.page<typeof handler>(function Dashboard({ data }) {
  const { habits, today, weekStart } = data;
  if (habits.length === 0) return <EmptyDashboard today={today} pinnedGoals={data.pinnedGoals} />;
  const index = indexCheckins(data.checkins);
  const stats = new Map(habits.map((h) => [h.id, habitStats(h, index.get(h.id) ?? new Map(), today, weekStart)]));
  const dueToday = habits.filter((h) => isScheduled(h.schedule, today));
  const restToday = habits.filter((h) => !isScheduled(h.schedule, today));
  const days = overallGridDays(habits, index, gridStart(today, weekStart), today);
  const full = fullDays(days, today);
  const run = overallStreak(days, today);
  return (
    <div class="dashboard">
      <DashboardHeader today={today} />
      <section class="card today" aria-labelledby="today-heading">
        <h2 id="today-heading">Today</h2>
        {dueToday.length === 0
          ? <p class="muted">Nothing is scheduled today. Enjoy the day off.</p>
          : (
            <ul class="habit-list">
              {dueToday.map((habit) => (
                <HabitRow
                  habit={habit}
                  today={today}
                  checkin={index.get(habit.id)?.get(today)}
                  stats={stats.get(habit.id)!}
                />
              ))}
            </ul>
          )}
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
          Each square is a day: the stronger its colour, the more of that day's habits you did.
        </p>
        <ConsistencyGrid
          id="overall-grid"
          today={today}
          weekStart={weekStart}
          days={days}
          summary={`All habits: every scheduled habit done on ${countOf(full, "day")} of the last 365; ` +
            `current run ${countOf(run, "day")}.`}
        />
      </section>
      <section class="card" aria-labelledby="streaks-heading">
        <h2 id="streaks-heading">Streaks</h2>
        <div class="table-scroll">
          <table class="streaks">
            <thead>
              <tr>
                <th scope="col">Habit</th>
                <th scope="col">Current</th>
                <th scope="col">Longest</th>
                <th scope="col">30 days</th>
              </tr>
            </thead>
            <tbody>
              {habits.map((habit) => {
                const s = stats.get(habit.id)!;
                const unit = streakUnit(habit.schedule);
                return (
                  <tr>
                    <th scope="row">
                      <span class="habit-swatch" style={`--habit-color:${safeColor(habit.color)}`} aria-hidden="true">
                      </span>
                      <a href={`/habits/${habit.id}`}>{habit.name}</a>
                    </th>
                    <td data-label="Current">{countOf(s.currentStreak, unit)}</td>
                    <td data-label="Longest">{countOf(s.longestStreak, unit)}</td>
                    <td data-label="30 days">{percent(s.completionRate30)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
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
