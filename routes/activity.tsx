import { countOf } from "@/components/habit_labels.ts";
import { type ActivityItem, listActivity } from "@/db/activity.ts";
import { activityQuerySchema } from "@/domain/activity_input.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { formatDay, isValidDate, localDateTime } from "@/domain/calendar.ts";
import { formatClock, type HourCycle, hourCycleOf } from "@/lib/clock_format.ts";
import { page } from "fresh";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

export const handler = define.handlers({
  async GET(ctx) {
    ctx.state.title = "Activity";
    const user = requireUser(ctx);
    const query = parseInput(activityQuerySchema, Object.fromEntries(ctx.url.searchParams));
    const { items, nextCursor } = await listActivity(ctx.state.services.db, user.id, query);
    const hourCycle = hourCycleOf(ctx.req.headers.get("accept-language"));
    return page({ days: groupByDay(items, user.timezone, hourCycle), nextCursor, first: !query.cursor });
  },
});

interface Day {
  label: string;
  entries: { time: string; text: string }[];
}

/** Items (newest first) grouped by the user's local day, each with its local time in the reader's clock. */
function groupByDay(items: ActivityItem[], timeZone: string, cycle: HourCycle): Day[] {
  const days: Day[] = [];
  let current = "";
  for (const item of items) {
    const { date, time } = localDateTime(timeZone, item.createdAt);
    if (date !== current) {
      days.push({ label: formatDay(date), entries: [] });
      current = date;
    }
    days.at(-1)!.entries.push({ time: formatClock(time, cycle), text: describe(item) });
  }
  return days;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function onDay(value: unknown): string {
  return isValidDate(value) ? ` on ${formatDay(value)}` : "";
}

/** One sentence a person reads ("Checked in Read on Tue 3 Mar 2026"); unknown actions fall back to their name. */
function describe(item: ActivityItem): string {
  const d = item.details;
  const name = text(d.name) || text(d.title);
  switch (item.action) {
    case "user.signed_up":
      return "Created the account";
    case "user.logged_in":
      return "Logged in";
    case "user.logged_out":
      return "Logged out";
    case "settings.saved":
      return "Saved settings";
    case "token.created":
      return `Created the API token ${name}`;
    case "token.revoked":
      return `Revoked the API token ${name}`;
    case "habit.created":
      return `Created the habit ${name}`;
    case "habit.updated":
      return `Edited the habit ${name}`;
    case "habit.archived":
      return `Archived ${name}`;
    case "habit.unarchived":
      return `Unarchived ${name}`;
    case "habit.deleted":
      return `Deleted the habit ${name}`;
    case "checkin.saved":
      return `${
        d.status === "skipped" ? "Skipped" : d.status === "failed" ? "Marked as failed" : "Checked in"
      } ${name}${onDay(d.date)}`;
    case "checkin.cleared":
      return `Cleared ${name}${onDay(d.date)}`;
    case "usage.consumed":
      return item.objectId === "exports" ? "Exported your data" : `Used ${item.objectId ?? "a quota"}`;
    case "data.imported":
      return `Imported ${Number(d.habits) || 0} habits and ${Number(d.checkins) || 0} check-ins` +
        (d.source === "loop" ? " from Loop Habit Tracker" : "");
    case "plan.changed":
      return `Changed plan to ${text(d.to)}`;
    case "billing.customer_linked":
      return "Linked your Stripe account";
    case "billing.subscription_synced":
      return "Updated your subscription";
    case "goal.created":
      return `Created the goal ${name}`;
    case "goal.updated":
      return `Edited the goal ${name}`;
    case "goal.deleted":
      return `Deleted the goal ${name}`;
    case "goal.pinned":
      return `Pinned the goal ${name}`;
    case "goal.unpinned":
      return `Unpinned the goal ${name}`;
    case "milestone.created":
      return `Added the milestone ${name}`;
    case "milestone.updated":
      return `Updated the milestone ${name}`;
    case "milestone.deleted":
      return `Deleted the milestone ${name}`;
    case "subgoal.created":
      return `Added the subgoal ${name}`;
    case "subgoal.updated":
      return `Updated the subgoal ${name}`;
    case "subgoal.deleted":
      return `Deleted the subgoal ${name}`;
    case "reminder.created":
      return `Created the reminder ${name}`;
    case "reminder.updated":
      return `Edited the reminder ${name}`;
    case "reminder.deleted":
      return `Deleted the reminder ${name}`;
    case "notifications.read":
      return d.all === true
        ? "Marked all notifications read"
        : `Marked ${countOf(Number(d.count) || 0, "notification")} read`;
    default: {
      // An action this page does not know yet still reads as a sentence: "Goal archived Marathon".
      const [object, verb] = item.action.split(".");
      const sentence = `${object ?? ""} ${(verb ?? "").replaceAll("_", " ")} ${name}`.trim();
      return sentence.charAt(0).toUpperCase() + sentence.slice(1);
    }
  }
}

/** Activity: what happened to the account, newest first, a page at a time (no JavaScript). */
export default define.page<typeof handler>(function ActivityPage({ data }) {
  return (
    <section class="narrow activity-page">
      <h1>Activity</h1>
      {data.days.length === 0
        ? <p class="muted">{data.first ? "Nothing yet." : "Nothing older."}</p>
        : data.days.map((day) => (
          <section class="activity-day">
            <h2>{day.label}</h2>
            <ul class="activity-list">
              {day.entries.map((entry) => (
                <li>
                  <span class="activity-time">{entry.time}</span> {entry.text}
                </li>
              ))}
            </ul>
          </section>
        ))}
      <p class="activity-more">
        {!data.first && <a href="/activity">Newest</a>}{" "}
        {data.nextCursor && <a href={`/activity?cursor=${encodeURIComponent(data.nextCursor)}`}>Older</a>}
      </p>
    </section>
  );
});
