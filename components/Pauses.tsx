/**
 * Pauses on the pages (no JavaScript needed): the list of pauses with a delete button
 * each, and the form that adds one. Both post to `action` with an `intent`
 * (`create-pause`, `delete-pause`), handled by app/pause_form.ts. Every value goes
 * through Preact, which escapes it.
 *
 * @example
 * ```tsx
 * <PauseList pauses={pauses} action={`/habits/${habit.id}/pauses`} habitNames={names} />
 * <PauseForm action={`/habits/${habit.id}/pauses`} values={emptyPauseValues} scope={habit.name} />
 * ```
 */
import { Actions, ErrorSummary, Field, Form, TextareaField } from "./form.tsx";
import { formatDay } from "@/domain/calendar.ts";
import { PAUSE_MAX_DAYS, PAUSE_NOTE_MAX } from "@/domain/limits.ts";
import type { FieldErrors } from "@/lib/validate.ts";

/** What the pause form shows: what was typed (or nothing yet). */
export interface PauseFormValues {
  from: string;
  to: string;
  note: string;
}

/** A pause as the list shows it (db/pauses.ts's `Pause` fits). */
export interface PauseView {
  id: string;
  /** Null: every habit. */
  habitId: string | null;
  from: string;
  to: string;
  note: string | null;
}

/** The form's starting values. */
export const emptyPauseValues: PauseFormValues = { from: "", to: "", note: "" };

/** "Mon 1 Dec 2026 – Sun 14 Dec 2026", or one day. */
export function pauseDays(pause: Pick<PauseView, "from" | "to">): string {
  return pause.from === pause.to ? formatDay(pause.from) : `${formatDay(pause.from)} – ${formatDay(pause.to)}`;
}

/** What a pause covers: "every habit", or the habit's name. */
function coverage(pause: PauseView, habitNames: ReadonlyMap<string, string>): string {
  if (pause.habitId === null) return "Every habit";
  return habitNames.get(pause.habitId) ?? "One habit";
}

/** The pauses, each with what it covers, its note and a delete button. */
export function PauseList(props: {
  pauses: readonly PauseView[];
  /** Where the delete buttons post. */
  action: string;
  /** Habit id → name, to say which habit a one-habit pause covers. */
  habitNames: ReadonlyMap<string, string>;
  today: string;
}) {
  if (props.pauses.length === 0) return <p class="muted">No pauses.</p>;
  return (
    <ul class="pause-list">
      {props.pauses.map((pause) => {
        const days = pauseDays(pause);
        const what = coverage(pause, props.habitNames);
        const when = pause.to < props.today ? "past" : pause.from > props.today ? "planned" : "now";
        return (
          <li class="pause" key={pause.id} data-pause={pause.id} data-when={when}>
            <div>
              <strong>{days}</strong> · <span class="pause-scope">{what}</span>
              {when === "now" && <span class="badge">Paused now</span>}
              {pause.note && <p class="muted pause-note">{pause.note}</p>}
            </div>
            <form method="post" action={props.action} class="inline-form">
              <input type="hidden" name="intent" value="delete-pause" />
              <input type="hidden" name="pauseId" value={pause.id} />
              <button
                type="submit"
                class="button button-danger"
                aria-label={`Delete the pause ${days} (${what})`}
              >
                Delete
              </button>
            </form>
          </li>
        );
      })}
    </ul>
  );
}

/** The form that adds a pause: first and last day, a note. */
export function PauseForm(props: {
  action: string;
  values: PauseFormValues;
  errors?: FieldErrors;
  /** What the pause will cover, for the button: the habit's name or "every habit". */
  scope: string;
  today: string;
}) {
  const { values, errors } = props;
  return (
    <Form id="pause" method="post" action={props.action}>
      <ErrorSummary errors={errors} />
      <input type="hidden" name="intent" value="create-pause" />
      <div class="pause-days">
        <Field
          label="First paused day"
          name="from"
          type="date"
          value={values.from}
          error={errors?.from}
          hint={`Today is ${formatDay(props.today)}; a pause may start in the future.`}
          required
        />
        <Field
          label="Last paused day"
          name="to"
          type="date"
          value={values.to}
          error={errors?.to}
          hint={`At most ${PAUSE_MAX_DAYS} days.`}
          required
        />
      </div>
      <TextareaField
        label="Note (optional)"
        name="note"
        value={values.note}
        error={errors?.note}
        hint="Holidays, illness… Only you see it."
        rows={2}
        maxLength={PAUSE_NOTE_MAX}
      />
      <Actions>
        <button type="submit" class="button button-primary">Pause {props.scope}</button>
      </Actions>
    </Form>
  );
}
