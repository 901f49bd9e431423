/**
 * One-tap check-in for today. On the server (and with JavaScript off) it is a plain
 * `<form method="post">` to `/habits/:id/checkin` with hidden fields, so the tap works
 * everywhere. Once hydrated it takes over the submit: the new state shows at once, the
 * JSON API saves it, and a failure puts the old state back with a message read out by
 * screen readers. The markup is the same before and after hydration, so nothing moves.
 *
 * Boolean habits toggle done ↔ not done; numeric habits log an amount (empty = the
 * target, as the stats count a `done` without a value).
 *
 * Today's check-in and the habit's statistics live in one signal (`live`, see
 * components/habit_live.ts) that the dashboard's other islands read too: the streaks
 * table and today's square change with the button, and the API's `{checkin, stats}`
 * answer is written back into it.
 *
 * @example
 * ```tsx
 * <CheckinToggle habitId={h.id} habitName={h.name} date={today} kind="boolean" target={null} unit={null}
 *   live={signal({ status: null, value: null, stats })} streakUnit="day" returnTo="/app#habit-1" />
 * ```
 */
import type { Signal } from "@preact/signals";
import { useRef, useState } from "preact/hooks";
import type { HabitLive } from "@/components/habit_live.ts";
import type { HabitStats } from "@/domain/stats.ts";
import { errorText, sendJson } from "@/components/send_json.ts";

export interface CheckinToggleProps {
  habitId: string;
  habitName: string;
  /** The user's local today. */
  date: string;
  kind: "boolean" | "numeric";
  target: number | null;
  unit: string | null;
  /** Today's check-in and the habit's statistics, shared with the page's other islands. */
  live: Signal<HabitLive>;
  /** What the streak counts. */
  streakUnit: "day" | "week" | "month";
  /** Where the no-JavaScript form post comes back to. */
  returnTo: string;
}

interface SaveResponse {
  checkin: { status: NonNullable<HabitLive["status"]>; value: number | null } | null;
  stats: HabitStats;
}

function complete(props: CheckinToggleProps, shown: HabitLive): boolean {
  if (shown.status !== "done") return false;
  return props.kind !== "numeric" || !props.target || (shown.value ?? props.target) >= props.target;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

export default function CheckinToggle(props: CheckinToggleProps) {
  const { live } = props;
  const shown = live.value;
  const [message, setMessage] = useState("");
  const saving = useRef(false);
  const numeric = props.kind === "numeric";
  const done = complete(props, shown);
  const inputId = `checkin-${props.habitId}`;

  async function onSubmit(event: Event) {
    event.preventDefault();
    if (saving.current) return;
    const form = event.currentTarget as HTMLFormElement;
    const raw = numeric ? (form.elements.namedItem("value") as HTMLInputElement).value.trim() : "";
    const value = raw === "" ? null : Number(raw);
    const status = numeric || !done ? "done" : "none";
    const before = shown;
    live.value = { ...shown, status: status === "done" ? "done" : null, value };
    setMessage("");
    saving.current = true;
    try {
      const saved = await sendJson<SaveResponse>(`/api/habits/${encodeURIComponent(props.habitId)}/checkins`, {
        method: "POST",
        body: { date: props.date, status, value },
        rollback: () => live.value = before,
      });
      live.value = { status: saved.checkin?.status ?? null, value: saved.checkin?.value ?? null, stats: saved.stats };
    } catch (error) {
      setMessage(`Not saved: ${errorText(error)}`);
    } finally {
      saving.current = false;
    }
  }

  return (
    <form
      method="post"
      action={`/habits/${encodeURIComponent(props.habitId)}/checkin`}
      class={done ? "checkin checkin-done" : "checkin"}
      onSubmit={onSubmit}
    >
      <input type="hidden" name="date" value={props.date} />
      <input type="hidden" name="status" value={numeric || !done ? "done" : "none"} />
      <input type="hidden" name="return" value={props.returnTo} />
      <div class="checkin-controls">
        {numeric && (
          <>
            <label class="visually-hidden" for={inputId}>
              {`Amount of ${props.habitName} today${props.unit ? ` (${props.unit})` : ""}`}
            </label>
            <input
              id={inputId}
              class="checkin-value"
              name="value"
              type="number"
              inputMode="decimal"
              min="0"
              step="any"
              placeholder={props.target === null ? "" : String(props.target)}
              value={shown.value ?? ""}
            />
            {/* One string, one text node: several would be split apart on hydration and shift by a subpixel. */}
            <span class="checkin-unit">{`/ ${props.target ?? ""} ${props.unit ?? ""}`}</span>
          </>
        )}
        <button
          type="submit"
          class="checkin-button"
          aria-pressed={done ? "true" : "false"}
          aria-label={numeric ? `Log ${props.habitName}` : `Done: ${props.habitName}`}
        >
          <svg class="checkin-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <path d="M3 8.5l3.2 3.2L13 4.8" />
          </svg>
          <span>{numeric ? "Log" : "Done"}</span>
        </button>
      </div>
      <p class="checkin-streak">
        {shown.status === "skipped"
          ? "Skipped today"
          : shown.status === "failed"
          ? "Failed today"
          : `${plural(shown.stats.currentStreak, props.streakUnit)} streak`}
      </p>
      <p class="checkin-message" role="status" aria-live="polite">{message}</p>
    </form>
  );
}
