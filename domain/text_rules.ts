/**
 * What text a field may hold, shared by every input schema: lengths as people count them,
 * the control characters a one-line field or a multi-line note refuses, and the `HH:MM`
 * time of day, and the zod schema of a one-line text field. Pure.
 *
 * @example
 * ```ts
 * characters("👍 ok"); // 4
 * ONE_LINE_CONTROL.test("a\nb"); // true: a title cannot hold a line break
 * NOTE_CONTROL.test("a\nb"); // false: a note can
 * TIME_OF_DAY.test("07:30"); // true
 * ```
 */
import { z } from "zod";

/** Lengths as people count them: "👍" is one character, not two UTF-16 units. */
export function characters(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** A control character, line breaks and tabs included: what a one-line field (a title, a name) refuses. */
// deno-lint-ignore no-control-regex
export const ONE_LINE_CONTROL = /[\u0000-\u001f\u007f]/;

/** A control character other than tab and line breaks: a note may hold those, never a NUL (Postgres text cannot). */
// deno-lint-ignore no-control-regex
export const NOTE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** A wall-clock time `HH:MM`, 00:00 to 23:59, as reminders store it. */
export const TIME_OF_DAY = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/**
 * A one-line text field (a name, a title): trimmed, 1..`max` characters, no line breaks or
 * control characters; `what` names it in the messages ("Enter a name").
 */
export function oneLineText(what: string, max: number): z.ZodType<string, unknown> {
  return z.string({ error: (issue) => issue.input === undefined ? `Enter ${what}` : `Send ${what} as text` })
    .trim()
    .refine((text) => text.length > 0, `Enter ${what}`)
    .refine((text) => characters(text) <= max, `Keep ${what} to ${max} characters or fewer`)
    .refine((text) => !ONE_LINE_CONTROL.test(text), `Remove line breaks and control characters from ${what}`);
}
