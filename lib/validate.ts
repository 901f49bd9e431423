/**
 * Input validation with every field's problem reported at once: a zod schema in,
 * typed data out, or an `HttpError(400, validation_failed)` whose `details.fields` maps
 * each bad field to a message a person can act on.
 *
 * @example
 * ```ts
 * const input = parseInput(z.object({ name: z.string().trim().min(1, "Enter a name") }), body);
 * // throws HttpError 400 { fields: { name: "Enter a name" } }
 * ```
 */
import { z } from "zod";
import { HttpError } from "fresh";

/** Field path ("schedule.days.0") → the first message for it. */
export type FieldErrors = Record<string, string>;

/** Validates `input`; throws a 400 listing every bad field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = fieldErrors(result.error);
  const count = Object.keys(fields).length;
  throw new HttpError(400, count === 1 ? "One field needs attention" : `${count} fields need attention`, {
    details: { fields },
  });
}

/** The first message per field path of a zod error. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const path = issue.path.length ? issue.path.join(".") : "_";
    fields[path] ??= issue.message;
  }
  return fields;
}

/** The field errors of a validation `HttpError`, or undefined for any other error. */
export function validationFields(error: unknown): FieldErrors | undefined {
  if (!(error instanceof HttpError) || error.status !== 400) return undefined;
  return (error.details?.fields as FieldErrors | undefined) ?? { _: error.message };
}
