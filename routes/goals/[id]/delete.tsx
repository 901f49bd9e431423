import { deleteGoal, getGoal } from "@/db/goals.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { HttpError, page } from "fresh";
import { setFlash } from "@/app/flash.ts";
import { define } from "@/app/state.ts";

interface DeleteGoalData {
  id: string;
  title: string;
}

export const handler = define.handlers({
  async GET(ctx) {
    const user = requireUser(ctx);
    const goal = await getGoal(ctx.state.services.db, user.id, ctx.params.id);
    if (!goal) throw new HttpError(404, "No goal with that id");
    ctx.state.title = `Delete ${goal.title}`;
    return page<DeleteGoalData>({ id: goal.id, title: goal.title });
  },
  async POST(ctx) {
    const user = requireUser(ctx);
    const { db } = ctx.state.services;
    const goal = await getGoal(db, user.id, ctx.params.id);
    if (!goal || !(await deleteGoal(db, user.id, goal.id))) throw new HttpError(404, "No goal with that id");
    setFlash(ctx, `Goal “${goal.title}” deleted.`);
    return ctx.redirect("/goals", 303);
  },
});

/** The confirmation a deletion needs: milestones and subgoals go with the goal. */
export default define.page<typeof handler, DeleteGoalData>(function DeleteGoal({ data }) {
  return (
    <section class="narrow">
      <p class="breadcrumb">
        <a href="/goals">Goals</a> / <a href={`/goals/${data.id}`}>{data.title}</a>
      </p>
      <h1>Delete “{data.title}”?</h1>
      <p>This deletes the goal with its milestones and subgoals. It cannot be undone.</p>
      <form method="post" action={`/goals/${data.id}/delete`}>
        <div class="form-actions">
          <button type="submit" class="button button-danger">Delete goal</button>
          <a href={`/goals/${data.id}`}>Cancel</a>
        </div>
      </form>
    </section>
  );
});
