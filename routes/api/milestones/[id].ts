import { deleteMilestone, updateMilestone } from "@/db/goals.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { HttpError } from "fresh";
import { milestoneUpdateSchema } from "@/domain/goal_input.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

const NOT_FOUND = "No milestone with that id";

export const handler = define.handlers({
  /** Any of `title, dueDate (null clears), done`. */
  async PATCH(ctx) {
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    const patch = parseInput(milestoneUpdateSchema, data);
    const milestone = await updateMilestone(ctx.state.services.db, user.id, ctx.params.id, patch);
    if (!milestone) throw new HttpError(404, NOT_FOUND);
    return Response.json({ milestone });
  },

  async DELETE(ctx) {
    const user = requireUser(ctx);
    if (!(await deleteMilestone(ctx.state.services.db, user.id, ctx.params.id))) throw new HttpError(404, NOT_FOUND);
    return new Response(null, { status: 204 });
  },
});
