/**
 * The rules table (issue 11, "one definition of due and met"): every schedule × the
 * status of one probe day (done, partial numeric, skipped, failed, nothing) × paused or
 * not, walked through every place that reads a day: the grid cell, streaks, the 30- and
 * 365-day rates, strength, the dashboard overview's share and the reminder rule
 * (`asksOn`). Each combination is checked against one expected class of the day —
 * met, part, miss or neutral — and the places are checked against each other:
 *
 * - neutral (skipped; paused without a complete or failed check-in) leaves streaks,
 *   rates and strength exactly as a skipped day does, counts nothing in the overview and
 *   asks nothing;
 * - met never lowers strength, a streak or a rate; a miss never raises them; a part lies
 *   between the two in strength;
 * - on the schedules that name their days (daily, weekdays, interval) the effect is
 *   exact and strict: met raises strength, adds one to the streak and one done of one
 *   more due day to the rates; a miss lowers strength, ends the streak and adds one due
 *   day. On flexible schedules (weekly, monthly, times_in_days) a day counts through its
 *   period (a week already met is met whatever the day holds; partial days add up in
 *   it; an empty day shows "empty", not "missed"), and the overview counts a
 *   flexible habit's day only when it was done in full or failed.
 *
 * A done or failed check-in inside a pause speaks over it (the person said so); a partial
 * one does not. The SQL half of the reminder rule is tests/db/rules_table_test.ts.
 */
import { asksOn, completion, isPausedOn, type Schedule } from "@/domain/completion.ts";
import { habitDay, indexCheckins, tallyDay } from "@/domain/grid_days.ts";
import { habitStats, strengthSeries } from "@/domain/stats.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import {
  expectedClass,
  PROBE_STATUSES,
  type ProbeStatus,
  RULE_SCHEDULES,
  ruleCase,
  TODAY,
} from "@/tests/support/rules_table.ts";

const CELL: Record<ReturnType<typeof expectedClass>, string[]> = {
  met: ["done"],
  part: ["partial"],
  miss: ["failed", "missed"],
  neutral: ["skipped", "paused"],
};

function everything(schedule: Schedule, status: ProbeStatus, paused: boolean) {
  const { habit, checkins, probe } = ruleCase(schedule, status, paused);
  const stats = habitStats(habit, checkins, TODAY, 1);
  const index = indexCheckins([...checkins].map(([date, entry]) => ({ ...entry, habitId: habit.id, date })));
  return {
    probe,
    cell: habitDay(habit, checkins.get(probe), probe, TODAY).state,
    streak: stats.currentStreak,
    longest: stats.longestStreak,
    rate30: completion(habit, checkins, TODAY, 1, 30),
    rate365: completion(habit, checkins, TODAY, 1, 365),
    // Unrounded (stats.strength is the rounded last point of this series).
    strength: strengthSeries(habit, checkins, TODAY, TODAY, 1).at(-1)!.strength,
    shownStrength: stats.strength,
    overview: tallyDay([habit], index, probe, TODAY),
    asks: asksOn(habit, checkins, probe, 1),
    paused: isPausedOn(habit, probe),
  };
}

for (const schedule of RULE_SCHEDULES) {
  Deno.test(`rules table: ${JSON.stringify(schedule)} × status × pause agree in grid, streaks, rates, strength, overview, reminders`, () => {
    const neutral = everything(schedule, "skipped", false);
    const exactDays = ["daily", "weekdays", "interval"].includes(schedule.type);
    for (const status of PROBE_STATUSES) {
      for (const paused of [false, true]) {
        const what = `${schedule.type} ${status}${paused ? " paused" : ""}`;
        const kind = expectedClass(status, paused);
        const got = everything(schedule, status, paused);
        // A flexible habit's day with nothing logged is no miss by itself: "empty", its period decides.
        const cells = !exactDays && status === "none" && !paused ? ["empty"] : CELL[kind];
        assert(cells.includes(got.cell), `${what}: cell ${got.cell}, expected ${cells}`);
        assertEquals(got.paused, paused, what);
        // Reminders: nothing is asked of a paused day, nor of one answered (done in full, skipped, failed).
        if (paused || status === "done" || status === "skipped" || status === "failed") {
          assertEquals(got.asks, false, `${what}: asks`);
        } else if (exactDays) {
          assertEquals(got.asks, true, `${what}: asks`);
        }
        // The overview's share: a neutral day counts no habit; the others count one, scored as the day.
        const nothing = { due: 0, complete: 0, partial: 0, score: 0 };
        const expectedTally = {
          met: { due: 1, complete: 1, partial: 0, score: 1 },
          part: exactDays ? { due: 1, complete: 0, partial: 1, score: 0.25 } : nothing,
          miss: exactDays || status === "failed" ? { due: 1, complete: 0, partial: 0, score: 0 } : nothing,
          neutral: nothing,
        }[kind];
        assertEquals(got.overview, expectedTally, `${what}: overview`);
        if (kind === "neutral") {
          // Exactly as a skipped day: streaks, rates and strength unchanged.
          assertEquals(
            [got.streak, got.longest, got.rate30, got.rate365, got.strength, got.shownStrength],
            [neutral.streak, neutral.longest, neutral.rate30, neutral.rate365, neutral.strength, neutral.shownStrength],
            `${what}: neutral`,
          );
          continue;
        }
        // Strict on the schedules that name their days; through the period on the flexible ones.
        const above = (a: number, b: number) => exactDays ? a > b : a >= b;
        const [up, down] = kind === "met" ? [got, neutral] : [neutral, got];
        // A flexible period adds up its partial days, so a part may lift it above a skipped day.
        if (exactDays || kind !== "part") {
          assert(above(up.strength, down.strength), `${what}: strength ${got.strength} vs ${neutral.strength}`);
          assert(up.streak >= down.streak, `${what}: streak`);
          assert(up.rate30.rate >= down.rate30.rate && up.rate365.rate >= down.rate365.rate, `${what}: rate`);
        }
        if (kind === "part") {
          const met = everything(schedule, "done", false);
          const miss = everything(schedule, "none", false);
          assert(above(got.strength, miss.strength) && above(met.strength, got.strength), `${what}: strength between`);
        }
        if (exactDays) {
          assertEquals(got.streak, kind === "met" ? neutral.streak + 1 : 0, `${what}: streak`);
          for (const [rate, base] of [[got.rate30, neutral.rate30], [got.rate365, neutral.rate365]]) {
            assertEquals([rate.met, rate.due], [base.met + (kind === "met" ? 1 : 0), base.due + 1], `${what}: rate`);
          }
        }
      }
    }
  });
}
