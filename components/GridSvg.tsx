/**
 * The consistency grid as one self-contained SVG image: what a shared link
 * (`/s/<token>.svg`) serves and what a README or a blog can embed with `<img>`. The same
 * picture as the HTML grid (components/ConsistencyGrid.tsx), from the same day states
 * (domain/grid_days.ts): 53 week columns in the owner's week order, month labels
 * above, weekday labels on the left, and each state with its own shape, not only its
 * colour — done a full square, partly done filled from the bottom (a quarter, half or
 * three quarters), skipped hatched, missed (and today, not done yet) an outline, not
 * scheduled a dot, a weekly habit's day without a check-in a faint outline, the rest of
 * this week dashed, today ringed. A legend in words under it, an optional title above.
 *
 * - Light and dark: the colours live in the SVG's own `<style>`, switched by
 *   `@media (prefers-color-scheme: dark)`, which browsers apply to an SVG shown as an
 *   image too; a background of its own keeps it legible on any page.
 * - A habit colour tints it at fixed lightness steps (components/grid_tint.ts), computed
 *   here as hex, so viewers without CSS relative colours draw the same.
 * - Text alternative: `role="img"` named by its `<title>` (the title, or "Consistency
 *   grid") and described by its `<desc>` (a count of the days by state, or the caller's
 *   summary); each day also has a `<title>` ("Wed 4 Mar 2026: done") for hover.
 * - Every string is escaped for XML, and characters XML 1.0 cannot hold (control
 *   characters, lone surrogates) become U+FFFD, so no habit name can break the image.
 *
 * Server-rendered only (no island): props in, markup out.
 *
 * @example
 * ```tsx
 * const svg = gridSvgDocument({
 *   today: "2026-03-04",
 *   weekStart: 1,
 *   days: habitGridDays(habit, checkins, gridStart("2026-03-04", 1), "2026-03-04"),
 *   title: "Read",
 *   color: habit.color,
 *   legend: habitLegend(habit),
 * });
 * return new Response(svg, { headers: { "content-type": "image/svg+xml; charset=utf-8" } });
 * ```
 */
import type { JSX } from "preact";
import { renderToString } from "preact-render-to-string";
import { formatDay, gridLayout, type Weekday, weekdayName } from "@/domain/calendar.ts";
import { GRID_WEEKS, type LegendKey } from "./ConsistencyGrid.tsx";
import { type CellState, type GridDay, partialLevel } from "@/domain/grid_days.ts";
import { gridTint, type TintPair } from "./grid_tint.ts";

/** Props of {@linkcode GridSvg}. */
export interface GridSvgProps {
  /** Prefix of the ids inside the SVG (title, description, pattern): unique on a page that shows several. */
  id?: string;
  /** The owner's local today: the last column holds its week. */
  today: string;
  weekStart: Weekday;
  /** What each day shows; days missing from the map show as not scheduled. */
  days: ReadonlyMap<string, GridDay>;
  /** Shown above the grid and names the image (a habit's name); optional. */
  title?: string;
  /** The image's description; default: how many days of the grid were in each state. */
  description?: string;
  /** A habit's `#rrggbb`: tints the done and partly done days. Anything else is ignored. */
  color?: string;
  /** The keys the legend explains, in order, with their words; none → no legend. */
  legend?: readonly (readonly [LegendKey, string])[];
  /** A `<title>` per day for hover (default true); off makes the image about a quarter smaller. */
  dayTitles?: boolean;
}

/** Cell size and the space between cells, as the HTML grid's. */
const CELL = 11;
const GAP = 3;
const STEP = CELL + GAP;
const PAD = 10;
const WEEKDAY_WIDTH = 28;
const MONTH_HEIGHT = 14;
const TITLE_HEIGHT = 24;
const LEGEND_GAP = 10;
const LEGEND_ROW = 16;
/** Visible title length (characters) that fits the width; the `<title>` keeps the whole. */
const TITLE_MAX_CHARS = 80;
/** Rough width of one legend character at 10px, for laying the legend out without fonts. */
const LEGEND_CHAR_WIDTH = 5.8;
const LABELLED_ROWS = new Set([0, 2, 4, 6]);
const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** The palette of each theme: static/styles.css's grid variables. */
const THEMES = {
  light: {
    bg: "#ffffff",
    empty: "#ebedf0",
    full: "#145125",
    part: "#1d6631",
    muted: "#59636e",
    text: "#1f2328",
    border: "#d1d9e0",
    danger: "#cf222e",
  },
  dark: {
    bg: "#0d1117",
    empty: "#161b22",
    full: "#30cd55",
    part: "#2baa48",
    muted: "#9198a1",
    text: "#e6edf3",
    border: "#3d444d",
    danger: "#f85149",
  },
} as const;

/** How each state is counted in the default description. */
const STATE_WORDS: Record<CellState, string> = {
  done: "done",
  partial: "partly done",
  skipped: "skipped",
  failed: "failed",
  paused: "paused",
  missed: "missed",
  open: "not done yet",
  off: "not scheduled",
  empty: "without a check-in",
};

/** The grid as an `<svg>` element (with its namespace, so it also stands alone). */
export function GridSvg(props: GridSvgProps): JSX.Element {
  const id = props.id && ID_PATTERN.test(props.id) ? props.id : "cg-svg";
  const layout = gridLayout(props.today, props.weekStart, GRID_WEEKS);
  const title = props.title ? xmlText(props.title) : "";
  const gridLeft = PAD + WEEKDAY_WIDTH;
  const gridTop = PAD + (title ? TITLE_HEIGHT : 0) + MONTH_HEIGHT;
  const width = gridLeft + GRID_WEEKS * STEP - GAP + PAD;
  const legend = (props.legend ?? []).filter(([key]) =>
    key !== "future" || props.today !== layout.weeks.at(-1)!.at(-1)!.date
  );
  const gridBottom = gridTop + 7 * STEP - GAP;
  const legendTop = gridBottom + LEGEND_GAP;
  const legendItems = placeLegend(legend, gridLeft, width - PAD);
  const legendRows = legendItems.length ? legendItems.at(-1)!.row + 1 : 0;
  const height = (legendRows ? legendTop + (legendRows - 1) * LEGEND_ROW + CELL : gridBottom) + PAD;
  const tint = props.color && HEX_COLOR.test(props.color) ? gridTint(props.color) : undefined;
  const dayTitles = props.dayTitles ?? true;
  const hatch = `${id}-hatch`;

  return (
    <svg
      xmlns="http://www.w3.org/2000/svg"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
    >
      <title id={`${id}-title`}>{title || "Consistency grid"}</title>
      <desc id={`${id}-desc`}>
        {xmlText(props.description ?? describeDays(props.days, layout.weeks[0][0].date, props.today))}
      </desc>
      <style>{stylesheet(tint)}</style>
      <defs>
        <pattern id={hatch} width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect class="e" width="4" height="4" />
          <rect class="m" width="1.5" height="4" />
        </pattern>
      </defs>
      <rect class="bg" width={width} height={height} rx="6" />
      {title && (
        <text class="tt" x={PAD} y={PAD + 15}>
          {clip(title, TITLE_MAX_CHARS)}
        </text>
      )}
      <g aria-hidden="true">
        {layout.months.map(({ column, label }) => (
          <text key={column} x={gridLeft + column * STEP} y={gridTop - 4}>{label}</text>
        ))}
        {layout.rows.map((day, row) =>
          LABELLED_ROWS.has(row)
            ? <text key={row} x={PAD} y={gridTop + row * STEP + 9}>{weekdayName(day, "short")}</text>
            : null
        )}
      </g>
      <g class="days">
        {layout.weeks.map((week, column) =>
          week.map((cell, row) => {
            const x = gridLeft + column * STEP;
            const y = gridTop + row * STEP;
            if (cell.future) return <Shape key={cell.date} x={x} y={y} score={0} look="future" hatch={hatch} />;
            const day = props.days.get(cell.date);
            const name = dayTitles ? `${formatDay(cell.date)}: ${xmlText(day?.label ?? "not scheduled")}` : undefined;
            return (
              <Shape
                key={cell.date}
                x={x}
                y={y}
                look={day?.state ?? "off"}
                score={day?.score ?? 0}
                today={cell.date === props.today}
                hatch={hatch}
                name={name}
              />
            );
          })
        )}
      </g>
      {legendItems.length > 0 && (
        <g class="legend">
          {legendItems.map(({ key, words, x, row }) => {
            const y = legendTop + row * LEGEND_ROW;
            return (
              <g key={key}>
                <Shape
                  x={x}
                  y={y}
                  look={key === "today" ? "empty" : key}
                  score={0.5}
                  today={key === "today"}
                  hatch={hatch}
                />
                <text x={x + CELL + 4} y={y + 9}>{words}</text>
              </g>
            );
          })}
        </g>
      )}
    </svg>
  );
}

/**
 * The grid as a standalone SVG document, ready to serve as `image/svg+xml`.
 *
 * @example
 * ```ts
 * gridSvgDocument({ today, weekStart: 1, days }); // '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns=…'
 * ```
 */
export function gridSvgDocument(props: GridSvgProps): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${renderToString(<GridSvg {...props} />)}\n`;
}

/** What a cell looks like: a day's state, or where the day is. */
type Look = CellState | "future";

/** Where a cell sits, and how much of a partly done day is filled (0–1). */
interface Cell {
  x: number;
  y: number;
  score: number;
  /** The id of the skipped days' hatching. */
  hatch: string;
}

/**
 * How each look is drawn: the one table to extend when a state is added (a `Record` over
 * every state, so a new `CellState` does not compile until it has a shape here and words
 * in STATE_WORDS). A shape draws inside the cell's square; the classes it uses get their
 * colours from {@linkcode stylesheet}.
 */
const SHAPES: Record<Look, (cell: Cell) => JSX.Element> = {
  done: (c) => <rect class="f" {...square(c)} />,
  partial: (c) => {
    const filled = Math.round(CELL * [0.3, 0.5, 0.75][partialLevel(c.score) - 1] * 10) / 10;
    return (
      <>
        <rect class="e" {...square(c)} />
        <rect class="p" x={c.x} y={c.y + CELL - filled} width={CELL} height={filled} />
        <rect class="po" {...inset(c)} />
      </>
    );
  },
  skipped: (c) => <rect {...square(c)} fill={`url(#${c.hatch})`} />,
  // A cross, as on the page (.cg .fail): apart from missed (an outline) without colour.
  failed: (c) => (
    <>
      <rect class="e" {...square(c)} />
      <path
        class="x"
        d={`M${c.x + 2.5} ${c.y + 2.5}L${c.x + CELL - 2.5} ${c.y + CELL - 2.5}M${c.x + CELL - 2.5} ${c.y + 2.5}L${
          c.x + 2.5
        } ${c.y + CELL - 2.5}`}
      />
    </>
  ),
  // Two upright bars, the media "pause" sign, as on the page (.cg .pause).
  paused: (c) => (
    <>
      <rect class="e" {...square(c)} />
      <rect class="m" x={c.x + CELL * 0.25} y={c.y + CELL * 0.2} width={CELL * 0.17} height={CELL * 0.6} />
      <rect class="m" x={c.x + CELL * 0.58} y={c.y + CELL * 0.2} width={CELL * 0.17} height={CELL * 0.6} />
    </>
  ),
  missed: (c) => outlined(c, "mo"),
  open: (c) => outlined(c, "mo"),
  // The whole square stays hoverable though only a dot is painted.
  off: (c) => (
    <>
      <rect class="hit" {...square(c)} />
      <circle class="m" cx={c.x + CELL / 2} cy={c.y + CELL / 2} r="1.5" />
    </>
  ),
  empty: (c) => outlined(c, "no"),
  future: (c) => <rect class="fu" {...inset(c)} />,
};

/** The full cell square. */
function square({ x, y }: Cell) {
  return { x, y, width: CELL, height: CELL, rx: 2 };
}

/** The square half a pixel in, where a 1px outline stays inside the cell. */
function inset({ x, y }: Cell) {
  return { x: x + 0.5, y: y + 0.5, width: CELL - 1, height: CELL - 1, rx: 1.5 };
}

/** An empty square with an outline of class `outline`. */
function outlined(c: Cell, outline: string): JSX.Element {
  return (
    <>
      <rect class="e" {...square(c)} />
      <rect class={outline} {...inset(c)} />
    </>
  );
}

interface ShapeProps extends Cell {
  look: Look;
  today?: boolean;
  /** The day's hover title. */
  name?: string;
}

/** One cell: the look's shape, today's ring, and its hover title; `data-look` names the look. */
function Shape({ look, today = false, name, ...cell }: ShapeProps): JSX.Element {
  return (
    <g data-look={look}>
      {name !== undefined && <title>{name}</title>}
      {SHAPES[look](cell)}
      {today && <rect class="td" x={cell.x - 1} y={cell.y - 1} width={CELL + 2} height={CELL + 2} rx="3" />}
    </g>
  );
}

/** The SVG's stylesheet: each theme's palette, a habit's tint over the default greens. */
function stylesheet(tint: { light: TintPair; dark: TintPair } | undefined): string {
  const theme = (name: "light" | "dark") => {
    const colors = { ...THEMES[name], ...(tint ? tint[name] : {}) };
    return `.bg{fill:${colors.bg}}.e{fill:${colors.empty}}.f{fill:${colors.full}}.p{fill:${colors.part}}` +
      `.po{fill:none;stroke:${colors.part}}.m{fill:${colors.muted}}.mo{fill:none;stroke:${colors.muted}}` +
      `.no{fill:none;stroke:${colors.text};stroke-opacity:.12}.fu{fill:none;stroke:${colors.border};stroke-dasharray:2 1.5}` +
      `.x{fill:none;stroke:${colors.danger};stroke-width:1.5}` +
      `.td{fill:none;stroke:${colors.text};stroke-width:2}text{fill:${colors.muted}}.tt{fill:${colors.text}}`;
  };
  return `svg{color-scheme:light dark}text{font-family:system-ui,sans-serif;font-size:10px}` +
    `.tt{font-size:14px;font-weight:600}.hit{fill:transparent}` +
    theme("light") + `@media (prefers-color-scheme:dark){${theme("dark")}}`;
}

/** Legend entries laid out left to right from `left`, wrapping before `right`. */
function placeLegend(
  legend: readonly (readonly [LegendKey, string])[],
  left: number,
  right: number,
): { key: LegendKey; words: string; x: number; row: number }[] {
  const placed: { key: LegendKey; words: string; x: number; row: number }[] = [];
  let x = left;
  let row = 0;
  for (const [key, rawWords] of legend) {
    const words = clip(xmlText(rawWords), 40);
    const itemWidth = CELL + 4 + Math.ceil(Array.from(words).length * LEGEND_CHAR_WIDTH);
    if (x > left && x + itemWidth > right) {
      row++;
      x = left;
    }
    placed.push({ key, words, x, row });
    x += itemWidth + 14;
  }
  return placed;
}

/**
 * "Days from Mon 3 Mar 2025 to Wed 4 Mar 2026: 200 done, 12 partly done, 40 missed, …":
 * the default description, counting every day of the grid up to today by state.
 */
export function describeDays(days: ReadonlyMap<string, GridDay>, first: string, today: string): string {
  const counts = new Map<CellState, number>();
  let total = 0;
  for (const [date, day] of days) {
    if (date < first || date > today) continue;
    counts.set(day.state, (counts.get(day.state) ?? 0) + 1);
    total++;
  }
  const parts = (Object.keys(STATE_WORDS) as CellState[])
    .filter((state) => counts.has(state))
    .map((state) => `${counts.get(state)} ${STATE_WORDS[state]}`);
  const span = `Days from ${formatDay(first)} to ${formatDay(today)}`;
  return total === 0 ? `${span}: nothing recorded.` : `${span}: ${parts.join(", ")}.`;
}

/**
 * `text` with what XML 1.0 cannot carry (control characters other than tab and line
 * breaks, lone surrogates, U+FFFE/U+FFFF) replaced by U+FFFD. Escaping `<`, `&` and
 * quotes is the renderer's job; this is the part it does not do.
 */
export function xmlText(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.toWellFormed().replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "\uFFFD");
}

/** At most `max` characters (code points), with an ellipsis when cut. */
function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}
