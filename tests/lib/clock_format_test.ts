import { assertEquals } from "@/tests/support/assert.ts";
import { DEFAULT_HOUR_CYCLE, formatClock, hourCycleOf } from "@/lib/clock_format.ts";

Deno.test("hour cycle: the reader's most preferred language decides, as the browser's time field does", () => {
  const cases: [string | null, "h12" | "h23"][] = [
    ["en-US,en;q=0.9", "h12"],
    ["en-GB,en;q=0.8", "h23"],
    ["de-DE", "h23"],
    ["fr;q=0.5, en-US;q=0.9", "h12"], // highest q wins, not the first listed
    ["en-US;q=0, de", "h23"], // q=0 means "not this one"
    ["*", DEFAULT_HOUR_CYCLE],
    ["not a tag!!", DEFAULT_HOUR_CYCLE],
    ["", DEFAULT_HOUR_CYCLE],
    [null, DEFAULT_HOUR_CYCLE],
    ["x".repeat(10_000), DEFAULT_HOUR_CYCLE],
  ];
  for (const [header, expected] of cases) assertEquals(hourCycleOf(header), expected, String(header).slice(0, 40));
});

Deno.test("clock: HH:MM as stored, or with AM/PM", () => {
  const cases: [string, string, string][] = [
    ["00:00", "12:00 AM", "00:00"],
    ["07:05", "7:05 AM", "07:05"],
    ["12:00", "12:00 PM", "12:00"],
    ["16:52", "4:52 PM", "16:52"],
    ["23:59", "11:59 PM", "23:59"],
  ];
  for (const [time, h12, h23] of cases) {
    assertEquals([formatClock(time, "h12"), formatClock(time, "h23")], [h12, h23], time);
  }
});
