import { createMilestone } from "@/db/goals.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { HttpError } from "fresh";
import { milestoneCreateSchema } from "@/domain/goal_input.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

export const handler = define.handlers({
  /** `{goalId, title, dueDate?}`: adds a milestone at the end of the goal's timeline. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    const input = parseInput(milestoneCreateSchema, data);
    const milestone = await createMilestone(ctx.state.services.db, user.id, input);
    if (!milestone) throw new HttpError(404, "No goal with that id");
    return Response.json({ milestone }, { status: 201 });
  },
});
