/**
 * A habit's strength over time (0–100) as an SVG line drawn on the server: no script,
 * scales to its box. It takes a plain series of `{date, value}` (oldest first), so the
 * habit page wires it to the stats module's strength series in one line. Its text
 * alternative states the numbers: the SVG's `<title>` and `<desc>` (start, end, highest,
 * lowest), a caption, and a "Show the numbers" table of the value on the first day of
 * each month and on the last day.
 *
 * @example
 * ```tsx
 * <StrengthChart id="strength" series={[{ date: "2026-01-01", value: 12 }, { date: "2026-11-30", value: 64 }]} />
 * ```
 */
import { formatDay } from "@/domain/calendar.ts";
import { safeColor } from "./habit_labels.ts";

/** One point of the line. */
export interface StrengthPoint {
  /** `YYYY-MM-DD`. */
  date: string;
  /** 0–100. */
  value: number;
}

export interface StrengthChartProps {
  /** Unique on the page. */
  id: string;
  /** Oldest first. */
  series: readonly StrengthPoint[];
  /** The habit's `#rrggbb`. */
  color?: string;
}

const WIDTH = 360;
const HEIGHT = 160;
const LEFT = 30;
const RIGHT = 8;
const TOP = 10;
const BOTTOM = 24;

/** "1 Mar 2026" (no weekday: the chart's labels are short). */
function shortDay(date: string): string {
  return formatDay(date).slice(4);
}

/** The points a table lists: the first of every month in the series, and its last day. */
export function strengthSamples(series: readonly StrengthPoint[]): StrengthPoint[] {
  const samples = series.filter((point, i) => i === 0 || point.date.endsWith("-01"));
  const last = series.at(-1);
  if (last && samples.at(-1) !== last) samples.push(last);
  return samples;
}

/** The strength chart (see the module doc); an empty series says there is nothing yet. */
export function StrengthChart({ id, series, color }: StrengthChartProps) {
  if (series.length === 0) return <p class="muted">No strength to show yet: check in for a few days.</p>;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const x = (i: number) => LEFT + (series.length === 1 ? plotWidth : (i / (series.length - 1)) * plotWidth);
  const y = (value: number) => TOP + plotHeight - (Math.max(0, Math.min(100, value)) / 100) * plotHeight;
  const round = (n: number) => Math.round(n * 10) / 10;
  const points = series.map((point, i) => `${round(x(i))},${round(y(point.value))}`).join(" ");
  const first = series[0];
  const last = series.at(-1)!;
  const highest = series.reduce((best, point) => point.value > best.value ? point : best);
  const lowest = series.reduce((worst, point) => point.value < worst.value ? point : worst);
  const value = (point: StrengthPoint) => String(Math.round(point.value));
  const summary = `Strength ${value(last)} of 100 on ${shortDay(last.date)}, from ${value(first)} on ` +
    `${shortDay(first.date)}; highest ${value(highest)} on ${shortDay(highest.date)}, lowest ${value(lowest)} on ` +
    `${shortDay(lowest.date)}`;
  return (
    <figure class="chart" id={id} style={color ? `--chart-color:${safeColor(color)}` : undefined}>
      <svg class="chart-svg" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>Strength over time</title>
        <desc id={`${id}-desc`}>{summary}.</desc>
        {[0, 50, 100].map((tick) => (
          <g key={tick} class="chart-tick">
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={y(tick)} y2={y(tick)} />
            <text x={LEFT - 4} y={y(tick) + 4} text-anchor="end">{tick}</text>
          </g>
        ))}
        <polyline class="chart-line" points={series.length === 1 ? `${LEFT},${y(first.value)} ${points}` : points} />
        <circle class="chart-dot" cx={x(series.length - 1)} cy={y(last.value)} r={3} />
        <text class="chart-label" x={LEFT} y={HEIGHT - 8} text-anchor="start">{shortDay(first.date)}</text>
        <text class="chart-label" x={WIDTH - RIGHT} y={HEIGHT - 8} text-anchor="end">{shortDay(last.date)}</text>
      </svg>
      <figcaption class="chart-caption">{summary}.</figcaption>
      <details class="chart-numbers">
        <summary>
          Show the numbers<span class="visually-hidden">: strength over time</span>
        </summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Strength</th>
            </tr>
          </thead>
          <tbody>
            {strengthSamples(series).map((point) => (
              <tr key={point.date}>
                <th scope="row">{shortDay(point.date)}</th>
                <td>{value(point)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
