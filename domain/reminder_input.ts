/**
 * What a client may send about reminders and notifications, as zod schemas shared by
 * the JSON API and the no-JavaScript pages ({@linkcode reminderFormToInput} turns a
 * form into the API's shape, so one schema validates both).
 *
 * Rules (API.md): `title` 1–100 characters, one line; `time` `HH:MM` from 00:00 to
 * 23:59 in the user's timezone; `days` ISO weekdays 1–7 (1 = Monday), at least one
 * (duplicates dropped, sorted); `habitId` one of the user's habits or null; `enabled`
 * a boolean (default true).
 *
 * @example
 * ```ts
 * const input = parseInput(reminderCreateSchema, { title: "Stretch", time: "07:30", days: [1, 2, 3, 4, 5] });
 * ```
 */
import { z } from "zod";
import type { Weekday } from "./calendar.ts";
import { REMINDER_TITLE_MAX } from "./limits.ts";
import { characters, ONE_LINE_CONTROL, TIME_OF_DAY } from "./text_rules.ts";

const titleSchema = z.string({
  error: (issue) => issue.input === undefined ? "Enter a title" : "Send the title as text",
})
  .trim()
  .refine((text) => text.length > 0, "Enter a title")
  .refine(
    (text) => characters(text) <= REMINDER_TITLE_MAX,
    `Keep the title to ${REMINDER_TITLE_MAX} characters or fewer`,
  )
  .refine((text) => !ONE_LINE_CONTROL.test(text), "Remove line breaks and control characters from the title");

const timeSchema = z.string({ error: "Enter a time as HH:MM, e.g. 07:30" })
  .trim()
  .regex(TIME_OF_DAY, "Enter a time as HH:MM from 00:00 to 23:59, e.g. 07:30");

const DAYS_MESSAGE = "Choose at least one weekday: 1 (Monday) to 7 (Sunday)";

const daysSchema = z.array(
  z.int({ error: "Days are ISO weekdays: 1 (Monday) to 7 (Sunday)" })
    .min(1, "Days are ISO weekdays: 1 (Monday) to 7 (Sunday)")
    .max(7, "Days are ISO weekdays: 1 (Monday) to 7 (Sunday)"),
  { error: DAYS_MESSAGE },
)
  .min(1, DAYS_MESSAGE)
  .transform((days) => [...new Set(days)].sort((a, b) => a - b) as Weekday[]);

// Any string: a malformed or foreign id is a 404 (checked in the database), not a 400.
const habitIdSchema = z.string({ error: "Send habitId as a habit's id, or null" }).trim()
  .transform((id) => id === "" ? null : id)
  .nullable();

const enabledSchema = z.boolean({ error: "Send enabled as true or false" });

export const reminderCreateSchema = z.object({
  habitId: habitIdSchema.optional(),
  title: titleSchema,
  time: timeSchema,
  days: daysSchema,
  enabled: enabledSchema.optional(),
});

export const reminderUpdateSchema = z.object({
  habitId: habitIdSchema.optional(),
  title: titleSchema.optional(),
  time: timeSchema.optional(),
  days: daysSchema.optional(),
  enabled: enabledSchema.optional(),
});

export type ReminderCreate = z.infer<typeof reminderCreateSchema>;
export type ReminderPatch = z.infer<typeof reminderUpdateSchema>;

/** `POST /api/notifications/read`: some ids, or none for all. */
export const markReadSchema = z.object({
  ids: z.array(z.string({ error: "Send ids as notification ids" }), { error: "Send ids as a list of ids" })
    .max(1000, "Send at most 1000 ids at once")
    .optional(),
});

/** `GET /api/notifications?unread=true`. */
export const notificationListQuerySchema = z.object({
  unread: z.enum(["true", "false"], { error: "Send unread as true or false" }).optional()
    .transform((value) => value === "true"),
});

/** The flat fields of the reminder form. */
export interface ReminderFormValues {
  title: string;
  time: string;
  days: number[];
  habitId: string;
  enabled: boolean;
}

export const EMPTY_REMINDER_FORM: ReminderFormValues = {
  title: "",
  time: "08:00",
  days: [1, 2, 3, 4, 5, 6, 7],
  habitId: "",
  enabled: true,
};

function text(value: unknown): string {
  return typeof value === "string" ? value : Array.isArray(value) ? String(value[0] ?? "") : "";
}

/** What the form showed, to render it again with the user's input. */
export function reminderFormValues(form: Record<string, unknown>): ReminderFormValues {
  const days = form.days === undefined ? [] : Array.isArray(form.days) ? form.days : [form.days];
  return {
    title: text(form.title),
    time: text(form.time),
    days: days.map(Number).filter((day) => Number.isInteger(day)),
    habitId: text(form.habitId),
    enabled: form.enabled !== undefined,
  };
}

/**
 * The form's fields in the API's shape. An unchecked checkbox sends nothing, so
 * `enabled` is false unless present, and no days means "no days" (a 400).
 */
export function reminderFormToInput(form: Record<string, unknown>): unknown {
  const values = reminderFormValues(form);
  const days = form.days === undefined ? [] : Array.isArray(form.days) ? form.days : [form.days];
  return {
    title: values.title,
    time: values.time,
    days: days.map((day) => /^\d+$/.test(String(day)) ? Number(day) : day),
    habitId: values.habitId === "" ? null : values.habitId,
    enabled: values.enabled,
  };
}
