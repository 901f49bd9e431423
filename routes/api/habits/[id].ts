import { habitStatsFor } from "@/db/checkins.ts";
import { deleteHabit, getHabit } from "@/db/habits.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { cachedJson } from "@/lib/cache/user_cache.ts";
import { readBody } from "@/lib/body.ts";
import { localDay } from "@/domain/calendar.ts";
import { HttpError } from "fresh";
import { habitUpdateSchema } from "@/domain/habit_input.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";
import { updateTaggedHabit } from "@/db/habit_tags.ts";

/** Another user's habit, an unknown id and a malformed one all read the same. */
const NOT_FOUND = "No habit with that id";

export const handler = define.handlers({
  /** The habit and its statistics as of the user's local today. Cached (X-Cache). */
  async GET(ctx) {
    const user = requireUser(ctx);
    const { db } = ctx.state.services;
    const today = localDay(user.timezone);
    // A 404 throws out of the computation, so nothing is cached for it.
    return await cachedJson(ctx, user.id, ["habit", ctx.params.id, today], async () => {
      const habit = await getHabit(db, user.id, ctx.params.id);
      if (!habit) throw new HttpError(404, NOT_FOUND);
      return { habit, stats: await habitStatsFor(db, habit, today, user.weekStart) };
    });
  },

  /** Any create field, `archived?`, `position?`; 402 when unarchiving passes the plan's limit. */
  async PUT(ctx) {
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    const patch = parseInput(habitUpdateSchema, data);
    const habit = await updateTaggedHabit(ctx.state.services.db, user.id, ctx.params.id, patch);
    if (!habit) throw new HttpError(404, NOT_FOUND);
    return Response.json({ habit });
  },

  /** Deletes the habit and its check-ins. */
  async DELETE(ctx) {
    const user = requireUser(ctx);
    if (!(await deleteHabit(ctx.state.services.db, user.id, ctx.params.id))) throw new HttpError(404, NOT_FOUND);
    return new Response(null, { status: 204 });
  },
});
