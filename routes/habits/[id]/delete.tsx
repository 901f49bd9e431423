import { deleteHabit, getHabit } from "@/db/habits.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { HttpError, page } from "fresh";
import { setFlash } from "@/app/flash.ts";
import { define } from "@/app/state.ts";

interface DeleteHabitData {
  id: string;
  name: string;
}

export const handler = define.handlers({
  async GET(ctx) {
    const user = requireUser(ctx);
    const habit = await getHabit(ctx.state.services.db, user.id, ctx.params.id);
    if (!habit) throw new HttpError(404, "No habit with that id");
    ctx.state.title = `Delete ${habit.name}`;
    return page<DeleteHabitData>({ id: habit.id, name: habit.name });
  },
  async POST(ctx) {
    const user = requireUser(ctx);
    const { db } = ctx.state.services;
    const habit = await getHabit(db, user.id, ctx.params.id);
    if (!habit || !(await deleteHabit(db, user.id, habit.id))) throw new HttpError(404, "No habit with that id");
    setFlash(ctx, `Habit “${habit.name}” deleted with its check-ins.`);
    return ctx.redirect("/app", 303);
  },
});

/** The confirmation a deletion needs: it takes the habit's whole history with it. */
export default define.page<typeof handler, DeleteHabitData>(function DeleteHabit({ data }) {
  return (
    <section class="narrow">
      <p class="breadcrumb">
        <a href="/app">Dashboard</a> / <a href={`/habits/${data.id}`}>{data.name}</a>
      </p>
      <h1>Delete “{data.name}”?</h1>
      <p>
        This deletes the habit and every check-in and note it has. It cannot be undone. To keep its history but take it
        off your dashboard, archive it instead.
      </p>
      <form method="post" action={`/habits/${data.id}/delete`}>
        <div class="form-actions">
          <button type="submit" class="button button-danger">Delete habit</button>
          <a href={`/habits/${data.id}`}>Cancel</a>
        </div>
      </form>
    </section>
  );
});
