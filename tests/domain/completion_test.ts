/**
 * Completion rates against cases computed by hand, one table per schedule type: what is
 * due, what is met, and the rate a user would work out on paper.
 */
import { assertEquals } from "@/tests/support/assert.ts";
import { addDays, dayNumber } from "@/domain/calendar.ts";
import {
  completion,
  type DayEntry,
  dayStates,
  describeCompletionRule,
  type HabitRule,
  isDueOn,
  periodsOf,
} from "@/domain/completion.ts";
import { habitStats } from "@/domain/stats.ts";

const done: DayEntry = { status: "done", value: null };
const skipped: DayEntry = { status: "skipped", value: null };

function entries(list: Record<string, DayEntry>): Map<string, DayEntry> {
  return new Map(Object.entries(list));
}

function habit(schedule: HabitRule["schedule"], startDate: string, extra: Partial<HabitRule> = {}): HabitRule {
  return { kind: "boolean", target: null, schedule, startDate, ...extra };
}

Deno.test("weekly: the issue's gym, 3 times a week, 3 + 2 over two finished weeks is 5 of 6 = 83 %", () => {
  // Weeks start on Monday: 2 Nov and 9 Nov 2026; the third week starts Monday 16 Nov.
  const gym = habit({ type: "weekly", times: 3 }, "2026-11-02");
  const checkins = entries({
    "2026-11-02": done,
    "2026-11-04": done,
    "2026-11-06": done,
    "2026-11-10": done,
    "2026-11-12": done,
  });
  // On the second week's last day (the issue showed 90 % there) and on the next Monday, nothing
  // logged yet: 5 of 6.
  for (const today of ["2026-11-15", "2026-11-16"]) {
    assertEquals(completion(gym, checkins, today, 1, 30), { met: 5, due: 6, rate: 0.8333 }, today);
    assertEquals(habitStats(gym, checkins, today, 1).completionRate30, 0.8333, today);
  }
  // Wednesday of the third week with nothing done: two days gone by ask for 3 × 2/7 ≈ 1 more.
  assertEquals(completion(gym, checkins, "2026-11-18", 1, 30), { met: 5, due: 7, rate: 0.7143 });
  // Three done by Wednesday: the week is complete and counts 3: 8 of 9.
  const more = new Map([...checkins, ...entries({ "2026-11-16": done, "2026-11-17": done, "2026-11-18": done })]);
  assertEquals(completion(gym, more, "2026-11-18", 1, 30), { met: 8, due: 9, rate: 0.8889 });
  // The first week's Tuesday, one done: the day before today asks for 3 × 1/7 ≈ 0, what is done counts: 1 of 1.
  assertEquals(completion(gym, entries({ "2026-11-02": done }), "2026-11-03", 1, 30), { met: 1, due: 1, rate: 1 });
});

Deno.test("weekly: more than the target counts the target; skips and a short first week lower what is due", () => {
  const cases: [string, Record<string, DayEntry>, string, { met: number; due: number }][] = [
    // Five times in a 3× week is 3 of 3.
    [
      "extra days",
      {
        "2026-11-02": done,
        "2026-11-03": done,
        "2026-11-04": done,
        "2026-11-05": done,
        "2026-11-06": done,
      },
      "2026-11-02",
      { met: 3, due: 3 },
    ],
    // One done, one skipped: 2 due, 1 met (missed).
    ["one skip", { "2026-11-02": done, "2026-11-03": skipped }, "2026-11-02", { met: 1, due: 2 }],
    // One done, two skipped: done + skipped reach 3, the week is neutral and left out.
    ["skips cover the rest", { "2026-11-02": done, "2026-11-03": skipped, "2026-11-04": skipped }, "2026-11-02", {
      met: 0,
      due: 0,
    }],
    // Started Thursday 5 Nov: 4 of 7 days, so 3 × 4/7 ≈ 2 due that week; 2 done.
    ["short first week", { "2026-11-05": done, "2026-11-08": done }, "2026-11-05", { met: 2, due: 2 }],
    // Started Sunday 8 Nov: 3 × 1/7 rounds to nothing asked; the day done does not count against.
    ["one-day first week", { "2026-11-08": done }, "2026-11-08", { met: 0, due: 0 }],
  ];
  for (const [name, checkins, start, expected] of cases) {
    // Today Monday 9 Nov: the second week asks nothing yet.
    const { met, due } = completion(habit({ type: "weekly", times: 3 }, start), entries(checkins), "2026-11-09", 1, 30);
    assertEquals({ met, due }, expected, name);
  }
});

Deno.test("weekly: a 30-day window that starts mid-week asks for that week's share", () => {
  // Today Wed 30 Dec 2026; 30 days back is Tue 1 Dec: its week (from Mon 30 Nov) has 6 days in the
  // window: 2 × 6/7 ≈ 2 due. Then 3 whole weeks of 2 = 6; this week's Monday and Tuesday ask for
  // 2 × 2/7 ≈ 1: 9 due.
  const twice = habit({ type: "weekly", times: 2 }, "2026-01-01");
  const checkins = new Map<string, DayEntry>();
  // Once a week on Thursdays, and the Monday before the window (outside it, so not counted).
  for (let d = "2026-12-03"; d <= "2026-12-30"; d = addDays(d, 7)) checkins.set(d, done);
  checkins.set("2026-11-30", done);
  assertEquals(completion(twice, checkins, "2026-12-30", 1, 30), { met: 4, due: 9, rate: 0.4444 });
});

Deno.test("daily: each day from the start is due once; skips are excused; today counts once done", () => {
  const read = habit({ type: "daily" }, "2026-03-01");
  const checkins = entries({
    "2026-03-01": done,
    "2026-03-02": done,
    "2026-03-03": skipped,
    "2026-03-05": done,
  });
  // 1–4 Mar: 4 days, one skipped → 3 due, 2 done (the 4th missed); today the 5th done → 3 of 4.
  assertEquals(completion(read, checkins, "2026-03-05", 1, 30), { met: 3, due: 4, rate: 0.75 });
  // Today not done yet: left out.
  assertEquals(completion(read, checkins, "2026-03-06", 1, 30), { met: 3, due: 4, rate: 0.75 });
  // The 30-day window: 10 days of a habit started long ago, 7 done.
  const old = habit({ type: "daily" }, "2025-01-01");
  const week = new Map<string, DayEntry>();
  for (let i = 1; i <= 7; i++) week.set(addDays("2026-03-10", -i), done);
  assertEquals(completion(old, week, "2026-03-10", 1, 10), { met: 7, due: 9, rate: 0.7778 });
});

Deno.test("weekdays: only the chosen days are due; done on another day neither helps nor hurts", () => {
  // Mon/Wed/Fri from Mon 2 Nov 2026; today Mon 16 Nov (open).
  const mwf = habit({ type: "weekdays", days: [1, 3, 5] }, "2026-11-02");
  const checkins = entries({
    "2026-11-02": done,
    "2026-11-03": done, // a Tuesday: not due, not counted
    "2026-11-04": done,
    "2026-11-06": skipped,
    "2026-11-09": done,
    "2026-11-13": done,
  });
  // Due: 2, 4, 9, 11, 13 (6th skipped) = 5; met 2, 4, 9, 13 = 4.
  assertEquals(completion(mwf, checkins, "2026-11-16", 1, 30), { met: 4, due: 5, rate: 0.8 });
  assertEquals(isDueOn(mwf, "2026-11-03"), false);
  assertEquals(isDueOn(mwf, "2026-11-04"), true);
  assertEquals(isDueOn(mwf, "2026-10-30"), false, "before the start");
  assertEquals(isDueOn(habit({ type: "weekly", times: 3 }, "2026-01-01"), "2026-11-04"), false);
});

Deno.test("numeric: a day short of the target is due and not met", () => {
  const run = habit({ type: "daily" }, "2026-03-01", { kind: "numeric", target: 5 });
  const checkins = entries({
    "2026-03-01": { status: "done", value: 5 },
    "2026-03-02": { status: "done", value: 2.5 },
    "2026-03-03": { status: "done", value: null }, // no value = the target
  });
  assertEquals(completion(run, checkins, "2026-03-04", 1, 30), { met: 2, due: 3, rate: 0.6667 });
});

Deno.test("periods: outcomes by schedule, the open one last", () => {
  const gym = habit({ type: "weekly", times: 2 }, "2026-11-02");
  const days = dayStates(gym, entries({ "2026-11-02": done, "2026-11-03": done, "2026-11-10": done }), 99_999);
  const weeks = [...periodsOf(gym.schedule, days, dayNumber("2026-11-02"), dayNumber("2026-11-18"), 1)];
  assertEquals(weeks.map((w) => [w.outcome, w.met, w.due]), [["complete", 2, 2], ["missed", 1, 2], ["open", 0, 1]]);
});

Deno.test("the rule in words names the schedule's own terms", () => {
  assertEquals(describeCompletionRule({ type: "weekly", times: 3 }, "Monday").includes("expects 3 days"), true);
  assertEquals(describeCompletionRule({ type: "weekdays", days: [7] }, "Monday").includes("scheduled"), true);
  assertEquals(describeCompletionRule({ type: "daily" }, "Monday").startsWith("Every day"), true);
});
