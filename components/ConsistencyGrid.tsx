/**
 * The consistency grid: the last 53 weeks as a heatmap of HTML cells, one column per week
 * and one row per weekday (top row = the user's week start), month labels above, weekday
 * labels on the left, a legend in words below. Server-rendered: props in, HTML out.
 *
 * - Each day's state has its own shape as well as its colour (see styles.css, "The
 *   consistency grid"): done is a full square, partly done fills from the bottom,
 *   skipped is hatched, failed a cross, missed is an outline, not scheduled a dot, today a ring, the
 *   rest of this week dashed.
 * - With `dayHref` (a habit's grid), every day from `firstLinkable` to today is a real
 *   link to that day's check-in form, named like "Sat 28 Nov 2026: done", with the id
 *   {@linkcode dayCellId} so a form can come back to it (`#habit-grid-2026-11-28`).
 *   Every link is a tab stop, so the grid works with the keyboard without JavaScript;
 *   a skip link jumps past it, and the `GridKeys` island turns it into one tab stop with
 *   arrow keys where JavaScript runs.
 * - Without `dayHref` (the dashboard's overview of every habit, where a day has no single
 *   form) the grid is one picture named by `summary`, each cell with a hover title.
 * - The grid scrolls sideways on narrow screens: the scroll region is focusable and named,
 *   the weekday labels stay in view, and it starts at its right end (today) without a
 *   script (`direction: rtl` on the scroller).
 *
 * @example
 * ```tsx
 * <ConsistencyGrid
 *   id="habit-grid"
 *   today="2026-03-04"
 *   weekStart={1}
 *   days={habitGridDays(habit, checkins, gridStart("2026-03-04", 1), "2026-03-04")}
 *   summary="42 of the last 365 days done; current streak 5 days"
 *   dayHref={(date) => `/habits/${habit.id}/checkin?date=${date}`}
 *   firstLinkable="2025-03-03"
 *   legend={habitLegend(habit)}
 * />
 * ```
 */
import type { ComponentChildren } from "preact";
import { formatDay, gridLayout, type Weekday, weekdayName } from "@/domain/calendar.ts";
import { isFlexible, type Schedule } from "@/domain/completion.ts";
import { cellClass, type CellState, type GridDay, STATE_CLASS } from "@/domain/grid_days.ts";
import { safeColor } from "./habit_labels.ts";
import { NOTE_LABEL_CHARS, notePreview } from "@/domain/note_text.ts";

/** What the legend can explain: a day's state, or where the day is. */
export type LegendKey = CellState | "today" | "future";

export interface ConsistencyGridProps {
  /** Unique on the page: the summary's and the cells' ids derive from it. */
  id: string;
  /** The user's local today. */
  today: string;
  weekStart: Weekday;
  /** What each day shows; days missing from the map show as not scheduled. */
  days: ReadonlyMap<string, GridDay>;
  /** The text alternative: "Read: done on 42 of the last 365 days; current streak 5 days." (or an island saying it). */
  summary: ComponentChildren;
  /** A habit's "#rrggbb": tints the cells. */
  color?: string;
  /** The check-in form of a day: makes the days from `firstLinkable` to today links. */
  dayHref?: (date: string) => string;
  /** The first day that may be a link (the backfill window's first day). */
  firstLinkable?: string;
  /** Drawn in place of today's cell (the dashboard's live today, an island). */
  todayCell?: ComponentChildren;
  /** The keys the legend explains, in order, with their words. */
  legend: readonly (readonly [LegendKey, string])[];
  /** Each day's note (a habit's grid): its start goes into the cell's name and tooltip. */
  notes?: ReadonlyMap<string, string>;
}

/** Number of week columns. */
export const GRID_WEEKS = 53;
/** Rows that carry a weekday label: every other one, starting with the week start. */
const LABELLED_ROWS = new Set([0, 2, 4, 6]);

/** The first day the grid shows, for fetching just what it needs. */
export function gridStart(today: string, weekStart: Weekday): string {
  return gridLayout(today, weekStart, GRID_WEEKS).weeks[0][0].date;
}

/** The id of a day's cell in grid `gridId`: the fragment a check-in comes back to. */
export function dayCellId(gridId: string, date: string): string {
  return `${gridId}-${date}`;
}

/** The legend of one habit's grid: only the states its schedule and kind can show. */
export function habitLegend(
  habit: { kind: string; schedule: Schedule; direction?: string; pauses?: readonly unknown[] },
): [LegendKey, string][] {
  return [
    ["done", "Done"],
    ...(habit.kind === "numeric" && habit.direction !== "at_most"
      ? [["partial", "Partly done"] as [LegendKey, string]]
      : []),
    ["skipped", "Skipped"],
    ["failed", "Failed"],
    ...(habit.pauses?.length ? [["paused", "Paused"] as [LegendKey, string]] : []),
    ...(isFlexible(habit.schedule)
      ? [["empty", "No check-in"] as [LegendKey, string]]
      : [["missed", habit.direction === "at_most" ? "Missed (over the limit)" : "Missed"] as [LegendKey, string]]),
    [
      "off",
      habit.schedule.type === "weekdays" || habit.schedule.type === "interval" ? "Not scheduled" : "Before it started",
    ],
    ["today", "Today"],
    ["future", "Later this week"],
  ];
}

/** The legend of the dashboard's overview. */
export const OVERALL_LEGEND: readonly (readonly [LegendKey, string])[] = [
  ["done", "All done"],
  ["partial", "Some done"],
  ["missed", "None done"],
  ["off", "Nothing due"],
  ["today", "Today"],
  ["future", "Later this week"],
];

export function ConsistencyGrid(props: ConsistencyGridProps) {
  const layout = gridLayout(props.today, props.weekStart, GRID_WEEKS);
  const summaryId = `${props.id}-summary`;
  const tint = props.color ? safeColor(props.color) : undefined;
  const linked = props.dayHref !== undefined;
  const firstLinkable = props.firstLinkable ?? "";
  return (
    <figure
      class={tint ? "cg cg-tinted" : "cg"}
      id={props.id}
      style={tint ? `--cg-color:${tint}` : undefined}
    >
      {linked && <a class="cg-skip" href={`#${props.id}-legend`}>Skip past the days of the grid</a>}
      <div class="cg-scroll" tabIndex={0} role={linked ? "group" : "img"} aria-labelledby={summaryId}>
        <div class="cg-body">
          <div class="cg-months" aria-hidden="true">
            {layout.months.map(({ column, label }) => (
              <span key={column} style={`grid-column:${column + 1}`}>{label}</span>
            ))}
          </div>
          <div class="cg-weekdays" aria-hidden="true">
            {layout.rows.map((day, row) => (
              <span key={row}>{LABELLED_ROWS.has(row) ? weekdayName(day, "short") : ""}</span>
            ))}
          </div>
          <div class="cg-days">
            {layout.weeks.map((week) =>
              week.map((cell) => {
                if (cell.future) return <span key={cell.date} class="future" aria-hidden="true"></span>;
                const isToday = cell.date === props.today;
                if (isToday && props.todayCell !== undefined) return props.todayCell;
                const day = props.days.get(cell.date);
                const className = cellClass(day, isToday);
                const note = props.notes?.get(cell.date);
                const name = `${formatDay(cell.date)}: ${day?.label ?? "not scheduled"}` +
                  (note ? `. Note: ${notePreview(note, NOTE_LABEL_CHARS).text}` : "");
                if (!linked) return <span key={cell.date} class={className} title={name}></span>;
                if (cell.date < firstLinkable) {
                  return (
                    <span
                      key={cell.date}
                      class={className}
                      role="img"
                      aria-label={name}
                      title={note ? name : undefined}
                    >
                    </span>
                  );
                }
                return (
                  <a
                    key={cell.date}
                    id={dayCellId(props.id, cell.date)}
                    class={className}
                    href={props.dayHref!(cell.date)}
                    aria-label={name}
                    title={note ? name : undefined}
                  >
                  </a>
                );
              })
            )}
          </div>
        </div>
      </div>
      <figcaption class="cg-caption" id={`${props.id}-legend`}>
        <span class="visually-hidden" id={summaryId}>{props.summary}</span>
        <ul class="cg-legend">
          {props.legend.filter(([key]) => key !== "future" || props.today !== layout.weeks.at(-1)!.at(-1)!.date).map((
            [key, words],
          ) => (
            <li key={key}>
              <span class={`cg-key ${key === "today" ? "none today" : LEGEND_CLASS[key]}`} aria-hidden="true"></span>
              {words}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

const LEGEND_CLASS: Record<Exclude<LegendKey, "today">, string> = { ...STATE_CLASS, future: "future" };
