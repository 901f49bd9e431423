import { pinGoal } from "@/db/goals.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { HttpError } from "fresh";
import { goalPinSchema } from "@/domain/goal_input.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

export const handler = define.handlers({
  /** `{goalId, pinned, position?}`: pins (at a place among the pinned) or unpins; repeating is harmless. */
  async PATCH(ctx) {
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    const input = parseInput(goalPinSchema, data);
    const goal = await pinGoal(ctx.state.services.db, user.id, input);
    if (!goal) throw new HttpError(404, "No goal with that id");
    return Response.json({ goal });
  },
});
