import { createSubgoal } from "../../../db/goals.ts";
import { requireUser } from "../../../lib/auth/require_user.ts";
import { readBody } from "../../../lib/body.ts";
import { HttpError } from "../../../lib/fresh/mod.ts";
import { subgoalCreateSchema } from "../../../lib/goal_input.ts";
import { define } from "../../../lib/state.ts";
import { parseInput } from "../../../lib/validate.ts";

export const handler = define.handlers({
  /** `{goalId, title}`: adds a subgoal (progress 0) to the goal. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    const input = parseInput(subgoalCreateSchema, data);
    const subgoal = await createSubgoal(ctx.state.services.db, user.id, input);
    if (!subgoal) throw new HttpError(404, "No goal with that id");
    return Response.json({ subgoal }, { status: 201 });
  },
});
