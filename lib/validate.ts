/**
 * Input validation with every field's problem reported at once: a zod schema in,
 * typed data out, or a {@linkcode ValidationError} (400, `validation_failed`) whose
 * `details.fields` maps each bad field to a message a person can act on.
 *
 * @example
 * ```ts
 * const input = parseInput(z.object({ name: z.string().trim().min(1, "Enter a name") }), body);
 * // throws ValidationError: 400 { fields: { name: "Enter a name" } }
 * ```
 */
import { z } from "zod";
import { HttpError } from "fresh";

/** Field path ("schedule.days.0") → the first message for it. */
export type FieldErrors = Record<string, string>;

/**
 * A 400 naming every bad field. Its `details` has the envelope's shape (`{ fields }`), the
 * same as an app `ApiError`'s, so the error handler and the forms read both alike; `lib/`
 * cannot import the app's error type, so infrastructure throws this one.
 */
export class ValidationError extends HttpError {
  /** `{ fields }`: field path → what is wrong with it. */
  readonly details: { fields: FieldErrors };

  constructor(fields: FieldErrors, message?: string, options?: ErrorOptions) {
    const count = Object.keys(fields).length;
    super(400, message ?? (count === 1 ? "One field needs attention" : `${count} fields need attention`), options);
    this.details = { fields };
  }
}

/** Validates `input`; throws a {@linkcode ValidationError} listing every bad field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(fieldErrors(result.error));
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

/**
 * The field errors of a 400 `HttpError` — its `details.fields` (a {@linkcode ValidationError}
 * or an app `ApiError` that names fields), else its message as the form's (`_`) — or
 * undefined for any other error.
 */
export function validationFields(error: unknown): FieldErrors | undefined {
  if (!(error instanceof HttpError) || error.status !== 400) return undefined;
  const { details } = error as { details?: { fields?: unknown } };
  const fields = details?.fields;
  return fields && typeof fields === "object" ? fields as FieldErrors : { _: error.message };
}
