/**
 * The full check-in form: any day of the last year, done / skipped / failed / cleared, an amount
 * for numeric habits, and a note. Posts to `/habits/:id/checkin`, which comes back to
 * `returnTo`, or shows this form again with the messages next to the fields.
 *
 * @example
 * ```tsx
 * <CheckinForm habit={habit} today={today} values={checkinDefaults(today)} returnTo={`/habits/${habit.id}`} />
 * ```
 */
import { addDays } from "@/domain/calendar.ts";
import { BACKFILL_DAYS } from "@/domain/habit_input.ts";
import type { FieldErrors } from "@/lib/validate.ts";
import { Actions, ChoiceGroup, ErrorSummary, Field } from "./form.tsx";
import { CHECKIN_NOTE_MAX } from "@/domain/limits.ts";

/** The form's fields, as posted. */
export interface CheckinFormValues {
  date: string;
  status: string;
  value: string;
  note: string;
}

/** A fresh form: done today. */
export function checkinDefaults(today: string): CheckinFormValues {
  return { date: today, status: "done", value: "", note: "" };
}

/** The posted values, to show them again. */
export function checkinFormValues(form: Record<string, unknown>, today: string): CheckinFormValues {
  const text = (value: unknown) => typeof value === "string" ? value : "";
  return {
    date: text(form.date) || today,
    status: text(form.status) || "done",
    value: text(form.value),
    note: text(form.note),
  };
}

/**
 * The form's note box starts empty whatever the chosen day holds, so an empty box
 * means "leave the note alone" rather than "erase it" (the API clears on `""`).
 */
export function keepNoteWhenEmpty(form: Record<string, unknown>): Record<string, unknown> {
  if (typeof form.note !== "string" || form.note.trim() !== "") return form;
  const { note: _, ...rest } = form;
  return rest;
}

export interface CheckinFormProps {
  habit: { id: string; kind: "boolean" | "numeric"; target: number | null; unit: string | null };
  today: string;
  values: CheckinFormValues;
  errors?: FieldErrors;
  returnTo: string;
}

export function CheckinForm({ habit, today, values, errors = {}, returnTo }: CheckinFormProps) {
  return (
    <form method="post" action={`/habits/${habit.id}/checkin`} class="checkin-form" novalidate>
      <ErrorSummary errors={errors} />
      <input type="hidden" name="return" value={returnTo} />
      <Field
        label="Day"
        name="date"
        type="date"
        value={values.date}
        max={today}
        min={addDays(today, -BACKFILL_DAYS)}
        error={errors.date}
        required
      />
      <div>
        <ChoiceGroup
          legend="Status"
          name="status"
          type="radio"
          options={[
            { value: "done", label: "Done" },
            { value: "skipped", label: "Skipped" },
            { value: "failed", label: "Failed (a miss you want on record)" },
            { value: "none", label: "Clear the day" },
          ]}
          selected={[values.status]}
          error={errors.status}
        />
      </div>
      {habit.kind === "numeric" && (
        <Field
          label={`Amount${habit.unit ? ` (${habit.unit})` : ""}`}
          name="value"
          type="number"
          inputMode="decimal"
          min="0"
          step="any"
          value={values.value}
          error={errors.value}
          hint={habit.target === null ? undefined : `Empty counts as the target, ${habit.target}.`}
        />
      )}
      <div class={errors.note ? "field field-invalid" : "field"}>
        <label for="field-note">Note</label>
        <p class="field-hint" id="field-note-hint">Left empty, the day keeps the note it has.</p>
        <textarea
          id="field-note"
          name="note"
          rows={3}
          maxLength={CHECKIN_NOTE_MAX}
          aria-invalid={errors.note ? "true" : undefined}
          aria-describedby={errors.note ? "field-note-hint field-note-error" : "field-note-hint"}
        >
          {values.note}
        </textarea>
        {errors.note && <p class="field-error" id="field-note-error">{errors.note}</p>}
      </div>
      <Actions>
        <button type="submit" class="button button-primary">Save check-in</button>
      </Actions>
    </form>
  );
}
