import { describeSchedule, safeColor } from "@/components/habit_labels.ts";
import { listHabits } from "@/db/habits.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { page } from "fresh";
import { define } from "@/app/state.ts";

export const handler = define.handlers({
  async GET(ctx) {
    ctx.state.title = "Archived habits";
    const user = requireUser(ctx);
    return page({ habits: await listHabits(ctx.state.services.db, user.id, { archived: true }) });
  },
});

/** Archived habits: their history is kept; unarchiving puts one back on the dashboard. */
export default define.page<typeof handler>(function ArchivedHabits({ data }) {
  return (
    <section class="narrow">
      <p class="breadcrumb">
        <a href="/app">Dashboard</a>
      </p>
      <h1>Archived habits</h1>
      {data.habits.length === 0
        ? <p class="muted">Nothing archived. Archive a habit from its page to take it off your dashboard.</p>
        : (
          <ul class="habit-list">
            {data.habits.map((habit) => (
              <li class="habit-row">
                <span class="habit-swatch" style={`--habit-color:${safeColor(habit.color)}`} aria-hidden="true"></span>
                <div class="habit-row-text">
                  <a class="habit-name" href={`/habits/${habit.id}`}>{habit.name}</a>
                  <span class="habit-meta">{describeSchedule(habit.schedule)}</span>
                </div>
                <form method="post" action={`/habits/${habit.id}`} class="inline-form">
                  <input type="hidden" name="archived" value="false" />
                  <button type="submit" class="button">Unarchive</button>
                </form>
              </li>
            ))}
          </ul>
        )}
    </section>
  );
});
