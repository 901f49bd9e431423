/**
 * What a client may send about habits and check-ins, as zod schemas shared by the JSON
 * API and the no-JavaScript pages: the pages turn their flat form fields into the API's
 * shape ({@linkcode habitFormToInput}, {@linkcode checkinFormToInput}) so one schema
 * validates both, and every bad field is reported at once (`lib/validate.ts`).
 *
 * The rules (API.md's domain rules, plus the choices API.md leaves open):
 * - `name` 1–100 characters (code points, after trimming), no line breaks.
 * - `color` `#rrggbb` (stored lowercase); default {@linkcode DEFAULT_HABIT_COLOR}.
 * - `kind` `boolean` (default) or `numeric`; a numeric habit needs `target` (> 0,
 *   ≤ 1e9, decimals allowed) and `unit` (1–20 characters); a boolean one has neither.
 * - `schedule` `{type:"daily"}` (default), `{type:"weekly", times:1..7}` or
 *   `{type:"weekdays", days:[1..7]}` (ISO weekdays; duplicates dropped, sorted).
 * - Check-ins: `status` `done`, `skipped`, `failed` (a logged miss) or `none` (deletes the day). `value` only on
 *   numeric habits and only with `done`, 0–1e9; **a `done` without a value counts as
 *   the target and is stored as the target** (one tap = "did it"). `note` ≤ 500
 *   characters; omitted keeps the day's note, `null` or `""` clears it.
 * - Dates are the user's local days: no day after today, none more than 366 days
 *   before it ({@linkcode checkinSchemaFor}); a range read spans at most 400 days.
 *
 * @example
 * ```ts
 * const input = parseInput(habitCreateSchema, { name: "Read", kind: "numeric", target: 20, unit: "pages" });
 * const fromForm = parseInput(habitCreateSchema, habitFormToInput(formData)); // same rules
 * ```
 */
import { z } from "zod";
import { BoundedMemo } from "./bounded_memo.ts";
import { addDays, diffDays, isValidDate, type Weekday } from "./calendar.ts";
import type { Schedule } from "./stats.ts";
import { formNumber, formString } from "./form_fields.ts";
import {
  AMOUNT_MAX,
  CHECKIN_NOTE_MAX,
  HABIT_NAME_MAX,
  HABIT_POSITION_MAX,
  HABIT_UNIT_MAX,
  INTERVAL_EVERY_MAX,
  INTERVAL_EVERY_MIN,
  MONTHLY_TIMES_MAX,
  TIMES_IN_DAYS_MAX,
  WEEKLY_TIMES_MAX,
} from "./limits.ts";
import { tagSchema, tagsFromText, tagsSchema } from "./tags.ts";
import { characters, NOTE_CONTROL, oneLineText } from "./text_rules.ts";

/** Field path → message: the shape `parseInput` (lib/validate.ts) reports. */
type FieldErrors = Record<string, string>;

/** The color a habit gets when none is chosen. */
export const DEFAULT_HABIT_COLOR = "#16a34a";
/** How far back a check-in may go, in days before the user's today. */
export const BACKFILL_DAYS = 366;
/** The longest `from`..`to` range (inclusive) one check-ins read may ask for. */
export const CHECKIN_RANGE_MAX_DAYS = 400;
/** The range a check-ins read covers when none is given: the last 30 days. */
export const CHECKIN_RANGE_DEFAULT_DAYS = 30;

function amount(what: string) {
  return z.number({ error: `Enter ${what} as a number` })
    .max(AMOUNT_MAX, `Keep ${what} at ${AMOUNT_MAX} or less`);
}

const nameSchema = oneLineText("a name", HABIT_NAME_MAX);

const colorSchema = z.string({ error: "Pick a color as #rrggbb" })
  .trim()
  .toLowerCase()
  .regex(/^#[0-9a-f]{6}$/, "Pick a color as #rrggbb, e.g. #16a34a");

const kindSchema = z.enum(["boolean", "numeric"], { error: 'Choose "boolean" (yes/no) or "numeric" (an amount)' });

const targetSchema = amount("the target").gt(0, "Enter a target above 0");

const unitSchema = oneLineText("a unit", HABIT_UNIT_MAX);

const weekdaySchema = z.int({ error: "Days are ISO weekdays: 1 (Monday) to 7 (Sunday)" })
  .min(1, "Days are ISO weekdays: 1 (Monday) to 7 (Sunday)")
  .max(7, "Days are ISO weekdays: 1 (Monday) to 7 (Sunday)");

function wholeNumber(message: string, min: number, max: number) {
  return z.int({ error: message }).min(min, message).max(max, message);
}

/** One of API.md's schedule shapes; extra keys are dropped. */
export const scheduleSchema: z.ZodType<Schedule> = z.discriminatedUnion("type", [
  z.object({ type: z.literal("daily") }),
  z.object({
    type: z.literal("weekly"),
    times: wholeNumber(`Choose how many times a week: 1 to ${WEEKLY_TIMES_MAX}`, 1, WEEKLY_TIMES_MAX),
  }),
  z.object({
    type: z.literal("weekdays"),
    days: z.array(weekdaySchema, { error: "Choose at least one weekday" })
      .min(1, "Choose at least one weekday")
      .transform((days) => [...new Set(days)].sort((a, b) => a - b) as Weekday[]),
  }),
  z.object({
    type: z.literal("interval"),
    every: wholeNumber(
      `Choose every how many days: ${INTERVAL_EVERY_MIN} to ${INTERVAL_EVERY_MAX}`,
      INTERVAL_EVERY_MIN,
      INTERVAL_EVERY_MAX,
    ),
  }),
  z.object({
    type: z.literal("monthly"),
    times: wholeNumber(`Choose how many times a month: 1 to ${MONTHLY_TIMES_MAX}`, 1, MONTHLY_TIMES_MAX),
  }),
  z.object({
    type: z.literal("times_in_days"),
    times: wholeNumber(`Choose how many times: 1 to ${TIMES_IN_DAYS_MAX}`, 1, TIMES_IN_DAYS_MAX),
    days: wholeNumber(`Choose in how many days: 1 to ${TIMES_IN_DAYS_MAX}`, 1, TIMES_IN_DAYS_MAX),
  }).superRefine((value, ctx) => {
    if (value.times > value.days) issue(ctx, "times", "The times cannot be more than the days");
  }),
], {
  error: 'Choose a schedule: {"type":"daily"}, {"type":"weekly","times":1..7}, {"type":"weekdays","days":[1..7]}, ' +
    '{"type":"interval","every":2..365}, {"type":"monthly","times":1..31} or ' +
    '{"type":"times_in_days","times":T,"days":D} (1 ≤ T ≤ D ≤ 365)',
});

const directionSchema = z.enum(["at_least", "at_most"], {
  error: 'Choose the direction "at_least" (a goal) or "at_most" (a limit)',
});

const OBJECT = "Send the fields as one JSON object";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Cross-field rules run even when other fields failed, so every problem shows at once. */
const ALWAYS = { when: (payload: { value: unknown }) => isObject(payload.value) };

type IssueSink = { addIssue(issue: { code: "custom"; path: string[]; message: string }): void };

function issue(ctx: IssueSink, path: string, message: string): void {
  ctx.addIssue({ code: "custom", path: [path], message });
}

/** A numeric habit has a target and a unit; a yes/no one has neither. */
function checkKindFields(
  value: { kind?: unknown; target?: unknown; unit?: unknown; direction?: unknown },
  ctx: IssueSink,
  whenMissing: "absent" | "null",
): void {
  if (value.kind === "numeric") {
    const missing = (field: unknown) => whenMissing === "absent" ? field == null : field === null;
    if (missing(value.target)) issue(ctx, "target", "A numeric habit needs a target above 0");
    if (missing(value.unit)) issue(ctx, "unit", "A numeric habit needs a unit, e.g. pages or km");
  } else if (value.kind === "boolean" || (value.kind === undefined && whenMissing === "absent")) {
    if (value.direction === "at_most") {
      issue(ctx, "direction", 'Only numeric habits have a limit: set kind to "numeric"');
    }
    if (value.target != null) issue(ctx, "target", 'Only numeric habits have a target: set kind to "numeric"');
    if (value.unit != null) issue(ctx, "unit", 'Only numeric habits have a unit: set kind to "numeric"');
  }
}

/**
 * POST /api/habits: `{name, color?, kind?, target?, unit?, schedule?}`. Omitted fields
 * take their defaults in `createHabit` (db/habits.ts).
 */
export const habitCreateSchema = z.object({
  name: nameSchema,
  color: colorSchema.optional(),
  kind: kindSchema.optional(),
  target: targetSchema.nullish(),
  unit: unitSchema.nullish(),
  schedule: scheduleSchema.optional(),
  tags: tagsSchema.optional(),
  direction: directionSchema.optional(),
}, { error: OBJECT }).superRefine((value, ctx) => checkKindFields(value, ctx, "absent"), ALWAYS);

/**
 * PUT /api/habits/[id]: any create field, plus `archived` and `position` (0-based index
 * in the habit's list; the others shift). Omitted fields stay as they are. Switching
 * `kind` to boolean clears target and unit; rules that depend on the stored habit
 * (a target sent to a yes/no habit) are refused by `update_habit` (CG400).
 */
export const habitUpdateSchema = z.object({
  name: nameSchema.optional(),
  color: colorSchema.optional(),
  kind: kindSchema.optional(),
  target: targetSchema.nullish(),
  unit: unitSchema.nullish(),
  schedule: scheduleSchema.optional(),
  tags: tagsSchema.optional(),
  direction: directionSchema.optional(),
  archived: z.boolean({ error: "archived is true or false" }).optional(),
  position: z.int({ error: "The position is a whole number from 0" })
    .min(0, "The position is a whole number from 0")
    .max(HABIT_POSITION_MAX, `The position is a whole number up to ${HABIT_POSITION_MAX}`)
    .optional(),
}, { error: OBJECT }).superRefine((value, ctx) => {
  checkKindFields(value, ctx, "null");
  if (Object.values(value).every((field) => field === undefined)) {
    issue(ctx, "_", "Send at least one field to change");
  }
}, ALWAYS);

/** A check-in's note: trimmed, up to {@linkcode CHECKIN_NOTE_MAX} characters, line breaks allowed. */
export const checkinNoteSchema = z.string({ error: "Send the note as text" })
  .trim()
  .refine((text) => characters(text) <= CHECKIN_NOTE_MAX, `Keep the note to ${CHECKIN_NOTE_MAX} characters or fewer`)
  .refine((text) => !NOTE_CONTROL.test(text), "Remove control characters from the note");

/** A check-in's amount: 0 to {@linkcode AMOUNT_MAX}. */
export const checkinValueSchema = amount("the value").min(0, "The value cannot be negative");

const dateSchema = z.string({ error: "Enter a date as YYYY-MM-DD" })
  .refine(isValidDate, "Enter a real date as YYYY-MM-DD");

/**
 * POST /api/habits/[id]/checkins: `{date, status, value?, note?}`, the checks that do
 * not depend on the habit or the day. `note: null` becomes `""` (clear).
 */
export const checkinSchema = z.object({
  date: dateSchema,
  status: z.enum(["done", "skipped", "failed", "none"], {
    error: 'The status is "done", "skipped", "failed" or "none"',
  }),
  value: checkinValueSchema.nullish(),
  note: checkinNoteSchema.nullish().transform((note) => note === null ? "" : note),
}, { error: OBJECT }).superRefine((value, ctx) => {
  if (value.value != null && value.status !== "done" && typeof value.status === "string") {
    issue(ctx, "value", "Only a done check-in has a value");
  }
}, ALWAYS);

/**
 * {@linkcode checkinSchema} plus the rules that depend on the habit and the user's
 * today: no value on a yes/no habit, no day after `today`, none more than 366 days
 * before it. The database function checks them again; this names the field.
 *
 * @example
 * ```ts
 * const input = parseInput(checkinSchemaFor(habit, localDay(user.timezone)), body);
 * ```
 */
export function checkinSchemaFor(habit: { kind: "boolean" | "numeric" }, today: string) {
  const key = `${habit.kind} ${today}`;
  return checkinSchemas.get(key) ?? checkinSchemas.remember(key, buildCheckinSchema(habit.kind, today));
}

// Schemas built for one day, kept: building a zod schema compiles it (about 40–80 µs,
// most of a check-in's validation), checking a body against a built one takes about
// 1 µs. The days in use at once are few (today in each user's timezone, ±1 day).
const checkinSchemas = new BoundedMemo<string, ReturnType<typeof buildCheckinSchema>>(32);
const checkinRangeSchemas = new BoundedMemo<string, ReturnType<typeof buildCheckinRangeSchema>>(32);

function buildCheckinSchema(kind: "boolean" | "numeric", today: string) {
  const earliest = addDays(today, -BACKFILL_DAYS);
  return checkinSchema.superRefine((value, ctx) => {
    if (kind === "boolean" && value.value != null) issue(ctx, "value", "A yes/no habit takes no value");
    if (typeof value.date !== "string" || !isValidDate(value.date)) return;
    if (value.date > today) issue(ctx, "date", `You cannot check in for a day after today (${today})`);
    if (value.date < earliest) {
      issue(ctx, "date", `Check-ins go back ${BACKFILL_DAYS} days at most: the earliest is ${earliest}`);
    }
  }, ALWAYS);
}

/**
 * GET /api/habits/[id]/checkins `?from&to`: both `YYYY-MM-DD`, `from ≤ to`, at most
 * 400 days inclusive. Defaults: `to` = today, `from` = 29 days before `to`.
 */
export function checkinRangeSchema(today: string) {
  return checkinRangeSchemas.get(today) ?? checkinRangeSchemas.remember(today, buildCheckinRangeSchema(today));
}

function buildCheckinRangeSchema(today: string) {
  return z.object({
    from: dateSchema.optional(),
    to: dateSchema.optional(),
  }).transform(({ from, to }, ctx) => {
    const end = to ?? (from && from > today ? from : today);
    const start = from ?? addDays(end, -(CHECKIN_RANGE_DEFAULT_DAYS - 1));
    if (start > end) {
      issue(ctx, "from", "from must be on or before to");
      return z.NEVER;
    }
    if (diffDays(start, end) + 1 > CHECKIN_RANGE_MAX_DAYS) {
      issue(ctx, "to", `Ask for at most ${CHECKIN_RANGE_MAX_DAYS} days at once`);
      return z.NEVER;
    }
    return { from: start, to: end };
  });
}

/** GET /api/habits `?archived=true` lists archived habits instead of active ones. */
export const habitListQuerySchema = z.object({
  archived: z.enum(["true", "false"], { error: 'archived is "true" or "false"' }).optional()
    .transform((archived) => archived === "true"),
  /** Only habits with this tag (ignoring case). */
  tag: tagSchema.optional(),
});

export type HabitCreateInput = z.output<typeof habitCreateSchema>;
export type HabitUpdateInput = z.output<typeof habitUpdateSchema>;
export type CheckinInput = z.output<typeof checkinSchema>;

/**
 * The habit form's flat fields → the API's JSON shape, for {@linkcode habitCreateSchema}
 * or {@linkcode habitUpdateSchema}. Fields: `name`, `color`, `kind`, `target`, `unit`,
 * `scheduleType` (`daily` | `weekly` | `weekdays`), `times`, `days` (one string or a
 * list: checkboxes). A yes/no habit ignores the target and unit boxes (sent as null, so
 * an edit from numeric to yes/no clears them); empty boxes are left out.
 *
 * @example
 * ```ts
 * habitFormToInput({ name: "Run", kind: "numeric", target: "5", unit: "km", scheduleType: "weekdays", days: ["1", "3"] });
 * // { name: "Run", kind: "numeric", target: 5, unit: "km", schedule: { type: "weekdays", days: [1, 3] } }
 * ```
 */
export function habitFormToInput(form: Record<string, unknown>): unknown {
  const input: Record<string, unknown> = {};
  const name = formString(form.name);
  if (name !== undefined) input.name = name;
  const color = formString(form.color)?.trim();
  if (color) input.color = color;
  const kind = formString(form.kind)?.trim() || undefined;
  if (kind !== undefined) input.kind = kind;
  if (kind === "boolean") {
    input.target = null;
    input.unit = null;
    input.direction = "at_least";
  } else {
    const target = formNumber(form.target);
    if (target !== undefined) input.target = target;
    const unit = formString(form.unit)?.trim();
    if (unit) input.unit = unit;
    const direction = formString(form.direction)?.trim();
    if (direction) input.direction = direction;
  }
  const scheduleType = formString(form.scheduleType)?.trim();
  if (scheduleType === "weekly") {
    input.schedule = { type: "weekly", times: formNumber(form.times) };
  } else if (scheduleType === "weekdays") {
    const days = form.days === undefined ? [] : Array.isArray(form.days) ? form.days : [form.days];
    input.schedule = { type: "weekdays", days: days.map(formNumber).filter((day) => day !== undefined) };
  } else if (scheduleType === "interval") {
    input.schedule = { type: "interval", every: formNumber(form.every) };
  } else if (scheduleType === "monthly") {
    input.schedule = { type: "monthly", times: formNumber(form.monthTimes) };
  } else if (scheduleType === "times_in_days") {
    input.schedule = { type: "times_in_days", times: formNumber(form.rollTimes), days: formNumber(form.rollDays) };
  } else if (scheduleType) {
    input.schedule = { type: scheduleType };
  }
  // One text field, "health, morning"; sent empty, it clears the tags.
  const tags = formString(form.tags);
  if (tags !== undefined) input.tags = tagsFromText(tags);
  return input;
}

/**
 * The habit form's field for each schema error path, so a page can show a message next
 * to the right box: `schedule.times` → `times`, `schedule.days.2` → `days`,
 * `schedule` / `schedule.type` → `scheduleType`; the rest keep their names.
 *
 * @example
 * ```ts
 * habitFormErrors({ "schedule.days": "Choose at least one weekday" }); // { days: "Choose at least one weekday" }
 * ```
 */
export function habitFormErrors(fields: FieldErrors, scheduleType?: string): FieldErrors {
  const out: FieldErrors = {};
  const timesField = scheduleType === "monthly"
    ? "monthTimes"
    : scheduleType === "times_in_days"
    ? "rollTimes"
    : "times";
  for (const [path, message] of Object.entries(fields)) {
    const field = path.startsWith("tags")
      ? "tags"
      : path.startsWith("schedule.every")
      ? "every"
      : scheduleType === "times_in_days" && path.startsWith("schedule.days")
      ? "rollDays"
      : path.startsWith("schedule.times")
      ? timesField
      : path.startsWith("schedule.days")
      ? "days"
      : path.startsWith("schedule")
      ? "scheduleType"
      : path;
    out[field] ??= message;
  }
  return out;
}

/**
 * The check-in form's fields (`date`, `status`, `value`, `note`) → the API's shape, for
 * {@linkcode checkinSchemaFor}. An empty value box means "no amount" (done = the
 * target); a form without a note box keeps the day's note, an emptied one clears it.
 *
 * @example
 * ```ts
 * checkinFormToInput({ date: "2026-03-04", status: "done", value: "" }); // { date: "2026-03-04", status: "done" }
 * ```
 */
export function checkinFormToInput(form: Record<string, unknown>): unknown {
  const input: Record<string, unknown> = {
    date: formString(form.date)?.trim(),
    status: formString(form.status)?.trim(),
  };
  const value = formNumber(form.value);
  if (value !== undefined) input.value = value;
  const note = formString(form.note);
  if (note !== undefined) input.note = note;
  return input;
}
