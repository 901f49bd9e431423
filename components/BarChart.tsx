/**
 * A small vertical bar chart drawn as SVG on the server: no script, scales to its box,
 * readable at 390 px. Its text alternative states every number three ways: the SVG's
 * `<title>` and `<desc>` (its accessible name and description), a visible caption, and
 * a "Show the numbers" table that works without JavaScript (`<details>`).
 *
 * Colours come from CSS (styles.css, "Charts"), so light and dark themes both apply;
 * bars take the habit's colour through `--chart-color`.
 *
 * @example
 * ```tsx
 * <BarChart
 *   id="by-weekday"
 *   title="Completion by weekday"
 *   caption="Best on Mondays (92 %), weakest on Saturdays (40 %)."
 *   bars={[{ label: "Mon", name: "Monday", value: 0.92, text: "92 %", detail: "48 of 52 expected days" }]}
 *   max={1}
 *   axis="percent"
 * />
 * ```
 */
import type { ComponentChildren } from "preact";
import { safeColor } from "./habit_labels.ts";

/** One bar. */
export interface Bar {
  /** Under the bar: "Mon", "Jan". */
  label: string;
  /** In the text alternative and the table: "Monday", "January 2026". */
  name: string;
  /** Its height, 0…`max`; null draws no bar (nothing to show, e.g. nothing was due). */
  value: number | null;
  /** Above the bar and in the table: "92 %", "12". */
  text: string;
  /** More words for the table and the description: "48 of 52 expected days". */
  detail: string;
}

export interface BarChartProps {
  /** Unique on the page: the title's and description's ids derive from it. */
  id: string;
  title: string;
  /** A sentence under the chart that says what it shows. */
  caption: ComponentChildren;
  bars: readonly Bar[];
  /** The top of the scale (1 for rates). */
  max: number;
  /** How the scale's lines are labelled: percentages of 1, or plain counts. */
  axis: "percent" | "count";
  /** The habit's `#rrggbb`. */
  color?: string;
  /** The table's column headings: what a bar is, and what its value is. */
  columns?: readonly [string, string, string];
}

/** The SVG's coordinate box; it scales to the width of its container. */
const WIDTH = 360;
const HEIGHT = 180;
const LEFT = 34;
const RIGHT = 6;
const TOP = 18;
const BOTTOM = 24;

/** The chart's scale lines: 0, half and the top. */
function ticks(max: number, axis: BarChartProps["axis"]): { value: number; label: string }[] {
  if (axis === "percent") return [0, 0.5, 1].map((v) => ({ value: v * max, label: `${Math.round(v * 100)}%` }));
  const top = Math.max(1, Math.ceil(max));
  const half = Math.round(top / 2);
  return [...new Set([0, half, top])].map((value) => ({ value, label: String(value) }));
}

/** The bar chart (see the module doc). */
export function BarChart(props: BarChartProps) {
  const { id, bars, axis } = props;
  const scale = ticks(props.max, axis);
  const top = Math.max(props.max, scale.at(-1)!.value);
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const band = plotWidth / Math.max(1, bars.length);
  const barWidth = Math.max(4, band * 0.68);
  const y = (value: number) => TOP + plotHeight - (top > 0 ? (value / top) * plotHeight : 0);
  const small = bars.length > 8;
  const description = bars.map((bar) => `${bar.name}: ${bar.text}${bar.detail ? ` (${bar.detail})` : ""}`).join("; ");
  const [whatHeading, valueHeading, detailHeading] = props.columns ?? ["", "Value", "Details"];
  return (
    <figure class="chart" id={id} style={props.color ? `--chart-color:${safeColor(props.color)}` : undefined}>
      <svg
        class="chart-svg"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={`${id}-title`}>{props.title}</title>
        <desc id={`${id}-desc`}>{description}.</desc>
        {scale.map((tick) => (
          <g key={tick.value} class="chart-tick">
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={y(tick.value)} y2={y(tick.value)} />
            <text x={LEFT - 4} y={y(tick.value) + 4} text-anchor="end">{tick.label}</text>
          </g>
        ))}
        {bars.map((bar, i) => {
          const x = LEFT + band * i + (band - barWidth) / 2;
          const center = LEFT + band * i + band / 2;
          const height = bar.value === null ? 0 : Math.max(bar.value > 0 ? 1.5 : 0, y(0) - y(bar.value));
          return (
            <g key={bar.name}>
              {bar.value !== null && (
                <rect class="chart-bar" x={x} y={y(0) - height} width={barWidth} height={height} />
              )}
              <text
                class={small ? "chart-value chart-small" : "chart-value"}
                x={center}
                y={y(0) - height - 4}
                text-anchor="middle"
              >
                {bar.value === null ? "–" : small ? bar.text.replace(/\s?%$/, "") : bar.text}
              </text>
              <text class="chart-label" x={center} y={HEIGHT - 8} text-anchor="middle">{bar.label}</text>
            </g>
          );
        })}
      </svg>
      <figcaption class="chart-caption">{props.caption}</figcaption>
      <details class="chart-numbers">
        <summary>
          Show the numbers<span class="visually-hidden">: {props.title}</span>
        </summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{whatHeading || <span class="visually-hidden">Item</span>}</th>
              <th scope="col">{valueHeading}</th>
              <th scope="col">{detailHeading}</th>
            </tr>
          </thead>
          <tbody>
            {bars.map((bar) => (
              <tr key={bar.name}>
                <th scope="row">{bar.name}</th>
                <td>{bar.value === null ? "–" : bar.text}</td>
                <td>{bar.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
