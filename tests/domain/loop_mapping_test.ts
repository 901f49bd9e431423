/**
 * domain/loop_mapping.ts (Loop → the habit model of API.md) and app/loop/todays_model.ts
 * (what the import writes of it: all of it, a target of 0 or less as 1), as pure
 * functions: every frequency shape, every mark with and without a note, numeric targets
 * with their direction, reminders.
 */
import { type LoopEntry, type LoopHabit, type LoopMark } from "@/domain/loop_backup_format.ts";
import { mapLoopEntry, mapLoopFrequency, mapLoopHabit } from "@/domain/loop_mapping.ts";
import { toTodaysModel } from "@/app/loop/todays_model.ts";
import { assertEquals } from "@/tests/support/assert.ts";

Deno.test("mapLoopFrequency: daily, per week, per month exactly; any other n in d days as times_in_days", () => {
  const cases: [number, number, unknown][] = [
    [1, 1, { type: "daily" }],
    [3, 3, { type: "daily" }],
    [3, 7, { type: "weekly", times: 3 }],
    [6, 7, { type: "weekly", times: 6 }],
    [2, 30, { type: "monthly", times: 2 }],
    [2, 3, { type: "times_in_days", times: 2, days: 3 }],
    [1, 10, { type: "times_in_days", times: 1, days: 10 }],
    [4, 365, { type: "times_in_days", times: 4, days: 365 }],
    // Past the model's 365-day window: the same rate over 365 days, at least once.
    [5, 730, { type: "times_in_days", times: 3, days: 365 }],
    [1, 1000, { type: "times_in_days", times: 1, days: 365 }],
  ];
  for (const [numerator, denominator, expected] of cases) {
    assertEquals(mapLoopFrequency({ numerator, denominator }), expected, `${numerator}/${denominator}`);
  }
});

Deno.test("mapLoopEntry: every mark, with and without a note", () => {
  const entry = (mark: LoopMark, notes = ""): LoopEntry => ({ date: "2024-01-01", mark, notes } as LoopEntry);
  const day = (status: string, note: string | null = null, value: number | null = null) => ({
    date: "2024-01-01",
    status,
    value,
    note,
  });
  assertEquals(mapLoopEntry(entry("YES_MANUAL")), day("done"));
  assertEquals(mapLoopEntry(entry("YES_MANUAL", "calm")), day("done", "calm"));
  assertEquals(mapLoopEntry(entry("SKIP")), day("skipped"));
  assertEquals(mapLoopEntry(entry("NO", "Sick")), day("failed", "Sick"));
  assertEquals(mapLoopEntry(entry("YES_AUTO")), null);
  assertEquals(mapLoopEntry(entry("YES_AUTO", "Vacation")), day("skipped", "Vacation"));
  assertEquals(mapLoopEntry(entry("UNKNOWN")), null);
  assertEquals(mapLoopEntry(entry("UNKNOWN", "just a note")), day("skipped", "just a note"));
  assertEquals(mapLoopEntry({ date: "2024-01-01", mark: "AMOUNT", amount: 0, notes: "" }), day("done", null, 0));
  assertEquals(mapLoopEntry({ date: "2024-01-01", mark: "AMOUNT", amount: 2.5, notes: "x" }), day("done", "x", 2.5));
});

const coffee: LoopHabit = {
  id: 7,
  uuid: null,
  name: "Coffee",
  question: "How many cups?",
  description: "Less is more",
  type: "numeric",
  frequency: { numerator: 2, denominator: 3 },
  targetType: "at_most",
  targetValue: 2,
  unit: "cups",
  color: { index: 15, hex: "#d81b60" },
  archived: true,
  position: 3,
  reminder: { hour: 8, minute: 5, days: [1, 3] },
  entries: [
    { date: "2024-03-01", mark: "AMOUNT", amount: 1, notes: "" },
    { date: "2024-03-02", mark: "NO", notes: "forgot" },
    { date: "2024-03-03", mark: "UNKNOWN", notes: "" },
  ],
};

Deno.test("mapLoopHabit: a numeric at-most habit with its reminder, question and description", () => {
  assertEquals(mapLoopHabit(coffee), {
    name: "Coffee",
    color: "#d81b60",
    kind: "numeric",
    target: 2,
    unit: "cups",
    direction: "at_most",
    schedule: { type: "times_in_days", times: 2, days: 3 },
    archived: true,
    question: "How many cups?",
    description: "Less is more",
    reminder: { time: "08:05", days: [1, 3] },
    checkins: [
      { date: "2024-03-01", status: "done", value: 1, note: null },
      { date: "2024-03-02", status: "failed", value: null, note: "forgot" },
    ],
    derivedDays: 1,
  });
  const yesNo = mapLoopHabit({ ...coffee, type: "boolean", entries: [] });
  assertEquals([yesNo.target, yesNo.unit, yesNo.direction], [null, null, null]);
});

Deno.test("toTodaysModel: failed days, the exact schedule and the direction come across; a target of 0 becomes 1", () => {
  assertEquals(toTodaysModel(mapLoopHabit(coffee)), {
    target: 2,
    direction: "at_most",
    schedule: { type: "times_in_days", times: 2, days: 3 },
    checkins: [
      { date: "2024-03-01", status: "done", value: 1, note: null },
      { date: "2024-03-02", status: "failed", value: null, note: "forgot" },
    ],
  });
  const plain = toTodaysModel(
    mapLoopHabit({ ...coffee, targetType: "at_least", targetValue: 0, frequency: { numerator: 8, denominator: 30 } }),
  );
  assertEquals([plain.target, plain.direction, plain.schedule], [1, "at_least", { type: "monthly", times: 8 }]);
  const yesNo = toTodaysModel(mapLoopHabit({ ...coffee, type: "boolean", entries: [] }));
  assertEquals([yesNo.target, yesNo.direction], [null, null]);
});
