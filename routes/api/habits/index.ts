import { listHabits } from "@/db/habits.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { cachedJson } from "@/lib/cache/user_cache.ts";
import { readBody } from "@/lib/body.ts";
import { localDay } from "@/domain/calendar.ts";
import { habitCreateSchema, habitListQuerySchema } from "@/domain/habit_input.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";
import { createTaggedHabit } from "@/db/habit_tags.ts";
import { hasTag, tagKey } from "@/domain/tags.ts";

export const handler = define.handlers({
  /**
   * The user's active habits in order; `?archived=true` lists the archived ones, `?tag=`
   * only those with that tag (ignoring case). Cached (X-Cache), the filter in the key.
   */
  async GET(ctx) {
    const user = requireUser(ctx);
    const { archived, tag } = parseInput(habitListQuerySchema, Object.fromEntries(ctx.url.searchParams));
    return await cachedJson(ctx, user.id, [
      "habits",
      archived,
      ...(tag === undefined ? [] : ["tag", tagKey(tag)]),
    ], async () => {
      const habits = await listHabits(ctx.state.services.db, user.id, { archived });
      return { habits: tag === undefined ? habits : habits.filter((habit) => hasTag(habit, tag)) };
    });
  },

  /** Creates a habit starting on the user's local today; 402 past the plan's active habits. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    const input = parseInput(habitCreateSchema, data);
    const habit = await createTaggedHabit(ctx.state.services.db, user.id, input, localDay(user.timezone));
    return Response.json({ habit }, { status: 201, headers: { Location: `/api/habits/${habit.id}` } });
  },
});
