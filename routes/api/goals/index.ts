import { createGoal, listGoals } from "@/db/goals.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { cachedJson } from "@/lib/cache/user_cache.ts";
import { goalCreateSchema } from "@/domain/goal_input.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

export const handler = define.handlers({
  /** The user's goals, pinned first, each with milestones, subgoals and progress. Cached (X-Cache). */
  async GET(ctx) {
    const user = requireUser(ctx);
    return await cachedJson(ctx, user.id, ["goals"], async () => ({
      goals: await listGoals(ctx.state.services.db, user.id),
    }));
  },

  /** Creates a goal; 402 past the plan's goals. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    const input = parseInput(goalCreateSchema, data);
    const goal = await createGoal(ctx.state.services.db, user.id, input);
    return Response.json({ goal }, { status: 201, headers: { Location: `/api/goals/${goal.id}` } });
  },
});
