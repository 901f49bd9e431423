import { listHabits } from "@/db/habits.ts";
import { tagCounts } from "@/domain/tags.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { cachedJson } from "@/lib/cache/user_cache.ts";
import { define } from "@/app/state.ts";

/**
 * The user's tags with how many of their habits (active and archived) carry each:
 * `{tags: [{name, count}]}`, by name ignoring case. Cached (X-Cache).
 */
export const handler = define.handlers({
  async GET(ctx) {
    const user = requireUser(ctx);
    const { db } = ctx.state.services;
    return await cachedJson(ctx, user.id, ["tags"], async () => {
      const habits = [...await listHabits(db, user.id), ...await listHabits(db, user.id, { archived: true })];
      return { tags: tagCounts(habits) };
    });
  },
});
