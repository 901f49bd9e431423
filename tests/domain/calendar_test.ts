import { assertEquals } from "@/tests/support/assert.ts";
import {
  addDays,
  diffDays,
  formatDay,
  gridLayout,
  isoWeekday,
  isValidDate,
  isValidTimeZone,
  localDateTime,
  localDay,
  startOfWeek,
  type Weekday,
} from "@/domain/calendar.ts";

Deno.test("localDay: the user's calendar day, across the date line and DST changes", () => {
  const cases: [string, string, string][] = [
    // [zone, instant (UTC), expected local day]
    ["UTC", "2026-03-01T00:00:00Z", "2026-03-01"],
    ["Pacific/Kiritimati", "2026-01-01T10:30:00Z", "2026-01-02"], // UTC+14
    ["Pacific/Pago_Pago", "2026-01-01T10:30:00Z", "2025-12-31"], // UTC−11
    ["Pacific/Kiritimati", "2026-06-15T09:59:59Z", "2026-06-15"],
    ["Pacific/Kiritimati", "2026-06-15T10:00:00Z", "2026-06-16"],
    ["Pacific/Pago_Pago", "2026-06-15T10:59:59Z", "2026-06-14"],
    ["Pacific/Pago_Pago", "2026-06-15T11:00:00Z", "2026-06-15"],
    // Europe/Berlin springs forward 2026-03-29 02:00 → 03:00 (UTC+1 → UTC+2).
    ["Europe/Berlin", "2026-03-28T22:59:59Z", "2026-03-28"],
    ["Europe/Berlin", "2026-03-28T23:00:00Z", "2026-03-29"],
    ["Europe/Berlin", "2026-03-29T21:59:59Z", "2026-03-29"],
    ["Europe/Berlin", "2026-03-29T22:00:00Z", "2026-03-30"],
    // New York falls back 2026-11-01 02:00 → 01:00 (UTC−4 → UTC−5): a 25-hour day.
    ["America/New_York", "2026-11-01T03:59:59Z", "2026-10-31"],
    ["America/New_York", "2026-11-01T04:00:00Z", "2026-11-01"],
    ["America/New_York", "2026-11-02T04:59:59Z", "2026-11-01"],
    ["America/New_York", "2026-11-02T05:00:00Z", "2026-11-02"],
    // Leap day.
    ["Asia/Tokyo", "2028-02-28T15:00:00Z", "2028-02-29"],
  ];
  for (const [zone, instant, expected] of cases) {
    assertEquals(localDay(zone, new Date(instant)), expected, `${zone} at ${instant}`);
  }
});

Deno.test("localDateTime gives the wall-clock time, including DST's repeated hour", () => {
  assertEquals(localDateTime("America/New_York", new Date("2026-11-01T05:30:00Z")), {
    date: "2026-11-01",
    time: "01:30",
  });
  assertEquals(localDateTime("America/New_York", new Date("2026-11-01T06:30:00Z")), {
    date: "2026-11-01",
    time: "01:30",
  });
  assertEquals(localDateTime("Asia/Kolkata", new Date("2026-05-01T18:29:00Z")).time, "23:59");
  assertEquals(localDateTime("Asia/Kolkata", new Date("2026-05-01T18:30:00Z")), { date: "2026-05-02", time: "00:00" });
});

Deno.test("date validation and zone validation", () => {
  for (const good of ["2026-01-31", "2028-02-29", "2000-02-29"]) assertEquals(isValidDate(good), true, good);
  for (const bad of ["2026-02-29", "2100-02-29", "2026-13-01", "2026-1-1", "20260101", "", null, 20260101]) {
    assertEquals(isValidDate(bad), false, String(bad));
  }
  assertEquals(isValidTimeZone("Europe/Berlin"), true);
  assertEquals(isValidTimeZone("UTC"), true);
  assertEquals(isValidTimeZone("Mars/Olympus_Mons"), false);
  assertEquals(isValidTimeZone(""), false);
});

Deno.test("day arithmetic ignores DST and handles leap years", () => {
  const cases: [string, number, string][] = [
    ["2026-03-28", 1, "2026-03-29"],
    ["2026-03-29", 1, "2026-03-30"],
    ["2028-02-28", 1, "2028-02-29"],
    ["2028-02-29", 1, "2028-03-01"],
    ["2027-02-28", 1, "2027-03-01"],
    ["2026-01-01", -1, "2025-12-31"],
    ["2026-01-01", 365, "2027-01-01"],
    ["2028-01-01", 366, "2029-01-01"],
  ];
  for (const [from, days, to] of cases) {
    assertEquals(addDays(from, days), to);
    assertEquals(diffDays(from, to), days);
  }
});

Deno.test("ISO weekdays and week starts", () => {
  assertEquals(isoWeekday("2026-11-22"), 7); // a Sunday
  assertEquals(isoWeekday("2026-11-23"), 1);
  assertEquals(isoWeekday("1970-01-01"), 4);
  assertEquals(isoWeekday("1969-12-29"), 1);
  const cases: [string, Weekday, string][] = [
    ["2026-11-22", 1, "2026-11-16"], // Sunday, weeks start Monday
    ["2026-11-22", 7, "2026-11-22"], // Sunday, weeks start Sunday
    ["2026-11-21", 7, "2026-11-15"], // Saturday, weeks start Sunday
    ["2026-11-21", 6, "2026-11-21"], // Saturday, weeks start Saturday
    ["2026-11-20", 6, "2026-11-14"],
    ["2028-03-01", 1, "2028-02-28"], // across a leap day
  ];
  for (const [date, weekStart, expected] of cases) {
    assertEquals(startOfWeek(date, weekStart), expected, `${date} weekStart ${weekStart}`);
  }
});

Deno.test("grid layout: 53 week columns ending with today's week, rows from the week start", () => {
  const monday = gridLayout("2026-11-22", 1);
  assertEquals(monday.weeks.length, 53);
  assertEquals(monday.rows, [1, 2, 3, 4, 5, 6, 7]);
  assertEquals(monday.weeks.at(-1)!.map((c) => c.date), [
    "2026-11-16",
    "2026-11-17",
    "2026-11-18",
    "2026-11-19",
    "2026-11-20",
    "2026-11-21",
    "2026-11-22",
  ]);
  assertEquals(monday.weeks.at(-1)!.every((c) => !c.future), true);
  assertEquals(monday.weeks[0][0].date, "2025-11-17");
  for (const column of monday.weeks) assertEquals(isoWeekday(column[0].date), 1);

  const sunday = gridLayout("2026-11-18", 7);
  assertEquals(sunday.rows, [7, 1, 2, 3, 4, 5, 6]);
  assertEquals(sunday.weeks.at(-1)![0].date, "2026-11-15");
  assertEquals(sunday.weeks.at(-1)!.map((c) => c.future), [false, false, false, false, true, true, true]);

  // Month labels: in order, each at the column where that month first appears in the top row.
  const labels = monday.months.map((m) => m.label);
  assertEquals(labels.slice(0, 3), ["Nov", "Dec", "Jan"]);
  assertEquals(labels.length, 13);
  // A first column late in its month gets no label: it would collide with the next one.
  assertEquals(gridLayout("2026-11-29", 1).months[0].label, "Dec");
  const jan = monday.months.find((m) => m.label === "Jan")!;
  assertEquals(monday.weeks[jan.column][0].date.slice(0, 7), "2026-01");
  assertEquals(monday.weeks[jan.column - 1][0].date.slice(0, 7), "2025-12");
});

Deno.test("formatDay is a readable label", () => {
  assertEquals(formatDay("2028-02-29"), "Tue 29 Feb 2028");
});

Deno.test("localDay without an instant: today in the zone, turning at its midnight to the millisecond", () => {
  const realNow = Date.now;
  try {
    // 2026-03-28T23:00Z is midnight in Europe/Berlin (UTC+1 until the clocks change on the 29th).
    const midnight = Date.UTC(2026, 2, 28, 23, 0, 0, 0);
    const at = (ms: number) => Date.now = () => ms;
    at(midnight - 1);
    assertEquals(localDay("Europe/Berlin"), "2026-03-28");
    assertEquals(localDay("UTC"), "2026-03-28");
    at(midnight);
    assertEquals(localDay("Europe/Berlin"), "2026-03-29", "the next millisecond is the next day");
    assertEquals(localDay("UTC"), "2026-03-28");
    // Half-hour and quarter-hour zones turn at a minute boundary too.
    const kathmandu = Date.UTC(2026, 2, 28, 18, 15, 0, 0); // UTC+5:45
    at(kathmandu - 1);
    assertEquals(localDay("Asia/Kathmandu"), "2026-03-28");
    at(kathmandu);
    assertEquals(localDay("Asia/Kathmandu"), "2026-03-29");
    at(kathmandu - 1); // a clock set back is answered for its own minute
    assertEquals(localDay("Asia/Kathmandu"), "2026-03-28");
  } finally {
    Date.now = realNow;
  }
  assertEquals(localDay("Pacific/Kiritimati"), localDay("Pacific/Kiritimati", new Date()));
});
