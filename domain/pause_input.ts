/**
 * What a client may send to pause habits (`POST /api/pauses`), as a zod schema shared by
 * the JSON API and any form: `habitId` (one habit; absent or null = every habit of the
 * user, including habits created during the pause), `from` and `to` local days
 * (`YYYY-MM-DD`, `from ≤ to`, at most 366 days, the future allowed) and an optional
 * `note` (≤ 500 characters). Pure: no I/O.
 *
 * @example
 * ```ts
 * const input = parseInput(pauseCreateSchema, { from: "2026-12-20", to: "2027-01-03", note: "Holidays" });
 * ```
 */
import { z } from "zod";
import { PAUSE_MAX_DAYS, PAUSE_NOTE_MAX } from "./limits.ts";
import { characters, NOTE_CONTROL } from "./text_rules.ts";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar day written `YYYY-MM-DD`. */
function isDay(value: string): boolean {
  if (!DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** Whole days from `from` to `to`. */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

const daySchema = z.string({ error: "Enter a date as YYYY-MM-DD" }).refine(isDay, "Enter a real date as YYYY-MM-DD");

/** POST /api/pauses. */
export const pauseCreateSchema = z.object({
  // Any string: a malformed or foreign id is a 404 (checked in the database), not a 400.
  habitId: z.string({ error: "Send habitId as a habit's id, or leave it out for every habit" }).trim()
    .transform((id) => id === "" ? null : id).nullish(),
  from: daySchema,
  to: daySchema,
  note: z.string({ error: "Send the note as text" }).trim()
    .refine((text) => characters(text) <= PAUSE_NOTE_MAX, `Keep the note to ${PAUSE_NOTE_MAX} characters or fewer`)
    .refine((text) => !NOTE_CONTROL.test(text), "Remove control characters from the note")
    .nullish(),
}, { error: "Send the fields as one JSON object" }).superRefine((value, ctx) => {
  if (typeof value.from !== "string" || typeof value.to !== "string") return;
  if (!isDay(value.from) || !isDay(value.to)) return;
  if (value.from > value.to) {
    ctx.addIssue({ code: "custom", path: ["to"], message: "End the pause on or after its first day" });
  } else if (daysBetween(value.from, value.to) + 1 > PAUSE_MAX_DAYS) {
    ctx.addIssue({ code: "custom", path: ["to"], message: `A pause lasts at most ${PAUSE_MAX_DAYS} days` });
  }
}, { when: (payload) => typeof payload.value === "object" && payload.value !== null });

export type PauseCreateInput = z.output<typeof pauseCreateSchema>;
