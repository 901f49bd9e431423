/**
 * The demo island: a counter held in a signal. Without JavaScript it is static markup
 * showing the count and the date; the button stays disabled until the island has
 * hydrated, so it never looks clickable while it cannot work.
 *
 * @example
 * ```tsx
 * <Counter start={3} since={new Date("2026-01-01T00:00:00Z")} />
 * ```
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

export interface CounterProps {
  /** The initial count. */
  start: number;
  /** Shown as "counting since"; a Date, to show that Dates survive the trip. */
  since: Date;
}

export default function Counter({ start, since }: CounterProps) {
  const count = useSignal(start);
  const hydrated = useSignal(false);
  // Effects run only in the browser, after hydration.
  useEffect(() => {
    hydrated.value = true;
  }, []);
  // UTC, so the server and every browser print the same day.
  const day = since.toISOString().slice(0, 10);
  return (
    <div class="counter">
      <output aria-live="polite">{count}</output>
      <button
        type="button"
        disabled={!hydrated.value}
        onClick={() => count.value++}
      >
        +1
      </button>
      <small>
        counting since <time dateTime={since.toISOString()}>{day}</time>
      </small>
    </div>
  );
}
