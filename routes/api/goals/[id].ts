import { deleteGoal, getGoal, updateGoal } from "@/db/goals.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { HttpError } from "fresh";
import { goalUpdateSchema } from "@/domain/goal_input.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

/** Another user's goal, an unknown id and a malformed one all read the same. */
const NOT_FOUND = "No goal with that id";

export const handler = define.handlers({
  /** The goal with its milestones, subgoals and progress. */
  async GET(ctx) {
    const user = requireUser(ctx);
    const goal = await getGoal(ctx.state.services.db, user.id, ctx.params.id);
    if (!goal) throw new HttpError(404, NOT_FOUND);
    return Response.json({ goal });
  },

  /** Any of `title, description, targetDate, status`. */
  async PUT(ctx) {
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    const patch = parseInput(goalUpdateSchema, data);
    const goal = await updateGoal(ctx.state.services.db, user.id, ctx.params.id, patch);
    if (!goal) throw new HttpError(404, NOT_FOUND);
    return Response.json({ goal });
  },

  /** Deletes the goal with its milestones and subgoals. */
  async DELETE(ctx) {
    const user = requireUser(ctx);
    if (!(await deleteGoal(ctx.state.services.db, user.id, ctx.params.id))) throw new HttpError(404, NOT_FOUND);
    return new Response(null, { status: 204 });
  },
});
