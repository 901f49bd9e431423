/**
 * What a page form shows when saving fails for a reason the user can fix: the fields
 * that failed validation, or the rule a Postgres function refused (a day out of range,
 * the plan's habit limit). Anything else is not the form's business and is rethrown
 * by the caller, to become the error page.
 *
 * @example
 * ```ts
 * try {
 *   await save();
 * } catch (error) {
 *   const problems = formProblems(error);
 *   if (!problems) throw error;
 *   return page({ values, errors: problems.errors }, { status: problems.status });
 * }
 * ```
 */
import { asRuleViolation, RULE_STATUS } from "@/domain/rules.ts";
import { type FieldErrors, validationFields } from "@/lib/validate.ts";

export interface FormProblems {
  /** 400 for bad input, 402 for the plan's limit (`RULE_STATUS`). */
  status: 400 | 402;
  /** Field → message; `_` for the form as a whole. */
  errors: FieldErrors;
}

export function formProblems(error: unknown): FormProblems | undefined {
  const fields = validationFields(error);
  if (fields) return { status: 400, errors: fields };
  const rule = asRuleViolation(error);
  if (rule?.kind === "invalid" || rule?.kind === "plan_limit") {
    return { status: RULE_STATUS[rule.kind], errors: { _: rule.message } };
  }
  return undefined;
}
