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
 * The SQLSTATE is `CG` followed by the HTTP status the rule answers with, so one table,
 * {@linkcode RULE_STATUS}, gives both: the error handler (JSON envelope and error page)
 * and the page forms read the status from it.
 *
 * | SQLSTATE | kind | HTTP |
 * |---|---|---|
 * | CG400 | invalid | 400 validation_failed |
 * | CG402 | plan_limit | 402 plan_limit |
 * | CG404 | not_found | 404 not_found |
 * | CG409 | conflict | 409 conflict |
 */

/** Each kind of rule violation → the HTTP status it answers with (and `CG<status>` is its SQLSTATE). */
export const RULE_STATUS = {
  invalid: 400,
  plan_limit: 402,
  not_found: 404,
  conflict: 409,
} as const;

/** What kind of rule was broken. */
export type RuleKind = keyof typeof RULE_STATUS;

/** Every {@linkcode RuleKind}, in the table's order. */
export const RULE_KINDS = Object.keys(RULE_STATUS) as RuleKind[];

/** SQLSTATE (`CG400`…) → kind; a Map, so a code such as `constructor` finds nothing. */
const KINDS = new Map<string, RuleKind>(RULE_KINDS.map((kind) => [`CG${RULE_STATUS[kind]}`, kind]));

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
  const kind = typeof code === "string" ? KINDS.get(code) : undefined;
  if (!kind) return undefined;
  return new RuleViolation(kind, String(message), typeof detail === "string" ? detail : undefined);
}
