/**
 * The consistency grid as HTML: 53 week columns in the user's week order, a cell per day
 * whose state shows as a shape class, links to each past day's check-in form within the
 * backfill window (named "Sat 28 Nov 2026: done"), a picture with a text alternative when
 * it has no links, a legend in words, and the day states computed from check-ins.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { renderToString } from "preact-render-to-string";
import {
  ConsistencyGrid,
  dayCellId,
  GRID_WEEKS,
  gridStart,
  habitLegend,
  OVERALL_LEGEND,
} from "@/components/ConsistencyGrid.tsx";
import {
  fullDays,
  type GridDay,
  type GridHabit,
  habitGridDays,
  indexCheckins,
  overallGridDays,
  overallStreak,
  partialLevel,
} from "@/domain/grid_days.ts";
import { addDays, diffDays, formatDay, isoWeekday, type Weekday } from "@/domain/calendar.ts";
import type { DayEntry } from "@/domain/stats.ts";

const TODAY = "2026-03-04"; // a Wednesday

interface Cell {
  /** Position in document order, which is the grid's column-major order. */
  index: number;
  tag: "a" | "span";
  className: string;
  /** The accessible name (links, images) or hover title (picture cells). */
  name: string;
  href?: string;
  id?: string;
}

/** The day cells of a rendered grid, in document order (future days included, nameless). */
function cells(html: string): Cell[] {
  const days = /<div class="cg-days">([^]*?)<\/div>/.exec(html)![1];
  const re = /<(a|span)([^>]*)><\/\1>/g;
  return [...days.matchAll(re)].map((m, index) => {
    const attr = (name: string) => new RegExp(` ${name}="([^"]*)"`).exec(m[2])?.[1];
    return {
      index,
      tag: m[1] as "a" | "span",
      className: attr("class") ?? "",
      name: attr("aria-label") ?? attr("title") ?? "",
      href: attr("href"),
      id: attr("id"),
    };
  });
}

/** Column and row of a cell (7 rows, filled column by column). */
const at = (cell: Cell) => ({ column: Math.floor(cell.index / 7), row: cell.index % 7 });

function render(options: {
  today?: string;
  weekStart?: Weekday;
  days?: Map<string, GridDay>;
  summary?: string;
  color?: string;
  linked?: boolean;
} = {}): string {
  const today = options.today ?? TODAY;
  return renderToString(
    <ConsistencyGrid
      id="g"
      today={today}
      weekStart={options.weekStart ?? 1}
      days={options.days ?? new Map()}
      summary={options.summary ?? "summary text"}
      color={options.color}
      legend={OVERALL_LEGEND}
      dayHref={options.linked ? (date) => `/habits/h1/checkin?date=${date}` : undefined}
      firstLinkable={addDays(today, -366)}
    />,
  );
}

function entries(list: [string, DayEntry][]): Map<string, DayEntry> {
  return new Map(list);
}

const named = (grid: Cell[]) => grid.filter((c) => c.name !== "");

Deno.test("grid: 53 week columns, today's column last, later days drawn but nameless", () => {
  const grid = cells(render());
  assertEquals(grid.length, GRID_WEEKS * 7);
  // Monday start, today a Wednesday: the last column holds Mon..Wed, then four later days.
  const last = grid.slice(-7);
  assertEquals(last.map((c) => c.className), ["off", "off", "off today", "future", "future", "future", "future"]);
  assertEquals(named(grid).length, 52 * 7 + 3);
  assertStringIncludes(named(grid).at(-1)!.name, formatDay(TODAY));
  for (let i = 1; i <= 4; i++) assertEquals(grid.some((c) => c.name.startsWith(formatDay(addDays(TODAY, i)))), false);
});

Deno.test("grid: rows follow the week start", () => {
  for (const weekStart of [1, 7, 6] as Weekday[]) {
    const grid = cells(render({ weekStart }));
    const weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    assertEquals(grid[0].name.slice(0, 3), weekdays[weekStart - 1], `week start ${weekStart}`);
    // Every row holds one weekday only.
    for (let row = 0; row < 7; row++) {
      const names = named(grid).filter((c) => at(c).row === row).map((c) => c.name.slice(0, 3));
      assertEquals(new Set(names).size, 1, `row ${row}`);
    }
    // The weekday labels follow too.
    const html = render({ weekStart });
    const labels = /<div class="cg-weekdays" aria-hidden="true">([^]*?)<\/div>/.exec(html)![1];
    assertStringIncludes(labels, `<span>${weekdays[weekStart - 1]}</span>`);
  }
  // The first column starts on the week start 52 weeks before this week's.
  const sunday = cells(render({ weekStart: 7 }));
  assertEquals(isoWeekday(gridStart(TODAY, 7)), 7);
  assertStringIncludes(sunday[0].name, formatDay(gridStart(TODAY, 7)));
});

Deno.test("grid: today is ringed, once", () => {
  const grid = cells(render());
  const ringed = grid.filter((c) => c.className.split(" ").includes("today"));
  assertEquals(ringed.length, 1);
  assertStringIncludes(ringed[0].name, formatDay(TODAY));
});

Deno.test("grid of one habit: every day from the backfill window's start to today links to its check-in form", () => {
  const days = new Map<string, GridDay>([
    [TODAY, { state: "done", score: 1, label: "done" }],
    [addDays(TODAY, -1), { state: "skipped", score: 0, label: "skipped" }],
    [addDays(TODAY, -2), { state: "missed", score: 0, label: "missed" }],
  ]);
  const html = render({ days, linked: true, summary: "Read: done on 1 day" });
  const grid = cells(html);
  const links = grid.filter((c) => c.tag === "a");
  // 53 weeks hold 367 days up to this Wednesday; the first is 366 days back: all of them link.
  assertEquals(links.length, diffDays(addDays(TODAY, -366), TODAY) + 1);
  assertEquals(links.at(-1), {
    index: 52 * 7 + 2,
    tag: "a",
    className: "done today",
    name: "Wed 4 Mar 2026: done",
    href: `/habits/h1/checkin?date=${TODAY}`,
    id: dayCellId("g", TODAY),
  });
  assertEquals(links.at(-2)!.name, "Tue 3 Mar 2026: skipped");
  assertEquals(links.at(-2)!.className, "skip");
  assertEquals(links.at(-3)!.className, "miss");
  // Every link names its own day and points at that day's form.
  for (const link of links) {
    const date = link.href!.slice(-10);
    assertEquals(link.id, `g-${date}`);
    assertStringIncludes(link.name, `${formatDay(date)}: `);
  }
  // Later days are no links, and hidden from screen readers.
  assertEquals(grid.filter((c) => c.className === "future").every((c) => c.tag === "span"), true);
  assertMatch(html, /<span class="future" aria-hidden="true"><\/span>/);
  // A group named by the summary, reachable by Tab, with a way past its many links.
  assertMatch(html, /<div class="cg-scroll" tabindex="0" role="group" aria-labelledby="g-summary">/);
  assertMatch(html, /<a class="cg-skip" href="#g-legend">/);
  assertMatch(html, /<figcaption class="cg-caption" id="g-legend">/);
});

Deno.test("grid of one habit: days before the backfill window are named images, not links", () => {
  // Today a Sunday with a Monday week start: 53 full weeks, 371 days, the first 4 before the window.
  const sunday = "2026-03-08";
  const grid = cells(render({ today: sunday, linked: true }));
  const before = grid.filter((c) => c.tag === "span" && c.className !== "future");
  assertEquals(before.length, 371 - 367);
  assertMatch(render({ today: sunday, linked: true }), /<span class="off" role="img" aria-label="[^"]+2025: /);
  assertEquals(grid.filter((c) => c.tag === "a").length, 367);
});

Deno.test("grid overview: one picture named by its summary, escaped; hover titles, no links", () => {
  const html = render({ summary: `<script>alert("x")</script> 42 of the last 365 days` });
  assertMatch(html, /<div class="cg-scroll" tabindex="0" role="img" aria-labelledby="g-summary">/);
  assertMatch(html, /<span class="visually-hidden" id="g-summary">&lt;script>alert\(&quot;x&quot;\)&lt;\/script> 42/);
  assertEquals(html.includes("<script>"), false);
  assertEquals(html.includes("<a "), false);
  assertStringIncludes(html, `<span class="off today" title="Wed 4 Mar 2026: not scheduled"></span>`);
});

Deno.test("grid: month and weekday labels, a legend in words", () => {
  const html = render();
  for (const month of ["Mar", "Apr", "Dec", "Jan", "Feb"]) {
    assertMatch(html, new RegExp(`<span style="grid-column:\\d+">${month}</span>`));
  }
  assertMatch(html, /<span>Mon<\/span>/);
  const legend = /<ul class="cg-legend">([^]*?)<\/ul>/.exec(html)![1];
  assertEquals(
    [...legend.matchAll(/<span class="cg-key ([^"]+)" aria-hidden="true"><\/span>([^<]+)</g)].map((m) => [m[1], m[2]]),
    [
      ["done", "All done"],
      ["part2", "Some done"],
      ["miss", "None done"],
      ["off", "Nothing due"],
      ["none today", "Today"],
      ["future", "Later this week"],
    ],
  );
  // A habit's legend names what its schedule can show.
  const words = (habit: Parameters<typeof habitLegend>[0]) => habitLegend(habit).map(([, w]) => w);
  assertEquals(words({ kind: "boolean", schedule: { type: "weekdays", days: [7] } }), [
    "Done",
    "Skipped",
    "Failed",
    "Missed",
    "Not scheduled",
    "Today",
    "Later this week",
  ]);
  assertEquals(words({ kind: "numeric", schedule: { type: "weekly", times: 2 } }).slice(0, 4), [
    "Done",
    "Partly done",
    "Skipped",
    "Failed",
  ]);
});

Deno.test("grid: states as shapes; numeric habits fill by value/target", () => {
  assertEquals([0.01, 0.25, 0.3, 0.5, 0.6, 0.99].map(partialLevel), [1, 1, 2, 2, 3, 3]);
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
      [addDays(TODAY, -5), { status: "skipped", value: null }],
    ]),
    gridStart(TODAY, 1),
    TODAY,
  );
  const grid = named(cells(render({ days })));
  const last = (n: number) => grid.at(-1 - n)!;
  assertEquals(last(0).name, "Wed 4 Mar 2026: 6 of 8 km");
  assertEquals(last(0).className, "part3 today");
  assertEquals([last(1).className, last(2).className, last(3).className], ["done", "part1", "done"]);
  assertEquals(last(3).name, "Sun 1 Mar 2026: 8 of 8 km"); // done without a value = the target
  assertEquals([last(4).className, last(4).name], ["miss", "Sat 28 Feb 2026: missed"]);
  assertEquals([last(5).className, last(5).name], ["skip", "Fri 27 Feb 2026: skipped"]);
});

Deno.test("grid: a habit color tints the cells; anything else is ignored", () => {
  assertMatch(render({ color: "#ff8800" }), /<figure class="cg cg-tinted" id="g" style="--cg-color:#ff8800">/);
  const bad = render({ color: "red;background:url(x)" });
  assertEquals(bad.includes("url(x)"), false);
  assertEquals(render().includes("cg-tinted"), false);
});

Deno.test("grid days: a Sundays-only habit's other days are not scheduled, not missed; today is open", () => {
  const sundays: Omit<GridHabit, "id"> = {
    kind: "boolean",
    target: null,
    unit: null,
    schedule: { type: "weekdays", days: [7] },
    startDate: "2026-02-01",
  };
  const days = habitGridDays(sundays, new Map(), "2026-01-31", TODAY);
  assertEquals(days.get("2026-03-01"), { state: "missed", score: 0, label: "missed" }); // a Sunday
  assertEquals(days.get("2026-03-02"), { state: "off", score: 0, label: "not scheduled" });
  assertEquals(days.get("2026-01-31"), { state: "off", score: 0, label: "before the habit started" });
  const daily = { ...sundays, schedule: { type: "daily" as const } };
  assertEquals(habitGridDays(daily, new Map(), TODAY, TODAY).get(TODAY), {
    state: "open",
    score: 0,
    label: "not done yet",
  });
  const weekly = { ...sundays, schedule: { type: "weekly" as const, times: 2 } };
  assertEquals(habitGridDays(weekly, new Map(), TODAY, TODAY).get(TODAY)!.state, "empty");
});

Deno.test("grid days: the overview counts a habit on the days it is due, partial as partial", () => {
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
  const pushups: GridHabit = { ...run, id: "e", target: 30, unit: "push-ups", schedule: { type: "weekly", times: 3 } };
  const tue = addDays(TODAY, -1);
  const mon = addDays(TODAY, -2);
  assertEquals(habitGridDays(monWedFri, new Map(), tue, tue).get(tue)!.label, "not scheduled");

  const index = indexCheckins([
    { habitId: "a", date: TODAY, status: "done", value: null },
    { habitId: "b", date: TODAY, status: "done", value: null },
    { habitId: "d", date: TODAY, status: "done", value: 5 },
    { habitId: "c", date: tue, status: "done", value: null },
    { habitId: "b", date: tue, status: "skipped", value: null },
    // The case: 15 of 30 push-ups on a weekly habit must not make Monday look worse.
    { habitId: "e", date: mon, status: "done", value: 15 },
    { habitId: "a", date: mon, status: "done", value: null },
    { habitId: "b", date: mon, status: "done", value: null },
    { habitId: "d", date: mon, status: "done", value: 10 },
  ]);
  const habits = [monWedFri, daily, weekly, run, pushups];
  const days = overallGridDays(habits, index, "2026-01-01", TODAY);
  // Wednesday: a, b done, d half done; the weekly habits are not due.
  assertEquals(days.get(TODAY), { state: "partial", score: 2.5 / 3, label: "2 of 3 habits done, 1 in part" });
  // Tuesday: a not scheduled, b skipped, c done though not due (one more done), d missed.
  assertEquals(days.get(tue), { state: "partial", score: 0.5, label: "1 of 2 habits done" });
  // Monday: everything due done; the half-done weekly push-ups leave the day as it was.
  assertEquals(days.get(mon), { state: "done", score: 1, label: "3 of 3 habits done" });
  // Thursday 1 January, the start day: a not scheduled, c not done (not due), b and d missed.
  assertEquals(days.get("2026-01-01"), { state: "missed", score: 0, label: "0 of 2 habits done" });
  // Before any habit started: nothing due.
  const before = overallGridDays(habits, index, "2025-12-31", "2025-12-31").get("2025-12-31")!;
  assertEquals(before, { state: "off", score: 0, label: "nothing due" });
});

Deno.test("grid days: full days and the overall run skip days with nothing due and keep today open", () => {
  const day = (score: number, off = false): GridDay => ({
    state: off ? "off" : score >= 1 ? "done" : score > 0 ? "partial" : "missed",
    score,
    label: "",
  });
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

Deno.test("grid of one habit: failed and paused days have their own class, legend words, and say so in their names", () => {
  const habit: GridHabit = {
    id: "h1",
    kind: "boolean",
    target: null,
    unit: null,
    schedule: { type: "daily" },
    startDate: "2026-01-01",
    pauses: [{ from: "2026-02-25", to: "2026-02-26" }],
  };
  const checkins = entries([
    ["2026-02-24", { status: "failed", value: null }],
    ["2026-02-27", { status: "done", value: null }],
  ]);
  const days = habitGridDays(habit, checkins, gridStart(TODAY, 1), TODAY);
  const html = renderToString(
    <ConsistencyGrid
      id="g"
      today={TODAY}
      weekStart={1}
      days={days}
      summary="Run"
      legend={habitLegend(habit)}
      dayHref={(date) => `/habits/h1/checkin?date=${date}`}
      firstLinkable={addDays(TODAY, -366)}
    />,
  );
  const grid = cells(html);
  const byDate = (date: string) => grid.find((c) => c.name.startsWith(`${formatDay(date)}:`))!;
  assertEquals(
    ["2026-02-24", "2026-02-25", "2026-02-26", "2026-02-27", "2026-02-28"].map((d) => [
      byDate(d).className.split(" ")[0],
      byDate(d).name,
    ]),
    [
      ["fail", "Tue 24 Feb 2026: failed"],
      ["pause", "Wed 25 Feb 2026: paused"],
      ["pause", "Thu 26 Feb 2026: paused"],
      ["done", "Fri 27 Feb 2026: done"],
      ["miss", "Sat 28 Feb 2026: missed"],
    ],
  );
  // Every day from the habit's start to today has a name that says its state (days before
  // the start say so too); only later days are nameless.
  for (const cell of named(grid)) assertMatch(cell.name, /^\w{3} \d{1,2} \w{3} \d{4}: \S/, cell.name);
  assertEquals(named(grid).length, diffDays(gridStart(TODAY, 1), TODAY) + 1);
  const legend = /<ul class="cg-legend">([^]*?)<\/ul>/.exec(html)![1];
  const keys = [...legend.matchAll(/<span class="cg-key ([^"]+)" aria-hidden="true"><\/span>([^<]+)</g)].map((m) => [
    m[1],
    m[2],
  ]);
  assert(keys.some(([cls, words]) => cls === "fail" && words === "Failed"), JSON.stringify(keys));
  assert(keys.some(([cls, words]) => cls === "pause" && words === "Paused"), JSON.stringify(keys));
});
