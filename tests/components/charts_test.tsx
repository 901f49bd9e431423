/**
 * The chart components as HTML: every bar's number is in the SVG's description and in
 * the table, a bar's height follows its value, nothing a user typed reaches the SVG
 * unescaped, and the strength chart draws any `{date, value}` series (a stub series here:
 * the app feeds it only from the stats module).
 */
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { renderToString } from "preact-render-to-string";
import { BarChart } from "@/components/BarChart.tsx";
import { BestStreaks } from "@/components/BestStreaks.tsx";
import { monthBars, monthName, weekdayBars } from "@/components/HabitCharts.tsx";
import { StrengthChart, strengthSamples } from "@/components/StrengthChart.tsx";
import { addDays } from "@/domain/calendar.ts";

Deno.test("bar chart: title and description name every bar's number; heights follow values", () => {
  const html = renderToString(
    <BarChart
      id="c"
      title="By weekday"
      caption="caption"
      max={1}
      axis="percent"
      bars={[
        { label: "Mon", name: "Mondays", value: 1, text: "100 %", detail: "4 of 4 done" },
        { label: "Tue", name: "Tuesdays", value: 0.5, text: "50 %", detail: "2 of 4 done" },
        { label: "Wed", name: "Wednesdays", value: null, text: "nothing expected", detail: "" },
      ]}
    />,
  );
  assertStringIncludes(html, 'role="img" aria-labelledby="c-title c-desc"');
  assertStringIncludes(
    html,
    '<desc id="c-desc">Mondays: 100 % (4 of 4 done); Tuesdays: 50 % (2 of 4 done); Wednesdays: nothing expected.</desc>',
  );
  const heights = [...html.matchAll(/<rect class="chart-bar"[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));
  assertEquals(heights.length, 2, "no bar where nothing was expected");
  assert(Math.abs(heights[0] - 2 * heights[1]) < 0.01, `heights ${heights}`);
  assertStringIncludes(html, '<th scope="row">Tuesdays</th><td>50 %</td><td>2 of 4 done</td>');
});

Deno.test("bar chart: what users type is escaped in the SVG and the table", () => {
  const html = renderToString(
    <BarChart
      id="x"
      title="<script>alert(1)</script>"
      caption="c"
      max={3}
      axis="count"
      bars={[{ label: "<b>", name: '"><img src=x>', value: 2, text: "2", detail: "" }]}
    />,
  );
  assertEquals(html.includes("<script>"), false);
  assertEquals(html.includes("<img"), false);
  assertStringIncludes(html, "&lt;script>");
});

Deno.test("weekday and month bars: rates say met of due, counts say days, empty months say so", () => {
  const rated = weekdayBars({
    mode: "rate",
    days: [{ weekday: 1, done: 3, met: 3, due: 4, rate: 0.75 }, { weekday: 2, done: 0, met: 0, due: 0, rate: 0 }],
  });
  assertEquals(rated[0], { label: "Mon", name: "Mondays", value: 0.75, text: "75 %", detail: "3 of 4 done" });
  assertEquals(rated[1].value, null);
  const counted = weekdayBars({ mode: "count", days: [{ weekday: 7, done: 5, met: 0, due: 0, rate: 0 }] });
  assertEquals(counted[0], { label: "Sun", name: "Sundays", value: 5, text: "5", detail: "" });
  assertEquals(monthName("2026-01"), "January 2026");
  assertEquals(monthBars([{ month: "2025-12", met: 0, due: 0, rate: 0 }])[0].text, "nothing expected");
});

Deno.test("best streaks: lengths and dates in words, the current one marked, bars scaled to the longest", () => {
  const html = renderToString(
    <BestStreaks
      unit="week"
      currentStart="2026-11-02"
      runs={[
        { length: 8, start: "2026-03-02", end: "2026-04-26" },
        { length: 2, start: "2026-11-02", end: "2026-11-15" },
      ]}
    />,
  );
  assertStringIncludes(html, "8 weeks");
  assertStringIncludes(
    html,
    '<time datetime="2026-03-02">2 Mar 2026</time> – <time datetime="2026-04-26">26 Apr 2026</time>',
  );
  assertStringIncludes(html, "15 Nov 2026</time> (current)");
  assertStringIncludes(html, 'width="25"');
  assertStringIncludes(renderToString(<BestStreaks unit="day" runs={[]} />), "No streak yet");
});

Deno.test("strength chart: a stub series is drawn as one line; the text states start, end, high and low", () => {
  const start = "2026-01-01";
  const series = Array.from({ length: 120 }, (_, i) => ({ date: addDays(start, i), value: i < 60 ? i : 120 - i }));
  const html = renderToString(<StrengthChart id="strength" series={series} color="#123456" />);
  const points = /<polyline class="chart-line" points="([^"]+)"/.exec(html)![1].split(" ");
  assertEquals(points.length, 120);
  // y grows downwards: the peak (day 60, value 60) is the highest point, the first (0) on the baseline.
  const ys = points.map((p) => Number(p.split(",")[1]));
  assertEquals(ys.indexOf(Math.min(...ys)), 60);
  assertStringIncludes(
    html,
    '<desc id="strength-desc">Strength 1 of 100 on 30 Apr 2026, from 0 on 1 Jan 2026; highest 60 on 2 Mar 2026, lowest 0 on 1 Jan 2026.</desc>',
  );
  assertEquals(strengthSamples(series).map((p) => p.date), [
    "2026-01-01",
    "2026-02-01",
    "2026-03-01",
    "2026-04-01",
    "2026-04-30",
  ]);
  assertStringIncludes(html, "--chart-color:#123456");
  assertStringIncludes(renderToString(<StrengthChart id="s" series={[]} />), "No strength to show yet");
});
