/**
 * The reminder form of the no-JavaScript pages (create on `/reminders`, edit on
 * `/reminders/[id]/edit`): title, time, weekdays, optional habit, enabled. Posts the
 * flat fields `domain/reminder_input.ts`'s `reminderFormToInput` reads.
 *
 * @example
 * ```tsx
 * <ReminderForm action="/reminders" values={EMPTY_REMINDER_FORM} habits={habits} submitLabel="Add reminder" />
 * ```
 */
import { type Weekday, weekdayName } from "@/domain/calendar.ts";
import type { ReminderFormValues } from "@/domain/reminder_input.ts";
import { REMINDER_TITLE_MAX } from "@/domain/limits.ts";
import type { FieldErrors } from "@/lib/validate.ts";
import { Actions, ChoiceGroup, ErrorSummary, Field, SelectField } from "./form.tsx";

const WEEKDAYS: Weekday[] = [1, 2, 3, 4, 5, 6, 7];

/** Schema error paths ("days.0") → the form field that shows them. */
export function reminderFormErrors(errors: FieldErrors): FieldErrors {
  const fields: FieldErrors = {};
  for (const [path, message] of Object.entries(errors)) fields[path.split(".")[0]] ??= message;
  return fields;
}

export function ReminderForm(props: {
  action: string;
  values: ReminderFormValues;
  errors?: FieldErrors;
  habits: { id: string; name: string }[];
  submitLabel: string;
  cancelHref?: string;
}) {
  const { values, errors } = props;
  return (
    <form method="post" action={props.action} class="reminder-form">
      <ErrorSummary errors={errors} />
      <Field
        label="Title"
        name="title"
        value={values.title}
        error={errors?.title}
        required
        maxLength={REMINDER_TITLE_MAX}
      />
      <Field
        label="Time"
        name="time"
        type="time"
        value={values.time}
        error={errors?.time}
        hint="In your timezone (Settings)"
        required
      />
      <ChoiceGroup
        legend="Days"
        name="days"
        type="checkbox"
        options={WEEKDAYS.map((day) => ({ value: day, label: weekdayName(day, "short") }))}
        selected={values.days}
        error={errors?.days}
      />
      <SelectField
        label="Habit (optional)"
        name="habitId"
        value={values.habitId}
        options={[
          { value: "", label: "None" },
          ...props.habits.map((habit) => ({ value: habit.id, label: habit.name })),
        ]}
        error={errors?.habitId}
        hint="Skipped on days the habit is already done"
      />
      <label class="choice">
        <input type="checkbox" name="enabled" value="on" checked={values.enabled} /> Enabled
      </label>
      <Actions>
        <button type="submit" class="button">{props.submitLabel}</button>
        {props.cancelHref && <a href={props.cancelHref}>Cancel</a>}
      </Actions>
    </form>
  );
}
