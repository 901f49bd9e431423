import { listNotifications, markNotificationsRead, type Notification } from "@/db/notifications.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { formatDay, localDateTime } from "@/domain/calendar.ts";
import { formatClock, type HourCycle, hourCycleOf } from "@/lib/clock_format.ts";
import { page } from "fresh";
import { markReadSchema } from "@/domain/reminder_input.ts";
import { setFlash } from "@/app/flash.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

interface NotificationsData {
  notifications: Notification[];
  hourCycle: HourCycle;
}

export const handler = define.handlers({
  async GET(ctx) {
    ctx.state.title = "Notifications";
    const user = requireUser(ctx);
    return page<NotificationsData>({
      notifications: await listNotifications(ctx.state.services.db, user.id),
      hourCycle: hourCycleOf(ctx.req.headers.get("accept-language")),
    });
  },

  /** Marks one notification read (`ids`), or all of them without ids. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    const { ids } = parseInput(markReadSchema, { ids: data.ids === undefined ? undefined : [data.ids].flat() });
    const marked = await markNotificationsRead(ctx.state.services.db, user.id, ids);
    setFlash(
      ctx,
      ids === undefined
        ? "All notifications marked read."
        : marked > 0
        ? "Notification marked read."
        : "That notification was already read.",
    );
    return ctx.redirect("/notifications", 303);
  },
});

/** "Sun 29 Nov 2026, 4:52 PM" in the user's timezone and the reader's clock. */
function sentAt(instant: Date, timezone: string, cycle: HourCycle): string {
  const { date, time } = localDateTime(timezone, instant);
  return `${formatDay(date)}, ${formatClock(time, cycle)}`;
}

export default define.page<typeof handler, NotificationsData>(function Notifications({ data, state }) {
  const timezone = state.user?.timezone ?? "UTC";
  const unread = data.notifications.filter((n) => n.readAt === null).length;
  return (
    <section class="narrow notifications">
      <h1>Notifications</h1>
      {unread > 0 && (
        <form method="post" action="/notifications">
          <button type="submit" class="button">Mark all read</button>
        </form>
      )}
      {data.notifications.length === 0
        ? (
          <p class="empty">
            Nothing yet. <a href="/reminders">Set up a reminder</a>.
          </p>
        )
        : (
          <ul class="notification-list">
            {data.notifications.map((notification) => (
              <li class={notification.readAt ? "notification" : "notification notification-unread"}>
                <strong>{notification.title}</strong>
                {notification.body && <p>{notification.body}</p>}
                <time datetime={notification.createdAt.toISOString()}>
                  {sentAt(notification.createdAt, timezone, data.hourCycle)}
                </time>
                {notification.habitId && <a href={`/habits/${notification.habitId}`}>Go to {notification.habitName}</a>}
                {!notification.readAt && (
                  <form method="post" action="/notifications" class="inline-form">
                    <input type="hidden" name="ids" value={notification.id} />
                    <button type="submit" class="link-button">Mark read</button>
                  </form>
                )}
              </li>
            ))}
          </ul>
        )}
    </section>
  );
});
