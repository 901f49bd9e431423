import { createSubgoal } from "@/db/goals.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { HttpError } from "fresh";
import { subgoalCreateSchema } from "@/domain/goal_input.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

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
