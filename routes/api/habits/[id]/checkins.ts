import { checkInWithStats, type CheckinWrite, habitStatsFor, listCheckins, upsertCheckin } from "@/db/checkins.ts";
import { RuleViolation } from "@/domain/rules.ts";
import { getHabit } from "@/db/habits.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { localDay } from "@/domain/calendar.ts";
import { HttpError } from "fresh";
import { checkinRangeSchema, checkinSchemaFor } from "@/domain/habit_input.ts";
import { define } from "@/app/state.ts";
import { keepsSignedInUser } from "@/app/cache/invalidate.ts";
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

  /**
   * Sets one day (`none` clears it) and answers with the habit's new statistics.
   *
   * A body that is valid for a numeric habit (every rule but "no value on a yes/no
   * habit") is written at once, with the statistics, in one statement
   * (`checkInWithStats`). Anything else takes the careful path: the habit first (so an
   * unknown habit is a 404 whatever the body), then the body against that habit's rules
   * (every bad field named), then the write; so is a value the database refused for a
   * yes/no habit, which that path names as a field error. The answers are the same.
   */
  async POST(ctx) {
    const user = requireUser(ctx);
    // A check-in changes no credential or profile: this instance may keep remembering the user.
    keepsSignedInUser(ctx.state);
    const { db } = ctx.state.services;
    const today = localDay(user.timezone);
    const valid = await inputValidForAnyHabit(ctx.req, today);
    if (valid) {
      try {
        return Response.json(await checkInWithStats(db, user.id, ctx.params.id, valid, today, user.weekStart));
      } catch (error) {
        if (error instanceof RuleViolation && error.kind === "not_found") throw new HttpError(404, NOT_FOUND);
        // `invalid`: nothing was written; the careful path says which field is wrong.
        if (!(error instanceof RuleViolation && error.kind === "invalid")) throw error;
      }
    }
    const habit = await getHabit(db, user.id, ctx.params.id);
    if (!habit) throw new HttpError(404, NOT_FOUND);
    const { data } = await readBody(ctx.req);
    const input = parseInput(checkinSchemaFor(habit, today), data);
    const checkin = await upsertCheckin(db, user.id, habit.id, input, today);
    const stats = await habitStatsFor(db, habit, today, user.weekStart);
    return Response.json({ checkin, stats });
  },
});

/**
 * The check-in body when it is valid for a numeric habit, the most a body can be valid
 * for without knowing the habit; undefined when it is not (or cannot be read).
 */
async function inputValidForAnyHabit(req: Request, today: string): Promise<CheckinWrite | undefined> {
  try {
    const result = checkinSchemaFor({ kind: "numeric" }, today).safeParse((await readBody(req)).data);
    return result.success ? result.data : undefined;
  } catch {
    return undefined; // the careful path reads it again and answers its 400 or 415, or the 404
  }
}
