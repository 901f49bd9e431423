import { listActivity } from "../../db/activity.ts";
import { activityQuerySchema } from "../../lib/activity_input.ts";
import { requireUser } from "../../lib/auth/require_user.ts";
import { define } from "../../lib/state.ts";
import { parseInput } from "../../lib/validate.ts";

export const handler = define.handlers({
  /** The user's activity, newest first: `{items, nextCursor}` (null on the last page). */
  async GET(ctx) {
    const user = requireUser(ctx);
    const query = parseInput(activityQuerySchema, Object.fromEntries(ctx.url.searchParams));
    return Response.json(await listActivity(ctx.state.services.db, user.id, query));
  },
});
