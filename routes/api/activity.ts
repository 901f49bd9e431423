import { listActivity } from "@/db/activity.ts";
import { activityQuerySchema } from "@/domain/activity_input.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

export const handler = define.handlers({
  /** The user's activity, newest first: `{items, nextCursor}` (null on the last page). */
  async GET(ctx) {
    const user = requireUser(ctx);
    const query = parseInput(activityQuerySchema, Object.fromEntries(ctx.url.searchParams));
    return Response.json(await listActivity(ctx.state.services.db, user.id, query));
  },
});
