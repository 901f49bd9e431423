/**
 * A subgoal's progress with an inline edit. On the server (and with JavaScript off) it
 * is a plain `<form method="post">` to the goal's page (`intent=subgoal-update`), so it
 * works everywhere. Once hydrated it takes over the submit: the bar moves at once, the
 * JSON API (`PATCH /api/subgoals/[id]`) saves it, and a failure puts the old value back
 * with a message read out by screen readers. Its progress is a signal that the goal's
 * bar (`GoalProgressBar`) reads too, so both move together.
 *
 * @example
 * ```tsx
 * <SubgoalProgress goalId={goal.id} subgoalId={s.id} title={s.title} progress={signal(s.progress)} done={s.done} />
 * ```
 */
import type { Signal } from "@preact/signals";
import { useRef, useState } from "preact/hooks";
import { PROGRESS_MAX } from "@/domain/limits.ts";
import { errorText, sendJson } from "@/components/send_json.ts";

export interface SubgoalProgressProps {
  goalId: string;
  subgoalId: string;
  title: string;
  /** Shared with the goal's progress bar. */
  progress: Signal<number>;
  done: boolean;
  /** The value typed before a failed no-JavaScript save, shown again. */
  typed?: string;
  error?: string;
}

export default function SubgoalProgress(props: SubgoalProgressProps) {
  const progress = props.progress.value;
  const setProgress = (value: number) => props.progress.value = value;
  const [message, setMessage] = useState(props.error ?? "");
  const saving = useRef(false);
  const inputId = `progress-${props.subgoalId}`;
  const shown = props.done ? 100 : progress;

  async function onSubmit(event: Event) {
    event.preventDefault();
    if (saving.current) return;
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem("progress") as HTMLInputElement;
    const next = Number(input.value);
    if (!Number.isInteger(next) || next < 0 || next > PROGRESS_MAX) {
      setMessage(`Progress is a whole number from 0 to ${PROGRESS_MAX}`);
      return;
    }
    const before = progress;
    setProgress(next);
    setMessage("");
    saving.current = true;
    try {
      const body = await sendJson<{ subgoal: { progress: number } }>(
        `/api/subgoals/${encodeURIComponent(props.subgoalId)}`,
        {
          method: "PATCH",
          body: { progress: next },
          rollback: () => {
            setProgress(before);
            input.value = String(before);
          },
        },
      );
      setProgress(body.subgoal.progress);
    } catch (error) {
      setMessage(`Not saved: ${errorText(error)}`);
    } finally {
      saving.current = false;
    }
  }

  return (
    <div class="subgoal-progress">
      <div class="progress">
        <progress max={PROGRESS_MAX} value={shown} aria-label={`${props.title}: progress`}>{shown}%</progress>
        <span class="progress-value">{`${shown}%`}</span>
      </div>
      <form
        method="post"
        action={`/goals/${encodeURIComponent(props.goalId)}`}
        class="inline-form subgoal-progress-form"
        onSubmit={onSubmit}
      >
        <input type="hidden" name="intent" value="subgoal-update" />
        <input type="hidden" name="id" value={props.subgoalId} />
        <label for={inputId} class="visually-hidden">{`Progress of ${props.title} (%)`}</label>
        <input
          id={inputId}
          name="progress"
          type="number"
          min={0}
          max={PROGRESS_MAX}
          step={1}
          value={props.typed ?? progress}
          aria-invalid={message ? "true" : undefined}
        />
        <button type="submit" class="link-button">Save %</button>
      </form>
      <p class="field-error" role="status" aria-live="polite">{message}</p>
    </div>
  );
}
