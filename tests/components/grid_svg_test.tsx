/**
 * The consistency grid as a standalone SVG: well-formed XML whatever the habit's name
 * holds, a text alternative (role="img" named by <title>, described by <desc>), light and
 * dark palettes inside the image, a habit colour's tint, and a shape per day state.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { describeDays, gridSvgDocument, xmlText } from "@/components/GridSvg.tsx";
import { gridTint } from "@/components/grid_tint.ts";
import { GRID_WEEKS, gridStart, habitLegend } from "@/components/ConsistencyGrid.tsx";
import { type CellState, type GridDay, habitGridDays } from "@/domain/grid_days.ts";
import { addDays, diffDays, formatDay } from "@/domain/calendar.ts";

const TODAY = "2026-03-04"; // a Wednesday

/** An attribute-keeping parse of the document (throws on malformed XML). */
function parse(svg: string): Record<string, unknown> {
  const valid = XMLValidator.validate(svg);
  assert(valid === true, `not well-formed XML: ${JSON.stringify(valid)}`);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", textNodeName: "#text" });
  return parser.parse(svg).svg;
}

/** The text of an element the parser gave as a string or as `{#text, @attrs}`. */
function text(node: unknown): string {
  if (typeof node === "string" || typeof node === "number") return String(node);
  return String((node as Record<string, unknown>)["#text"] ?? "");
}

interface DayCell {
  look: string;
  name: string;
  x: number;
  y: number;
  /** The painted rects' heights, by class (a partial day's fill). */
  rects: { cls: string; height: number; y: number }[];
  today: boolean;
}

/** The day cells, in document order (column by column), from the `days` group. */
function dayCells(svg: string): DayCell[] {
  const group = /<g class="days">([^]*)<\/g><g class="legend">|<g class="days">([^]*)<\/g><\/svg>/.exec(svg)!;
  const inner = group[1] ?? group[2];
  return [...inner.matchAll(/<g data-look="([a-z]+)">([^]*?)<\/g>/g)].map((m) => {
    const body = m[2];
    const rects = [...body.matchAll(/<rect([^>]*?)\/?>/g)].map((r) => ({
      cls: / class="([^"]*)"/.exec(r[1])?.[1] ?? "",
      height: Number(/ height="([^"]*)"/.exec(r[1])?.[1]),
      y: Number(/ y="([^"]*)"/.exec(r[1])?.[1]),
    }));
    const first = rects.find((r) => r.cls !== "td") ?? { y: 0 };
    const circle = / cx="([^"]*)"/.exec(body);
    return {
      look: m[1],
      name: /<title>([^<]*)<\/title>/.exec(body)?.[1] ?? "",
      x: circle ? Number(circle[1]) : Number(/ x="([^"]*)"/.exec(body)?.[1]),
      y: first.y,
      rects,
      today: rects.some((r) => r.cls === "td"),
    };
  });
}

/** A day of each state, then `off` for the rest. */
function daysOfEveryState(): Map<string, GridDay> {
  const states: [CellState, number, string][] = [
    ["done", 1, "done"],
    ["partial", 0.2, "1 of 5 km"],
    ["partial", 0.5, "4 of 8 km"],
    ["partial", 0.75, "6 of 8 km"],
    ["skipped", 0, "skipped"],
    ["missed", 0, "missed"],
    ["empty", 0, "no check-in"],
    ["off", 0, "not scheduled"],
  ];
  const days = new Map<string, GridDay>();
  states.forEach(([state, score, label], i) => days.set(addDays(TODAY, -(states.length - i)), { state, score, label }));
  days.set(TODAY, { state: "open", score: 0, label: "not done yet" });
  return days;
}

Deno.test("GridSvg: 53 week columns of 7 days, each day drawn by its state's shape, today ringed, the rest of the week dashed", () => {
  const svg = gridSvgDocument({ today: TODAY, weekStart: 1, days: daysOfEveryState() });
  parse(svg);
  const cells = dayCells(svg);
  assertEquals(cells.length, GRID_WEEKS * 7);
  // Monday-first week: Thu–Sun after Wednesday 4 Mar are the future.
  assertEquals(cells.slice(-4).map((c) => c.look), ["future", "future", "future", "future"]);
  const named = new Map(cells.filter((c) => c.name).map((c) => [c.name, c]));
  const cell = (name: string) => {
    const found = named.get(name);
    assert(found, `no cell named ${name}; have ${[...named.keys()].slice(-12).join(" | ")}`);
    return found;
  };
  assertEquals(cell("Tue 24 Feb 2026: done").look, "done");
  assertEquals(cell("Tue 24 Feb 2026: done").rects.map((r) => r.cls), ["f"]);
  // Partial days are filled from the bottom: about a third, half, three quarters of 11px.
  const fills = ["Wed 25 Feb 2026: 1 of 5 km", "Thu 26 Feb 2026: 4 of 8 km", "Fri 27 Feb 2026: 6 of 8 km"]
    .map((name) => {
      const c = cell(name);
      assertEquals(c.look, "partial");
      return c.rects.find((r) => r.cls === "p")!.height;
    });
  assertEquals(fills, [3.3, 5.5, 8.3]);
  assertEquals(cell("Sat 28 Feb 2026: skipped").look, "skipped");
  assertMatch(svg, /<rect [^>]*fill="url\(#cg-svg-hatch\)"/);
  assertEquals(cell("Sun 1 Mar 2026: missed").rects.map((r) => r.cls), ["e", "mo"]);
  assertEquals(cell("Mon 2 Mar 2026: no check-in").rects.map((r) => r.cls), ["e", "no"]);
  assertEquals(cell("Mon 23 Feb 2026: not scheduled").look, "off");
  // A day missing from the map is not scheduled (a dot), with that name.
  assertEquals(cell("Mon 23 Feb 2026: not scheduled").look, "off");
  const today = cell("Wed 4 Mar 2026: not done yet");
  assertEquals([today.look, today.today], ["open", true]);
  assertEquals(cells.filter((c) => c.today).length, 1);
  // Every look present in the table was drawn, and nothing else.
  assertEquals(
    [...new Set(cells.map((c) => c.look))].sort(),
    ["done", "empty", "future", "missed", "off", "open", "partial", "skipped"],
  );
});

Deno.test("GridSvg: the first row is the owner's first weekday, the first column starts 52 weeks before this week", () => {
  for (const [weekStart, name] of [[7, "Sun"], [1, "Mon"], [6, "Sat"]] as const) {
    const svg = gridSvgDocument({ today: TODAY, weekStart, days: new Map() });
    const cells = dayCells(svg);
    const first = gridStart(TODAY, weekStart);
    assertEquals(cells[0].name, `${formatDay(first)}: not scheduled`);
    assertEquals(cells[0].name.slice(0, 3), name);
    assertEquals(diffDays(first, TODAY) < GRID_WEEKS * 7, true);
    // Weekday labels on the left follow the week start (every other row is labelled).
    const labels = [...svg.matchAll(/<text x="10" y="\d+">([A-Z][a-z]{2})<\/text>/g)].map((m) => m[1]);
    assertEquals(labels[0], name);
    // Cells of one column share x; columns step right by 14px.
    assertEquals(new Set(cells.slice(0, 7).map((c) => c.x)).size, 1);
    assertEquals(cells[7].x - cells[0].x, 14);
  }
});

Deno.test("GridSvg: hostile titles, labels and legend words stay text: escaped, no control characters, no lone surrogates, still well-formed", () => {
  const hostile = `<script>alert(1)</script> & "quotes" 'apos' ]]> <!-- \u0000\u0007\u001b \ud800 end\uFFFF`;
  const days = new Map<string, GridDay>([[TODAY, { state: "done", score: 1, label: hostile }]]);
  const svg = gridSvgDocument({
    today: TODAY,
    weekStart: 1,
    days,
    title: hostile,
    description: hostile,
    legend: [["done", hostile]],
    id: `x" onload="alert(1)`,
    color: `#123456;}</style><script>alert(1)</script>`,
  });
  const doc = parse(svg);
  assert(!svg.includes("<script"), "a raw <script> tag got through");
  assert(!svg.includes("onload"), "the id was not refused");
  // deno-lint-ignore no-control-regex
  assert(!/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(svg), "a control character got through");
  assert(svg.isWellFormed(), "a lone surrogate got through");
  const expected = `<script>alert(1)</script> & "quotes" 'apos' ]]> <!-- \uFFFD\uFFFD\uFFFD \uFFFD end\uFFFD`;
  assertEquals(text(doc.title), expected);
  assertEquals(text(doc.desc), expected);
  // The visible title is clipped to fit, the <title> keeps all of it.
  const long = "Read".repeat(50);
  const clipped = parse(gridSvgDocument({ today: TODAY, weekStart: 1, days, title: long }));
  assertEquals(text(clipped.title), long);
  assertStringIncludes(svg, "<title>Wed 4 Mar 2026: &lt;script>alert(1)&lt;/script> &amp; ");
  // The unknown id fell back to the default; the bad colour was ignored (default greens).
  assertStringIncludes(svg, `aria-labelledby="cg-svg-title cg-svg-desc"`);
  assertStringIncludes(svg, ".f{fill:#145125}");
  assertEquals(xmlText("a\u0000b\ud83d\ude00c\udc00"), "a\uFFFDb\ud83d\ude00c\uFFFD");
});

Deno.test("GridSvg: a text alternative: role=img named by <title> and described by <desc>, counting the days by state", () => {
  const days = daysOfEveryState();
  const svg = gridSvgDocument({ id: "share-1", today: TODAY, weekStart: 1, days, title: "Read" });
  const doc = parse(svg);
  assertEquals(doc["@role"], "img");
  assertEquals(doc["@aria-labelledby"], "share-1-title share-1-desc");
  assertEquals((doc.title as Record<string, string>)["@id"], "share-1-title");
  assertEquals((doc.desc as Record<string, string>)["@id"], "share-1-desc");
  assertEquals(text(doc.title), "Read");
  assertEquals(
    text(doc.desc),
    "Days from Mon 3 Mar 2025 to Wed 4 Mar 2026: 1 done, 3 partly done, 1 skipped, 1 missed, 1 not done yet, 1 not scheduled, 1 without a check-in.",
  );
  // Untitled: a generic name, no visible title line.
  const untitled = parse(gridSvgDocument({ today: TODAY, weekStart: 1, days: new Map() }));
  assertEquals(text(untitled.title), "Consistency grid");
  assertEquals(text(untitled.desc), "Days from Mon 3 Mar 2025 to Wed 4 Mar 2026: nothing recorded.");
  assertEquals(
    describeDays(days, "2026-03-01", "2026-03-03"),
    "Days from Sun 1 Mar 2026 to Tue 3 Mar 2026: 1 missed, 1 not scheduled, 1 without a check-in.",
  );
  // Day titles can be left out to make the image smaller; the description stays.
  const bare = gridSvgDocument({ today: TODAY, weekStart: 1, days, dayTitles: false });
  assertEquals(dayCells(bare).filter((c) => c.name).length, 0);
  assert(bare.length < svg.length * 0.8, `${bare.length} vs ${svg.length}`);
});

Deno.test("GridSvg: light and dark palettes inside the image, switched by prefers-color-scheme; a habit colour tints both", () => {
  const plain = gridSvgDocument({ today: TODAY, weekStart: 1, days: new Map() });
  const style = /<style>([^<]*)<\/style>/.exec(plain)![1];
  const [light, dark] = style.split("@media (prefers-color-scheme:dark)");
  assert(dark !== undefined, "no dark block");
  assertStringIncludes(light, ".bg{fill:#ffffff}");
  assertStringIncludes(light, ".f{fill:#145125}");
  assertStringIncludes(dark, ".bg{fill:#0d1117}");
  assertStringIncludes(dark, ".f{fill:#30cd55}");
  assertStringIncludes(style, "color-scheme:light dark");
  // A background of its own, so the image reads on any page.
  assertMatch(plain, /<rect class="bg" width="\d+" height="\d+"/);

  const tint = gridTint("#e91e63");
  const tinted = gridSvgDocument({ today: TODAY, weekStart: 1, days: new Map(), color: "#E91E63" });
  const [tLight, tDark] = /<style>([^<]*)<\/style>/.exec(tinted)![1].split("@media (prefers-color-scheme:dark)");
  assertStringIncludes(tLight, `.f{fill:${tint.light.full}}`);
  assertStringIncludes(tLight, `.p{fill:${tint.light.part}}`);
  assertStringIncludes(tDark, `.f{fill:${tint.dark.full}}`);
  assertStringIncludes(tDark, `.p{fill:${tint.dark.part}}`);
});

Deno.test("gridTint: any colour keeps done darker than partial in light and lighter in dark; non-hex refused", () => {
  for (const color of ["#ffffff", "#000000", "#ffff00", "#4caf50", "#0000ff", "#808080"]) {
    const t = gridTint(color);
    for (const hex of [t.light.full, t.light.part, t.dark.full, t.dark.part]) assertMatch(hex, /^#[0-9a-f]{6}$/);
    const lum = (hex: string) =>
      parseInt(hex.slice(1, 3), 16) + parseInt(hex.slice(3, 5), 16) + parseInt(hex.slice(5, 7), 16);
    assert(lum(t.light.full) < lum(t.light.part), `${color}: light full ${t.light.full} !< part ${t.light.part}`);
    assert(lum(t.dark.full) > lum(t.dark.part), `${color}: dark full ${t.dark.full} !> part ${t.dark.part}`);
  }
  for (const bad of ["red", "#fff", "#12345g", "#123456;}", ""]) {
    let threw = false;
    try {
      gridTint(bad);
    } catch (e) {
      threw = e instanceof RangeError;
    }
    assert(threw, `${bad} accepted`);
  }
});

Deno.test("GridSvg: the legend explains the habit's states in words, wraps, and leaves out the future when the week is over", () => {
  const habit = { kind: "numeric", schedule: { type: "daily" } } as Parameters<typeof habitLegend>[0];
  const legend = habitLegend(habit);
  const svg = gridSvgDocument({ today: TODAY, weekStart: 1, days: new Map(), legend });
  const group = /<g class="legend">([^]*)<\/g><\/svg>/.exec(svg)![1];
  const words = [...group.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  assertEquals(words, legend.map(([, w]) => w));
  // Sunday is the last day of a Monday-first week: no future days, no "future" entry.
  const sunday = gridSvgDocument({ today: "2026-03-08", weekStart: 1, days: new Map(), legend });
  const sundayWords = [
    .../<g class="legend">([^]*)<\/g><\/svg>/.exec(sunday)![1].matchAll(/<text [^>]*>([^<]*)<\/text>/g),
  ]
    .map((m) => m[1]);
  assertEquals(sundayWords, legend.filter(([key]) => key !== "future").map(([, w]) => w));
  // Many entries wrap onto more rows and the image grows to hold them.
  const many = gridSvgDocument({
    today: TODAY,
    weekStart: 1,
    days: new Map(),
    legend: Array.from({ length: 12 }, () => ["done", "A rather long legend entry"] as const),
  });
  const height = (s: string) => Number(/<svg [^>]*height="(\d+)"/.exec(s)![1]);
  assert(height(many) > height(svg), `${height(many)} !> ${height(svg)}`);
});

Deno.test("GridSvg: drawn from a habit's real check-ins (habitGridDays) it is well-formed and names every past day", () => {
  const habit = {
    kind: "boolean" as const,
    target: null,
    unit: null,
    schedule: { type: "daily" as const },
    startDate: "2025-06-01",
  };
  const checkins = new Map([["2026-03-01", { status: "done" as const, value: null }], ["2026-03-02", {
    status: "skipped" as const,
    value: null,
  }]]);
  const first = gridStart(TODAY, 1);
  const days = habitGridDays(habit as Parameters<typeof habitGridDays>[0], checkins, first, TODAY);
  const svg = gridSvgDocument({ today: TODAY, weekStart: 1, days, title: "Read", color: "#4caf50" });
  parse(svg);
  const cells = dayCells(svg).filter((c) => c.look !== "future");
  assertEquals(cells.length, diffDays(first, TODAY) + 1);
  assertEquals(cells.filter((c) => c.look === "done").length, 1);
  assertEquals(cells.filter((c) => c.look === "skipped").length, 1);
  assertEquals(cells.find((c) => c.name.startsWith("Mon 2 Mar 2026"))!.look, "skipped");
  assertEquals(
    cells.find((c) => c.name.startsWith("Sat 31 May 2025"))!.name,
    "Sat 31 May 2025: before the habit started",
  );
});

Deno.test("GridSvg: failed and paused days have their own shapes and legend words, and every day's title says its state", () => {
  const habit = {
    kind: "numeric" as const,
    target: 4,
    unit: "km",
    schedule: { type: "daily" as const },
    startDate: "2026-01-01",
    // Two paused days: one empty, one with a partial check-in (still paused).
    pauses: [{ from: "2026-02-25", to: "2026-02-26" }],
  };
  const checkins = new Map<string, { status: "done" | "skipped" | "failed"; value: number | null }>([
    ["2026-02-24", { status: "failed", value: null }],
    ["2026-02-26", { status: "done", value: 1 }],
    ["2026-02-27", { status: "done", value: 4 }],
    ["2026-02-28", { status: "done", value: 2 }],
    ["2026-03-01", { status: "skipped", value: null }],
  ]);
  const first = gridStart(TODAY, 1);
  const days = habitGridDays(habit as Parameters<typeof habitGridDays>[0], checkins, first, TODAY);
  const legend = habitLegend(habit);
  const svg = gridSvgDocument({ today: TODAY, weekStart: 1, days, title: "Run", legend });
  parse(svg);
  const cells = dayCells(svg).filter((c) => c.look !== "future");
  const cellOf = (date: string) => cells.find((c) => c.name.startsWith(`${formatDay(date)}:`))!;
  assertEquals(
    ["2026-02-24", "2026-02-25", "2026-02-26", "2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"].map((d) => [
      cellOf(d).look,
      cellOf(d).name,
    ]),
    [
      ["failed", "Tue 24 Feb 2026: failed"],
      ["paused", "Wed 25 Feb 2026: paused"],
      ["paused", "Thu 26 Feb 2026: paused"],
      ["done", "Fri 27 Feb 2026: 4 of 4 km"],
      ["partial", "Sat 28 Feb 2026: 2 of 4 km"],
      ["skipped", "Sun 1 Mar 2026: skipped"],
      ["missed", "Mon 2 Mar 2026: missed"],
    ],
  );
  // Failed and paused are drawn unlike every other state (and unlike each other).
  const shape = (look: string) => {
    const cell = cells.find((c) => c.look === look)!;
    return JSON.stringify(cell.rects.map(({ cls, height }) => ({ cls, height })));
  };
  const shapes = ["done", "skipped", "missed", "failed", "paused"].map(shape);
  assertEquals(new Set(shapes).size, shapes.length, shapes.join(" | "));
  // Every day up to today has a title that says what it was.
  for (const cell of cells) assertMatch(cell.name, /^\w{3} \d{1,2} \w{3} \d{4}: \S/, cell.name);
  // The legend draws each key's shape next to its words, Failed and Paused included.
  const legendGroup = /<g class="legend">([^]*)<\/g><\/svg>/.exec(svg)![1];
  const items = [...legendGroup.matchAll(/<g data-look="([a-z]+)">[^]*?<\/g><text[^>]*>([^<]+)<\/text>/g)].map((m) => [
    m[1],
    m[2],
  ]);
  assert(items.some(([look, words]) => look === "failed" && words === "Failed"), JSON.stringify(items));
  assert(items.some(([look, words]) => look === "paused" && words === "Paused"), JSON.stringify(items));
});
