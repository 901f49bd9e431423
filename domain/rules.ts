/**
 * Business-rule violations raised by the Postgres functions in `sql/`, as one error
 * type the app maps to a status. A function signals a rule with a custom SQLSTATE and
 * a message meant for the user:
 *
 * ```sql
 * raise exception 'You have reached your plan''s limit of % active habits', v_max
 *   using errcode = 'CG402';
 * ```
 *
 * | SQLSTATE | kind | HTTP |
 * |---|---|---|
 * | CG400 | invalid | 400 validation_failed |
 * | CG402 | plan_limit | 402 plan_limit |
 * | CG404 | not_found | 404 not_found |
 * | CG409 | conflict | 409 conflict |
 */

export type RuleKind = "invalid" | "plan_limit" | "not_found" | "conflict";

const KINDS: Record<string, RuleKind> = {
  CG400: "invalid",
  CG402: "plan_limit",
  CG404: "not_found",
  CG409: "conflict",
};

/** A rule a Postgres function refused; `message` is for the user. */
export class RuleViolation extends Error {
  override name = "RuleViolation";
  constructor(readonly kind: RuleKind, message: string, readonly detail?: string) {
    super(message);
  }
}

/** The {@linkcode RuleViolation} behind a postgres.js error, if it is one. */
export function asRuleViolation(error: unknown): RuleViolation | undefined {
  if (error instanceof RuleViolation) return error;
  if (typeof error !== "object" || error === null) return undefined;
  const { code, message, detail } = error as { code?: unknown; message?: unknown; detail?: unknown };
  const kind = typeof code === "string" ? KINDS[code] : undefined;
  if (!kind) return undefined;
  return new RuleViolation(kind, String(message), typeof detail === "string" ? detail : undefined);
}
