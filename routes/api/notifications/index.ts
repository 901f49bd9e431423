import { listNotifications } from "@/db/notifications.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { notificationListQuerySchema } from "@/domain/reminder_input.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

export const handler = define.handlers({
  /**
   * The user's newest notifications (at most 100), newest first; `?unread=true` only
   * unread ones. Not cached: the scheduler adds notifications without a request.
   */
  async GET(ctx) {
    const user = requireUser(ctx);
    const { unread } = parseInput(notificationListQuerySchema, Object.fromEntries(ctx.url.searchParams));
    return Response.json({ notifications: await listNotifications(ctx.state.services.db, user.id, { unread }) });
  },
});
