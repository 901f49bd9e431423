/**
 * domain/loop_backup_format.ts: Loop's encodings decoded, table by table, with values taken
 * from Loop's palette, migrations and weekday numbering (Saturday = bit 0).
 */
import {
  entryColumnsAt,
  entryDay,
  entryValue,
  habitColumnsAt,
  loopColor,
  loopFrequency,
  questionMovedAt,
  reminderWeekdays,
} from "@/domain/loop_backup_format.ts";
import { assertEquals } from "@/tests/support/assert.ts";

Deno.test("loopColor: ARGB ints (12–13), the 13-colour palette (14–20), the 20-colour palette (21+)", () => {
  const cases: [stored: number, version: number, index: number, hex: string][] = [
    [-2937041, 12, 0, "#d32f2f"], // red
    [-16742021, 13, 8, "#00897b"], // teal
    [-5592406, 12, 19, "#aaaaaa"], // light grey
    [-16777216, 12, 0, "#d32f2f"], // black: never offered by Loop → colour 0, as migration 14 does
    [0, 14, 0, "#d32f2f"],
    [2, 14, 4, "#f9a825"], // old 2 (yellow) is today's 4
    [5, 20, 8, "#00897b"],
    [12, 20, 19, "#aaaaaa"],
    [13, 20, 0, "#d32f2f"], // outside the 13 colours
    [-1, 17, 0, "#d32f2f"],
    [3, 21, 3, "#ff8f00"], // amber: only in today's palette
    [19, 25, 19, "#aaaaaa"],
    [20, 25, 0, "#d32f2f"],
    [-16742021, 25, 0, "#d32f2f"], // an ARGB int in a new backup is not a palette index
  ];
  for (const [stored, version, index, hex] of cases) {
    assertEquals(loopColor(stored, version), { index, hex }, `${stored} at version ${version}`);
  }
});

Deno.test("reminderWeekdays: Loop's bit 0 is Saturday, bit 6 Friday; ISO weekdays out", () => {
  assertEquals(reminderWeekdays(127), [1, 2, 3, 4, 5, 6, 7]);
  assertEquals(reminderWeekdays(0), []);
  assertEquals(reminderWeekdays(1), [6]);
  assertEquals(reminderWeekdays(2), [7]);
  assertEquals(reminderWeekdays(4), [1]);
  assertEquals(reminderWeekdays(64), [5]);
  assertEquals(reminderWeekdays(4 + 16 + 64), [1, 3, 5]); // Monday, Wednesday, Friday
  assertEquals(reminderWeekdays(127 + 128 + 1024), [1, 2, 3, 4, 5, 6, 7]); // higher bits ignored
  assertEquals(reminderWeekdays(-1), [1, 2, 3, 4, 5, 6, 7]);
});

Deno.test("entryValue: yes/no marks, numeric thousandths, SKIP and UNKNOWN in numeric habits", () => {
  assertEquals(entryValue(2, false), { mark: "YES_MANUAL" });
  assertEquals(entryValue(1, false), { mark: "YES_AUTO" });
  assertEquals(entryValue(0, false), { mark: "NO" });
  assertEquals(entryValue(3, false), { mark: "SKIP" });
  assertEquals(entryValue(-1, false), { mark: "UNKNOWN" });
  assertEquals(entryValue(4, false), null);
  assertEquals(entryValue(-2, false), null);
  assertEquals(entryValue(2000, false), null);
  assertEquals(entryValue(12_500, true), { mark: "AMOUNT", amount: 12.5 });
  assertEquals(entryValue(1, true), { mark: "AMOUNT", amount: 0.001 });
  assertEquals(entryValue(0, true), { mark: "AMOUNT", amount: 0 });
  assertEquals(entryValue(3, true), { mark: "SKIP" });
  assertEquals(entryValue(-1, true), { mark: "UNKNOWN" });
  assertEquals(entryValue(-5000, true), { mark: "UNKNOWN" });
});

Deno.test("entryDay: UTC midnight is the day; later in the day is cut to it; out of range is null", () => {
  assertEquals(entryDay(0), "1970-01-01");
  assertEquals(entryDay(Date.UTC(2015, 0, 1)), "2015-01-01");
  assertEquals(entryDay(Date.UTC(2015, 0, 1, 23, 59, 59, 999)), "2015-01-01");
  assertEquals(entryDay(Date.UTC(2024, 1, 29)), "2024-02-29");
  assertEquals(entryDay(Date.UTC(9999, 11, 31, 12)), "9999-12-31");
  assertEquals(entryDay(Date.UTC(10000, 0, 1)), null);
  assertEquals(entryDay(-1), null);
  assertEquals(entryDay(1.5), null);
  assertEquals(entryDay(Number.MAX_SAFE_INTEGER + 2), null);
});

Deno.test("loopFrequency: n/n is daily, other fractions stay as they are", () => {
  assertEquals(loopFrequency(1, 1), { numerator: 1, denominator: 1 });
  assertEquals(loopFrequency(7, 7), { numerator: 1, denominator: 1 });
  assertEquals(loopFrequency(2, 3), { numerator: 2, denominator: 3 });
  assertEquals(loopFrequency(3, 7), { numerator: 3, denominator: 7 });
  assertEquals(loopFrequency(1, 30), { numerator: 1, denominator: 30 });
});

Deno.test("habitColumnsAt / entryColumnsAt: the columns each version added", () => {
  const base = [
    "id",
    "name",
    "description",
    "freq_num",
    "freq_den",
    "color",
    "position",
    "archived",
    "reminder_hour",
    "reminder_min",
    "reminder_days",
  ];
  assertEquals(habitColumnsAt(12), base);
  assertEquals(habitColumnsAt(15), base);
  assertEquals(habitColumnsAt(16), [...base, "type"]);
  assertEquals(habitColumnsAt(18), [...base, "type", "target_type", "target_value", "unit"]);
  assertEquals(habitColumnsAt(23), [...base, "type", "target_type", "target_value", "unit", "question"]);
  assertEquals(habitColumnsAt(25), [...base, "type", "target_type", "target_value", "unit", "question", "uuid"]);
  assertEquals(entryColumnsAt(12), ["habit", "timestamp"]);
  assertEquals(entryColumnsAt(16), ["habit", "timestamp", "value"]);
  assertEquals(entryColumnsAt(24), ["habit", "timestamp", "value"]);
  assertEquals(entryColumnsAt(25), ["habit", "timestamp", "value", "notes"]);
  assertEquals([22, 23].map(questionMovedAt), [true, false]);
});
