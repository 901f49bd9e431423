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
 * @example
 * ```tsx
 * <CheckinToggle habitId={h.id} habitName={h.name} date={today} kind="boolean" target={null} unit={null}
 *   status={null} value={null} streak={4} streakUnit="day" returnTo="/app" />
 * ```
 */
import { useRef, useState } from "preact/hooks";

export interface CheckinToggleProps {
  habitId: string;
  habitName: string;
  /** The user's local today. */
  date: string;
  kind: "boolean" | "numeric";
  target: number | null;
  unit: string | null;
  /** Today's check-in, if any. */
  status: "done" | "skipped" | null;
  value: number | null;
  /** The current streak and what it counts. */
  streak: number;
  streakUnit: "day" | "week";
  /** Where the no-JavaScript form post comes back to. */
  returnTo: string;
}

interface Shown {
  status: "done" | "skipped" | null;
  value: number | null;
  streak: number;
}

interface SaveResponse {
  checkin: { status: "done" | "skipped"; value: number | null } | null;
  stats: { currentStreak: number };
}

function complete(props: CheckinToggleProps, shown: Shown): boolean {
  if (shown.status !== "done") return false;
  return props.kind !== "numeric" || !props.target || (shown.value ?? props.target) >= props.target;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

export default function CheckinToggle(props: CheckinToggleProps) {
  const [shown, setShown] = useState<Shown>({ status: props.status, value: props.value, streak: props.streak });
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
    setShown({ ...shown, status: status === "done" ? "done" : null, value });
    setMessage("");
    saving.current = true;
    try {
      const res = await fetch(`/api/habits/${encodeURIComponent(props.habitId)}/checkins`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ date: props.date, status, value }),
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) throw new Error(body?.error?.message ?? `the server answered ${res.status}`);
      const saved = body as SaveResponse;
      setShown({
        status: saved.checkin?.status ?? null,
        value: saved.checkin?.value ?? null,
        streak: saved.stats.currentStreak,
      });
    } catch (error) {
      setShown(before);
      setMessage(`Not saved: ${error instanceof Error ? error.message : String(error)}`);
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
        {shown.status === "skipped" ? "Skipped today" : `${plural(shown.streak, props.streakUnit)} streak`}
      </p>
      <p class="checkin-message" role="status" aria-live="polite">{message}</p>
    </form>
  );
}
