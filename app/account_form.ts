/**
 * The account forms' HTTP side: a new password checked against the strength estimator
 * (in the password workers), where to go after logging in, and what a failed form shows.
 * The schemas themselves are pure rules in `domain/account_input.ts`.
 *
 * @module
 */
import type { z } from "zod";
import { asRuleViolation, RULE_STATUS } from "@/domain/rules.ts";
import { passwordStrength } from "@/lib/auth/password.ts";
import { weakPasswordReason } from "@/lib/auth/password_strength.ts";
import { HttpError, safeLocalPath } from "fresh";
import { type FieldErrors, fieldErrors, ValidationError, validationFields } from "@/lib/validate.ts";

/**
 * Parses `data` with `schema` and checks the new password in `field` against the
 * strength estimator (in the password workers), reporting every problem at once: the
 * schema's and the estimator's reason on `field`, and also on each of `alsoAs` (the API
 * reports a weak password on `password` whatever the body calls it). `userInputs` are
 * words the password must not lean on (the user's e-mail, name).
 *
 * @example
 * ```ts
 * const input = await parseWithNewPassword(signupSchema, body, { field: "password", userInputs: [body.email] });
 * ```
 */
export async function parseWithNewPassword<T extends z.ZodType>(
  schema: T,
  data: Record<string, unknown>,
  options: { field: string; userInputs?: unknown[]; alsoAs?: string[] },
): Promise<z.infer<T>> {
  const result = schema.safeParse(data);
  const fields = result.success ? {} : fieldErrors(result.error);
  const password = data[options.field];
  if (typeof password === "string" && fields[options.field] === undefined) {
    const userInputs = (options.userInputs ?? []).filter((input): input is string => typeof input === "string");
    const reason = weakPasswordReason(await passwordStrength(password, userInputs));
    if (reason) fields[options.field] = reason;
  }
  const count = Object.keys(fields).length;
  if (count === 0) return (result as { data: z.infer<T> }).data;
  if (fields[options.field] !== undefined) {
    for (const alias of options.alsoAs ?? []) fields[alias] ??= fields[options.field];
  }
  throw new ValidationError(fields);
}

/**
 * Where to go after logging in: `next` when it is a local path (never another site,
 * never back to the log-in or sign-up page), else the dashboard.
 */
export function afterLoginPath(next: unknown): string {
  if (typeof next !== "string" || next === "") return "/app";
  const path = safeLocalPath(next);
  if (path === "/" && next !== "/") return "/app"; // refused: not a local path
  if (/^\/(login|signup|logout|forgot-password|reset-password)(?=[/?#]|$)/.test(path)) return "/app";
  return path;
}

/**
 * What a page form shows for a failed submission: every bad field (validation), the
 * e-mail field for a taken address (`conflictField`), or a form-level message (`_`)
 * for a rule the database refused. Undefined for any other error, which the caller
 * rethrows.
 *
 * @example
 * ```ts
 * const failed = formFailure(error, "email");
 * if (!failed) throw error;
 * return page({ values, errors: failed.errors }, { status: failed.status });
 * ```
 */
export function formFailure(
  error: unknown,
  conflictField = "_",
): { status: number; errors: FieldErrors } | undefined {
  const fields = validationFields(error);
  if (fields) return { status: 400, errors: fields };
  if (error instanceof HttpError) return undefined;
  const rule = asRuleViolation(error);
  if (rule?.kind === "conflict") return { status: RULE_STATUS.conflict, errors: { [conflictField]: rule.message } };
  if (rule?.kind === "invalid") return { status: RULE_STATUS.invalid, errors: { _: rule.message } };
  return undefined;
}
