import { habitStatsFor, listCheckins, upsertCheckin } from "@/db/checkins.ts";
import { getHabit } from "@/db/habits.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { localDay } from "@/domain/calendar.ts";
import { HttpError } from "fresh";
import { checkinRangeSchema, checkinSchemaFor } from "@/domain/habit_input.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

/** Another user's habit, an unknown id and a malformed one all read the same. */
const NOT_FOUND = "No habit with that id";

export const handler = define.handlers({
  /** Check-ins from `from` to `to` (inclusive, ≤ 400 days); the last 30 days by default. */
  async GET(ctx) {
    const user = requireUser(ctx);
    const { db } = ctx.state.services;
    const habit = await getHabit(db, user.id, ctx.params.id);
    if (!habit) throw new HttpError(404, NOT_FOUND);
    const range = parseInput(checkinRangeSchema(localDay(user.timezone)), Object.fromEntries(ctx.url.searchParams));
    const checkins = await listCheckins(db, user.id, habit.id, range.from, range.to);
    return Response.json({ checkins });
  },

  /** Sets one day (`none` clears it) and answers with the habit's new statistics. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const { db } = ctx.state.services;
    const habit = await getHabit(db, user.id, ctx.params.id);
    if (!habit) throw new HttpError(404, NOT_FOUND);
    const today = localDay(user.timezone);
    const { data } = await readBody(ctx.req);
    const input = parseInput(checkinSchemaFor(habit, today), data);
    const checkin = await upsertCheckin(db, user.id, habit.id, input, today);
    const stats = await habitStatsFor(db, habit, today, user.weekStart);
    return Response.json({ checkin, stats });
  },
});
