import { deleteSubgoal, updateSubgoal } from "@/db/goals.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { HttpError } from "fresh";
import { subgoalUpdateSchema } from "@/domain/goal_input.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

const NOT_FOUND = "No subgoal with that id";

export const handler = define.handlers({
  /** Any of `title, progress (0–100), done`. */
  async PATCH(ctx) {
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    const patch = parseInput(subgoalUpdateSchema, data);
    const subgoal = await updateSubgoal(ctx.state.services.db, user.id, ctx.params.id, patch);
    if (!subgoal) throw new HttpError(404, NOT_FOUND);
    return Response.json({ subgoal });
  },

  async DELETE(ctx) {
    const user = requireUser(ctx);
    if (!(await deleteSubgoal(ctx.state.services.db, user.id, ctx.params.id))) throw new HttpError(404, NOT_FOUND);
    return new Response(null, { status: 204 });
  },
});
