/**
 * The habit form, shared by "new habit" and "edit habit": name, color, kind (yes/no or
 * an amount with target and unit) and schedule (every day, N times a week, chosen
 * weekdays). Posted as a plain form; the fields that do not apply to the chosen kind
 * and schedule hide with CSS `:has()`, so it needs no JavaScript either way.
 *
 * Values are kept as the strings the user typed, so a re-render after a validation
 * error shows exactly their input, with each message next to its field.
 *
 * @example
 * ```tsx
 * <HabitForm action="/habits/new" values={EMPTY_HABIT_FORM} weekStart={1} submitLabel="Create habit" cancelHref="/app" />
 * ```
 */
import type { Weekday } from "@/domain/calendar.ts";
import { weekdayName } from "@/domain/calendar.ts";
import { DEFAULT_HABIT_COLOR, HABIT_NAME_MAX, HABIT_UNIT_MAX } from "@/domain/habit_input.ts";
import type { FieldErrors } from "@/lib/validate.ts";
import type { Schedule } from "@/domain/stats.ts";
import { Actions, ChoiceGroup, ErrorSummary, Field } from "./form.tsx";
import { weekOrder } from "./habit_labels.ts";
import { TAG_LENGTH_MAX, TAGS_MAX } from "@/domain/tags.ts";

/** The form's fields, as strings (what a browser posts). */
export interface HabitFormValues {
  name: string;
  color: string;
  kind: string;
  target: string;
  unit: string;
  scheduleType: string;
  times: string;
  days: string[];
  /** "health, morning". */
  tags: string;
}

/** A new habit's form: a yes/no habit every day. */
export const EMPTY_HABIT_FORM: HabitFormValues = {
  name: "",
  color: DEFAULT_HABIT_COLOR,
  kind: "boolean",
  target: "",
  unit: "",
  scheduleType: "daily",
  times: "3",
  days: ["1", "2", "3", "4", "5"],
  tags: "",
};

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The posted form's values, to show them again. */
export function habitFormValues(form: Record<string, unknown>): HabitFormValues {
  const days = form.days;
  return {
    name: text(form.name),
    color: text(form.color) || EMPTY_HABIT_FORM.color,
    kind: text(form.kind) || "boolean",
    target: text(form.target),
    unit: text(form.unit),
    scheduleType: text(form.scheduleType) || "daily",
    times: text(form.times),
    days: Array.isArray(days) ? days.map(text) : typeof days === "string" ? [days] : [],
    tags: text(form.tags),
  };
}

/** A saved habit's values, to edit them. */
export function habitToFormValues(
  habit: {
    name: string;
    color: string;
    kind: string;
    target: number | null;
    unit: string | null;
    schedule: Schedule;
    tags?: readonly string[];
  },
): HabitFormValues {
  const { schedule } = habit;
  return {
    name: habit.name,
    color: habit.color,
    kind: habit.kind,
    target: habit.target === null ? "" : String(habit.target),
    unit: habit.unit ?? "",
    scheduleType: schedule.type,
    times: schedule.type === "weekly" ? String(schedule.times) : EMPTY_HABIT_FORM.times,
    days: schedule.type === "weekdays" ? schedule.days.map(String) : EMPTY_HABIT_FORM.days,
    tags: (habit.tags ?? []).join(", "),
  };
}

export interface HabitFormProps {
  action: string;
  values: HabitFormValues;
  errors?: FieldErrors;
  weekStart: Weekday;
  submitLabel: string;
  cancelHref: string;
}

/** The form's fields top to bottom: the summary lists problems in this order. */
const FIELD_ORDER = ["_", "name", "color", "kind", "target", "unit", "scheduleType", "times", "days", "tags"];

function inFormOrder(errors: FieldErrors): FieldErrors {
  const rank = (field: string) => {
    const index = FIELD_ORDER.indexOf(field);
    return index === -1 ? FIELD_ORDER.length : index;
  };
  return Object.fromEntries(Object.entries(errors).sort(([a], [b]) => rank(a) - rank(b)));
}

export function HabitForm({ action, values, errors = {}, weekStart, submitLabel, cancelHref }: HabitFormProps) {
  return (
    <form method="post" action={action} class="habit-form" novalidate>
      <ErrorSummary errors={inFormOrder(errors)} />
      <Field
        label="Name"
        name="name"
        value={values.name}
        error={errors.name}
        required
        maxLength={HABIT_NAME_MAX}
        placeholder="e.g. Read 20 pages"
        autocomplete="off"
      />
      <div class={errors.color ? "field field-invalid field-color" : "field field-color"}>
        <label for="field-color">Color</label>
        <input
          id="field-color"
          name="color"
          type="color"
          value={values.color}
          aria-invalid={errors.color ? "true" : undefined}
          aria-describedby={errors.color ? "field-color-error" : undefined}
        />
        {errors.color && <p class="field-error" id="field-color-error">{errors.color}</p>}
      </div>
      <ChoiceGroup
        legend="What do you track?"
        name="kind"
        type="radio"
        options={[
          { value: "boolean", label: "Done or not" },
          { value: "numeric", label: "An amount (pages, km, minutes…)" },
        ]}
        selected={[values.kind]}
        error={errors.kind}
      />
      <div class="field-group numeric-only">
        <Field
          label="Daily target"
          name="target"
          type="number"
          inputMode="decimal"
          min="0"
          step="any"
          value={values.target}
          error={errors.target}
          hint="A day counts as done at this amount."
        />
        <Field
          label="Unit"
          name="unit"
          value={values.unit}
          error={errors.unit}
          maxLength={HABIT_UNIT_MAX}
          placeholder="e.g. km"
        />
      </div>
      <ChoiceGroup
        legend="How often?"
        name="scheduleType"
        type="radio"
        options={[
          { value: "daily", label: "Every day" },
          { value: "weekly", label: "A number of times a week" },
          { value: "weekdays", label: "On chosen weekdays" },
        ]}
        selected={[values.scheduleType]}
        error={errors.scheduleType}
      />
      <div class="weekly-only">
        <Field
          label="Times a week"
          name="times"
          type="number"
          inputMode="numeric"
          min={1}
          max={7}
          step={1}
          value={values.times}
          error={errors.times}
        />
      </div>
      <div class="weekdays-only">
        <ChoiceGroup
          legend="Which days?"
          name="days"
          type="checkbox"
          options={weekOrder(weekStart).map((day) => ({ value: day, label: weekdayName(day, "short") }))}
          selected={values.days}
          error={errors.days}
        />
      </div>
      <Field
        label="Tags"
        name="tags"
        value={values.tags}
        error={errors.tags}
        maxLength={TAGS_MAX * (TAG_LENGTH_MAX + 2)}
        hint={`Optional: up to ${TAGS_MAX}, separated by commas, e.g. health, morning. The dashboard can filter and group by them.`}
      />
      <Actions>
        <button type="submit" class="button button-primary">{submitLabel}</button>
        <a href={cancelHref}>Cancel</a>
      </Actions>
    </form>
  );
}
