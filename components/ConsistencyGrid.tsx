/**
 * The consistency grid: the last 53 weeks as an SVG heatmap, one column per week and one
 * row per weekday (top row = the user's week start), month labels above, a few weekday
 * labels on the left, a legend below. Server-rendered, no JavaScript: props in, SVG out.
 *
 * - Intensity 0–4 comes from each day's score through CSS classes (`cg-l0`…`cg-l4`)
 *   that use the `--grid-0..4` variables, so light and dark themes just work; a habit
 *   color tints the levels instead when given.
 * - Days after today get no cell; today is outlined; every cell has a `<title>`
 *   ("Tue 3 Mar 2026: 6 of 8 km").
 * - Screen readers get `summary` (visually hidden) as the image's label.
 * - On narrow screens the grid scrolls sideways and starts at its right end, the newest
 *   weeks, with no script: the scroller is `direction: rtl` (see styles.css).
 *
 * @example
 * ```tsx
 * <ConsistencyGrid
 *   id="habit-grid"
 *   today="2026-03-04"
 *   weekStart={1}
 *   days={habitGridDays(habit, checkins, gridStart("2026-03-04", 1), "2026-03-04")}
 *   summary="42 of the last 365 days done; current streak 5 days"
 * />
 * ```
 */
import { formatDay, gridLayout, type Weekday, weekdayName } from "../lib/calendar.ts";
import type { GridDay } from "./grid_days.ts";
import { safeColor } from "./habit_labels.ts";

export interface ConsistencyGridProps {
  /** Unique on the page: the summary's id derives from it. */
  id: string;
  /** The user's local today. */
  today: string;
  weekStart: Weekday;
  /** What each day shows; days missing from the map are "no check-in". */
  days: ReadonlyMap<string, GridDay>;
  /** The text alternative: "42 of the last 365 days done; current streak 5 days". */
  summary: string;
  /** A habit's "#rrggbb": tints the levels. */
  color?: string;
}

/** Number of week columns. */
export const GRID_WEEKS = 53;
const CELL = 11;
const GAP = 3;
const PITCH = CELL + GAP;
/** Room for the weekday labels on the left and the month labels on top. */
const LEFT = 28;
const TOP = 16;
/** Room on the right and below for the strokes (today's outline) that straddle the cells' edges. */
const STROKE_ROOM = 2;
export const GRID_WIDTH = LEFT + GRID_WEEKS * PITCH - GAP + STROKE_ROOM;
export const GRID_HEIGHT = TOP + 7 * PITCH - GAP + STROKE_ROOM;
/** Rows that carry a weekday label: every other one, starting with the week start. */
const LABELLED_ROWS = [0, 2, 4, 6];

/** The first day the grid shows, for fetching just what it needs. */
export function gridStart(today: string, weekStart: Weekday): string {
  return gridLayout(today, weekStart, GRID_WEEKS).weeks[0][0].date;
}

/** Intensity level 0–4 of a 0–1 score: anything above zero shows, only a full day is darkest. */
export function intensityLevel(score: number): 0 | 1 | 2 | 3 | 4 {
  if (!(score > 0)) return 0;
  return score >= 1 ? 4 : score > 0.5 ? 3 : score > 0.25 ? 2 : 1;
}

export function ConsistencyGrid(props: ConsistencyGridProps) {
  const layout = gridLayout(props.today, props.weekStart, GRID_WEEKS);
  const summaryId = `${props.id}-summary`;
  const tint = props.color ? safeColor(props.color) : undefined;
  return (
    <figure class="cg" id={props.id}>
      <div class="cg-scroll">
        <svg
          class={tint ? "cg-svg cg-tinted" : "cg-svg"}
          style={tint ? `--cg-color:${tint}` : undefined}
          viewBox={`0 0 ${GRID_WIDTH} ${GRID_HEIGHT}`}
          width={GRID_WIDTH}
          height={GRID_HEIGHT}
          role="img"
          aria-labelledby={summaryId}
        >
          {layout.months.map(({ column, label }) => (
            <text class="cg-label" x={LEFT + column * PITCH} y={TOP - 5}>{label}</text>
          ))}
          {LABELLED_ROWS.map((row) => (
            <text class="cg-label" x={0} y={TOP + row * PITCH + CELL - 2}>
              {weekdayName(layout.rows[row], "short")}
            </text>
          ))}
          {layout.weeks.map((week, column) =>
            week.map((cell, row) => {
              if (cell.future) return null;
              const day = props.days.get(cell.date);
              const level = intensityLevel(day?.score ?? 0);
              let className = `cg-l${level}`;
              if (day?.skipped) className += " cg-skip";
              if (cell.date === props.today) className += " cg-today";
              return (
                <rect
                  x={LEFT + column * PITCH}
                  y={TOP + row * PITCH}
                  width={CELL}
                  height={CELL}
                  rx={2}
                  class={className}
                >
                  <title>{`${formatDay(cell.date)}: ${day?.label ?? "no check-in"}`}</title>
                </rect>
              );
            })
          )}
        </svg>
      </div>
      <figcaption class="cg-caption">
        <span class="visually-hidden" id={summaryId}>{props.summary}</span>
        <span class="cg-legend" aria-hidden="true">
          Less
          {[0, 1, 2, 3, 4].map((level) => (
            <svg
              class={tint ? "cg-key cg-tinted" : "cg-key"}
              style={tint ? `--cg-color:${tint}` : undefined}
              width={CELL}
              height={CELL}
              viewBox={`0 0 ${CELL} ${CELL}`}
            >
              <rect width={CELL} height={CELL} rx={2} class={`cg-l${level}`} />
            </svg>
          ))}
          More
        </span>
      </figcaption>
    </figure>
  );
}
