/**
 * The habit form, shared by "new habit" and "edit habit": name, color, kind (yes/no or
 * an amount with target, unit and direction: at least or at most) and schedule (every
 * day, chosen weekdays, N times a week, every N days, N times a month, X times in any Y
 * days). Posted as a plain form; the fields that do not apply to the chosen kind
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
import { DEFAULT_HABIT_COLOR } from "@/domain/habit_input.ts";
import type { FieldErrors } from "@/lib/validate.ts";
import type { Schedule } from "@/domain/stats.ts";
import { Actions, ChoiceGroup, CountField, ErrorSummary, Field } from "./form.tsx";
import { weekOrder } from "./habit_labels.ts";
import {
  HABIT_NAME_MAX,
  HABIT_UNIT_MAX,
  INTERVAL_EVERY_MAX,
  INTERVAL_EVERY_MIN,
  MONTHLY_TIMES_MAX,
  TAG_LENGTH_MAX,
  TAGS_MAX,
  TIMES_IN_DAYS_MAX,
  WEEKLY_TIMES_MAX,
} from "@/domain/limits.ts";

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
  direction: string;
  every: string;
  monthTimes: string;
  rollTimes: string;
  rollDays: string;
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
  direction: "at_least",
  every: "2",
  monthTimes: "4",
  rollTimes: "2",
  rollDays: "3",
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
    direction: text(form.direction) || "at_least",
    every: text(form.every),
    monthTimes: text(form.monthTimes),
    rollTimes: text(form.rollTimes),
    rollDays: text(form.rollDays),
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
    direction?: string;
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
    direction: habit.direction ?? "at_least",
    every: schedule.type === "interval" ? String(schedule.every) : EMPTY_HABIT_FORM.every,
    monthTimes: schedule.type === "monthly" ? String(schedule.times) : EMPTY_HABIT_FORM.monthTimes,
    rollTimes: schedule.type === "times_in_days" ? String(schedule.times) : EMPTY_HABIT_FORM.rollTimes,
    rollDays: schedule.type === "times_in_days" ? String(schedule.days) : EMPTY_HABIT_FORM.rollDays,
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
const FIELD_ORDER = [
  "_",
  "name",
  "color",
  "kind",
  "target",
  "unit",
  "direction",
  "scheduleType",
  "times",
  "days",
  "every",
  "monthTimes",
  "rollTimes",
  "rollDays",
  "tags",
];

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
          hint="At least: a day counts as done at this amount. At most: a day is met at or under it."
        />
        <Field
          label="Unit"
          name="unit"
          value={values.unit}
          error={errors.unit}
          maxLength={HABIT_UNIT_MAX}
          placeholder="e.g. km"
        />
        <ChoiceGroup
          legend="Is the target a goal or a limit?"
          name="direction"
          type="radio"
          options={[
            { value: "at_least", label: "A goal: at least the target" },
            {
              value: "at_most",
              label: "A limit: at most the target (a day with nothing logged counts as within the limit)",
            },
          ]}
          selected={[values.direction]}
          error={errors.direction}
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
          { value: "interval", label: "Every few days (from the day you start)" },
          { value: "monthly", label: "A number of times a month" },
          { value: "times_in_days", label: "A number of times in any run of days (e.g. 2 in any 3)" },
        ]}
        selected={[values.scheduleType]}
        error={errors.scheduleType}
      />
      <div class="weekly-only">
        <CountField
          label="Times a week"
          name="times"
          min={1}
          max={WEEKLY_TIMES_MAX}
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
      <div class="interval-only">
        <CountField
          label="Every how many days?"
          name="every"
          min={INTERVAL_EVERY_MIN}
          max={INTERVAL_EVERY_MAX}
          value={values.every}
          error={errors.every}
          hint="2 to 365; due on the start day and every that many days after it."
        />
      </div>
      <div class="monthly-only">
        <CountField
          label="Times a month"
          name="monthTimes"
          min={1}
          max={MONTHLY_TIMES_MAX}
          value={values.monthTimes}
          error={errors.monthTimes}
        />
      </div>
      <div class="field-group times_in_days-only">
        <CountField
          label="Times"
          name="rollTimes"
          min={1}
          max={TIMES_IN_DAYS_MAX}
          value={values.rollTimes}
          error={errors.rollTimes}
        />
        <CountField
          label="In any run of this many days"
          name="rollDays"
          min={1}
          max={TIMES_IN_DAYS_MAX}
          value={values.rollDays}
          error={errors.rollDays}
          hint="Up to 365; the times may not be more than the days."
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
