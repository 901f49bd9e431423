/**
 * The compact day encoding (domain/day_codes.ts) and the dashboard's computed view
 * (domain/dashboard_view.ts): a grid drawn from decoded days is the same HTML as one drawn
 * from the days computed from check-ins — for every habit kind and schedule, the overall
 * grid, both week starts — and the view survives the JSON round trip the cache puts it
 * through. Small enough: 20 habits × a year are a few KB.
 */
import { renderToString } from "preact-render-to-string";
import { ConsistencyGrid, gridStart, habitLegend, OVERALL_LEGEND } from "@/components/ConsistencyGrid.tsx";
import {
  fullDays,
  type GridCheckin,
  type GridDay,
  type GridHabit,
  habitGridDays,
  indexCheckins,
  overallGridDays,
  overallStreak,
} from "@/domain/grid_days.ts";
import { dashboardView } from "@/domain/dashboard_view.ts";
import { DAY_CODES, decodeDays, encodeDays } from "@/domain/day_codes.ts";
import { addDays, type Weekday } from "@/domain/calendar.ts";
import { habitStats } from "@/domain/stats.ts";
import { assert, assertEquals, assertRejects } from "@/tests/support/assert.ts";

const TODAY = "2026-03-04";

/** Every kind and schedule the grid draws, started at different times. */
const HABITS: (GridHabit & { name: string; color: string })[] = [
  { id: "a", name: "Read", color: "#2f855a", kind: "numeric", target: 20, unit: "pages", schedule: { type: "daily" } },
  {
    id: "b",
    name: "Meditate",
    color: "#000000",
    kind: "boolean",
    target: null,
    unit: null,
    schedule: { type: "daily" },
  },
  {
    id: "c",
    name: "Run",
    color: "#123456",
    kind: "numeric",
    target: 5,
    unit: "km",
    schedule: { type: "weekdays", days: [1, 3, 5] },
  },
  {
    id: "d",
    name: "Gym",
    color: "#abcdef",
    kind: "boolean",
    target: null,
    unit: null,
    schedule: { type: "weekly", times: 3 },
  },
  {
    id: "e",
    name: "Water",
    color: "#0000ff",
    kind: "numeric",
    target: 8,
    unit: null,
    schedule: { type: "weekly", times: 2 },
  },
  {
    id: "f",
    name: "Journal",
    color: "#ff0000",
    kind: "boolean",
    target: null,
    unit: null,
    schedule: { type: "weekdays", days: [1, 2, 3, 4, 5] },
  },
].map((habit, i) => ({ ...habit, startDate: addDays(TODAY, -[400, 300, 200, 100, 30, 3][i]) }) as never);

/** A deterministic mix: done, values short of and past the target, skips, gaps, one backfilled before the start. */
function checkinsFor(habits: readonly GridHabit[]): GridCheckin[] {
  const out: GridCheckin[] = [];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const habit of habits) {
    for (let back = 0; back < 420; back++) {
      const date = addDays(TODAY, -back);
      const r = next();
      if (r < 0.3) continue;
      if (r < 0.36) out.push({ habitId: habit.id, date, status: "skipped", value: null });
      else if (habit.kind === "numeric") {
        out.push({
          habitId: habit.id,
          date,
          status: "done",
          value: r < 0.8 ? Math.round(habit.target! * r * 10) / 10 : null,
        });
      } else out.push({ habitId: habit.id, date, status: "done", value: null });
    }
  }
  return out;
}

function grid(days: ReadonlyMap<string, GridDay>, weekStart: Weekday, habit?: GridHabit): string {
  return renderToString(
    <ConsistencyGrid
      id="g"
      today={TODAY}
      weekStart={weekStart}
      days={days}
      summary={`${fullDays(days, TODAY)} full; run ${overallStreak(days, TODAY)}`}
      legend={habit ? habitLegend(habit) : OVERALL_LEGEND}
      dayHref={habit ? (date) => `/habits/${habit.id}/checkin?date=${date}` : undefined}
      firstLinkable={addDays(TODAY, -366)}
    />,
  );
}

Deno.test("day codes: each look has its own character, none of them the absent-day mark", () => {
  const codes = Object.values(DAY_CODES);
  assertEquals(new Set(codes).size, codes.length);
  for (const code of codes) assert(code.length === 1 && code !== "~", `bad code ${code}`);
});

Deno.test("day codes: a grid drawn from decoded days is the HTML of the computed ones", async (t) => {
  const checkins = checkinsFor(HABITS);
  const index = indexCheckins(checkins);
  for (const weekStart of [1, 7] as Weekday[]) {
    const from = gridStart(TODAY, weekStart);
    await t.step(`the overall grid, week start ${weekStart}`, () => {
      const computed = overallGridDays(HABITS, index, from, TODAY);
      const decoded = decodeDays(JSON.parse(JSON.stringify(encodeDays(computed, from, TODAY))));
      assertEquals(decoded.size, computed.size);
      const states = new Set([...computed.values()].map((d) => d.state));
      for (const state of ["done", "partial", "missed"]) assert(states.has(state as never), state);
      assertEquals(grid(decoded, weekStart), grid(computed, weekStart));
    });
    for (const habit of HABITS) {
      await t.step(`${habit.name} (${habit.schedule.type}, ${habit.kind}), week start ${weekStart}`, () => {
        const computed = habitGridDays(habit, index.get(habit.id) ?? new Map(), addDays(from, -30), TODAY);
        const decoded = decodeDays(encodeDays(computed, addDays(from, -30), TODAY));
        assertEquals(grid(decoded, weekStart, habit), grid(computed, weekStart, habit));
      });
    }
  }
});

Deno.test("day codes: absent days stay absent; more labels than one digit holds; unreadable codes throw", async () => {
  const days = new Map<string, GridDay>();
  for (let i = 0; i < 200; i++) {
    if (i % 3 === 0) continue;
    days.set(addDays(TODAY, -i), { state: "missed", score: 0, label: `label ${i}` });
  }
  const encoded = encodeDays(days, addDays(TODAY, -199), TODAY);
  assertEquals(encoded.labelWidth, 2);
  assertEquals(decodeDays(encoded), days);
  const error = await assertRejects(() =>
    Promise.resolve().then(() => decodeDays({ ...encoded, looks: "!" + encoded.looks.slice(1) }))
  );
  assert(String(error).includes("Unreadable day code"), String(error));
});

Deno.test("dashboard view: statistics and today's check-in per habit, the year encoded; a few KB for 20 habits", () => {
  const twenty = Array.from({ length: 20 }, (_, i) => ({ ...HABITS[i % HABITS.length], id: `h${i}` }));
  const checkins = checkinsFor(twenty);
  const index = indexCheckins(checkins);
  const from = gridStart(TODAY, 1);
  const view = JSON.parse(JSON.stringify(dashboardView(twenty, checkins, TODAY, 1, from)));
  assertEquals(view.habits.map((h: { id: string }) => h.id), twenty.map((h) => h.id));
  for (const [i, habit] of twenty.entries()) {
    assertEquals(view.habits[i].stats, habitStats(habit, index.get(habit.id) ?? new Map(), TODAY, 1));
    const entry = index.get(habit.id)?.get(TODAY);
    assertEquals(view.habits[i].today, entry ? { status: entry.status, value: entry.value } : null);
  }
  assertEquals(grid(decodeDays(view.year), 1), grid(overallGridDays(twenty, index, from, TODAY), 1));
  const bytes = new TextEncoder().encode(JSON.stringify(view)).byteLength;
  console.log(
    `  20 habits × 420 days: ${checkins.length} check-ins → view of ${bytes} bytes (year: ${
      JSON.stringify(view.year).length
    }, labels ${view.year.labels.length})`,
  );
  assert(bytes < 16_000, `the view is ${bytes} bytes`);
});

Deno.test("day codes: failed and paused days (issue 11) come back as themselves", () => {
  const days = new Map<string, GridDay>([
    [addDays(TODAY, -2), { state: "failed", score: 0, label: "Failed" }],
    [addDays(TODAY, -1), { state: "paused", score: 0, label: "Paused" }],
    [TODAY, { state: "done", score: 1, label: "Done" }],
  ]);
  const encoded = encodeDays(days, addDays(TODAY, -2), TODAY);
  assertEquals(encoded.looks, `${DAY_CODES.failed}${DAY_CODES.paused}${DAY_CODES.done}`);
  assertEquals(decodeDays(encoded), days);
});
