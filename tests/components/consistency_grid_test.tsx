import { assert, assertEquals, assertMatch, assertStringIncludes } from "../support/assert.ts";
import { renderToString } from "preact-render-to-string";
import { ConsistencyGrid, GRID_WEEKS, gridStart, intensityLevel } from "../../components/ConsistencyGrid.tsx";
import {
  fullDays,
  type GridHabit,
  habitGridDays,
  indexCheckins,
  overallGridDays,
  overallStreak,
} from "../../components/grid_days.ts";
import { addDays, diffDays, formatDay, isoWeekday, type Weekday } from "../../lib/calendar.ts";
import type { DayEntry } from "../../lib/stats.ts";

const TODAY = "2026-03-04"; // a Wednesday

interface Cell {
  x: number;
  y: number;
  className: string;
  title: string;
}

/** The day cells of a rendered grid, in document order. */
function cells(html: string): Cell[] {
  const re = /<rect x="(\d+)" y="(\d+)" width="11" height="11" rx="2" class="([^"]+)"><title>([^<]*)<\/title><\/rect>/g;
  return [...html.matchAll(re)].map((m) => ({ x: Number(m[1]), y: Number(m[2]), className: m[3], title: m[4] }));
}

function render(options: {
  today?: string;
  weekStart?: Weekday;
  days?: Map<string, { score: number; label: string; skipped?: boolean }>;
  summary?: string;
  color?: string;
} = {}): string {
  return renderToString(
    <ConsistencyGrid
      id="g"
      today={options.today ?? TODAY}
      weekStart={options.weekStart ?? 1}
      days={options.days ?? new Map()}
      summary={options.summary ?? "summary text"}
      color={options.color}
    />,
  );
}

function entries(list: [string, DayEntry][]): Map<string, DayEntry> {
  return new Map(list);
}

Deno.test("grid: 53 week columns, today's column last, nothing after today", () => {
  const grid = cells(render());
  const columns = new Set(grid.map((c) => c.x));
  assertEquals(columns.size, GRID_WEEKS);
  // Monday start, today a Wednesday: the last column holds Mon..Wed only.
  const lastX = Math.max(...columns);
  assertEquals(grid.filter((c) => c.x === lastX).length, 3);
  assertEquals(grid.length, 52 * 7 + 3);
  assertStringIncludes(grid.at(-1)!.title, formatDay(TODAY));
  // Future days get no cell at all: no title names a later day.
  for (let i = 1; i <= 4; i++) assertEquals(grid.some((c) => c.title.startsWith(formatDay(addDays(TODAY, i)))), false);
});

Deno.test("grid: rows follow the week start", () => {
  for (const weekStart of [1, 7, 6] as Weekday[]) {
    const grid = cells(render({ weekStart }));
    const topRow = Math.min(...grid.map((c) => c.y));
    const firstColumn = Math.min(...grid.map((c) => c.x));
    const topLeft = grid.find((c) => c.x === firstColumn && c.y === topRow)!;
    const date = topLeft.title.split(":")[0];
    const weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    assertEquals(date.slice(0, 3), weekdays[weekStart - 1], `week start ${weekStart}`);
    // Every row holds one weekday only.
    for (const y of new Set(grid.map((c) => c.y))) {
      assertEquals(new Set(grid.filter((c) => c.y === y).map((c) => c.title.slice(0, 3))).size, 1);
    }
  }
  // The first column starts on the week start 52 weeks before this week's.
  const sunday = cells(render({ weekStart: 7 }));
  assertEquals(isoWeekday(gridStart(TODAY, 7)), 7);
  assertStringIncludes(sunday[0].title, formatDay(gridStart(TODAY, 7)));
});

Deno.test("grid: today is outlined, once", () => {
  const grid = cells(render());
  const outlined = grid.filter((c) => c.className.split(" ").includes("cg-today"));
  assertEquals(outlined.length, 1);
  assertStringIncludes(outlined[0].title, formatDay(TODAY));
});

Deno.test("grid: a title per cell, month and weekday labels, a legend of 5 levels", () => {
  const days = new Map([
    [TODAY, { score: 1, label: "done" }],
    [addDays(TODAY, -1), { score: 0, label: "skipped", skipped: true }],
  ]);
  const html = render({ days });
  const grid = cells(html);
  assertEquals(grid.at(-1)!.title, "Wed 4 Mar 2026: done");
  assertEquals(grid.at(-2)!.title, "Tue 3 Mar 2026: skipped");
  assertStringIncludes(grid.at(-2)!.className, "cg-skip");
  assertEquals(grid.at(-3)!.title, "Mon 2 Mar 2026: no check-in");
  for (const month of ["Mar", "Apr", "Dec", "Jan", "Feb"]) assertMatch(html, new RegExp(`<text [^>]*>${month}</text>`));
  assertMatch(html, /<text [^>]*>Mon<\/text>/);
  assertMatch(html, /Less.*More/s);
  for (let level = 0; level <= 4; level++) assertStringIncludes(html, `class="cg-l${level}"`);
});

Deno.test("grid: an image labelled by its text summary, escaped", () => {
  const html = render({ summary: `<script>alert("x")</script> 42 of the last 365 days` });
  assertMatch(html, /<svg [^>]*role="img"[^>]*aria-labelledby="g-summary"/);
  assertMatch(html, /<span class="visually-hidden" id="g-summary">&lt;script>alert\(&quot;x&quot;\)&lt;\/script> 42/);
  assertEquals(html.includes("<script>"), false);
});

Deno.test("grid: intensity levels by score; numeric habits by value/target", () => {
  assertEquals([0, 0.1, 0.25, 0.3, 0.5, 0.6, 0.75, 0.99, 1, 1.5].map(intensityLevel), [0, 1, 1, 2, 2, 3, 3, 3, 4, 4]);
  const habit: Omit<GridHabit, "id"> = {
    kind: "numeric",
    target: 8,
    unit: "km",
    schedule: { type: "daily" },
    startDate: "2025-01-01",
  };
  const days = habitGridDays(
    habit,
    entries([
      [TODAY, { status: "done", value: 6 }],
      [addDays(TODAY, -1), { status: "done", value: 8 }],
      [addDays(TODAY, -2), { status: "done", value: 1.5 }],
      [addDays(TODAY, -3), { status: "done", value: null }],
    ]),
    gridStart(TODAY, 1),
    TODAY,
  );
  const grid = cells(render({ days }));
  const last = (n: number) => grid.at(-1 - n)!;
  assertEquals(last(0).title, "Wed 4 Mar 2026: 6 of 8 km");
  assertEquals(last(0).className, "cg-l3 cg-today");
  assertEquals([last(1).className, last(2).className, last(3).className], ["cg-l4", "cg-l1", "cg-l4"]);
  assertEquals(last(3).title, "Sun 1 Mar 2026: 8 of 8 km"); // done without a value = the target
});

Deno.test("grid: a habit color tints the levels; anything else is ignored", () => {
  assertMatch(render({ color: "#ff8800" }), /class="cg-svg cg-tinted" style="--cg-color:#ff8800"/);
  const bad = render({ color: "red;background:url(x)" });
  assertEquals(bad.includes("url(x)"), false);
  assertEquals(render().includes("cg-tinted"), false);
});

Deno.test("grid days: unscheduled days say so; the overall grid is the share of the day's habits done", () => {
  const monWedFri: GridHabit = {
    id: "a",
    kind: "boolean",
    target: null,
    unit: null,
    schedule: { type: "weekdays", days: [1, 3, 5] },
    startDate: "2026-01-01",
  };
  const daily: GridHabit = { ...monWedFri, id: "b", schedule: { type: "daily" } };
  const weekly: GridHabit = { ...monWedFri, id: "c", schedule: { type: "weekly", times: 2 } };
  const run: GridHabit = {
    ...monWedFri,
    id: "d",
    kind: "numeric",
    target: 10,
    unit: "km",
    schedule: { type: "daily" },
  };
  const tue = addDays(TODAY, -1);
  assertEquals(habitGridDays(monWedFri, new Map(), tue, tue).get(tue)!.label, "not scheduled");

  const index = indexCheckins([
    { habitId: "a", date: TODAY, status: "done", value: null },
    { habitId: "b", date: TODAY, status: "done", value: null },
    { habitId: "d", date: TODAY, status: "done", value: 5 },
    { habitId: "c", date: tue, status: "done", value: null },
    { habitId: "b", date: tue, status: "skipped", value: null },
  ]);
  const habits = [monWedFri, daily, weekly, run];
  const days = overallGridDays(habits, index, "2026-01-01", TODAY);
  // Wednesday: a, b done, d half done; the weekly habit is not due.
  assertEquals(days.get(TODAY), { score: 2.5 / 3, label: "2 of 3 habits done", idle: undefined });
  // Tuesday: a not scheduled, b skipped, c done (counts), d missed.
  assertEquals(days.get(tue), { score: 0.5, label: "1 of 2 habits done", idle: undefined });
  // Thursday 1 January, the start day: a not scheduled, c not done (not due), b and d missed.
  assertEquals(days.get("2026-01-01"), { score: 0, label: "0 of 2 habits done", idle: undefined });
  // Before any habit started: nothing scheduled.
  const before = overallGridDays(habits, index, "2025-12-31", "2025-12-31").get("2025-12-31")!;
  assertEquals(before, { score: 0, label: "nothing scheduled", idle: true });
});

Deno.test("grid days: full days and the overall run skip idle days and keep today open", () => {
  const day = (score: number, idle = false) => ({ score, label: "", idle: idle || undefined });
  const days = new Map([
    [TODAY, day(0.5)], // today not finished yet: the run is still alive
    [addDays(TODAY, -1), day(1)],
    [addDays(TODAY, -2), day(0, true)], // nothing due
    [addDays(TODAY, -3), day(1)],
    [addDays(TODAY, -4), day(0.9)],
    [addDays(TODAY, -5), day(1)],
  ]);
  assertEquals(overallStreak(days, TODAY), 2);
  assertEquals(fullDays(days, TODAY), 3);
  assertEquals(fullDays(days, TODAY, 2), 1);
  assert(diffDays(gridStart(TODAY, 1), TODAY) >= 364);
});
