/**
 * One rule → status table (`RULE_STATUS` in domain/rules.ts): the SQLSTATE a Postgres
 * function raises, the JSON envelope and error page (`toApiError`), and the page forms
 * (`formProblems`, `formFailure`) all answer a rule violation with the same status.
 */
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { asRuleViolation, RULE_KINDS, RULE_STATUS, RuleViolation } from "@/domain/rules.ts";
import { toApiError } from "@/app/error_response.ts";
import { codeForStatus } from "@/app/api_error.ts";
import { formFailure } from "@/app/account_form.ts";
import { formProblems } from "@/components/form_problems.ts";

/** The kinds a page form shows itself (the rest become the error page). */
const FORM_KINDS = new Set(["invalid", "plan_limit"]);

Deno.test("rule status: every kind has one 4xx, and its SQLSTATE is CG<status>", () => {
  assertEquals(RULE_KINDS.sort(), ["conflict", "invalid", "not_found", "plan_limit"]);
  for (const kind of RULE_KINDS) {
    const status = RULE_STATUS[kind];
    assert(status >= 400 && status < 500, `${kind} → ${status}`);
    const raised = asRuleViolation({ code: `CG${status}`, message: "from SQL", detail: "d" });
    assertEquals([raised?.kind, raised?.message, raised?.detail], [kind, "from SQL", "d"]);
  }
  for (const code of ["CG500", "CG401", "23514", "constructor", "__proto__", "toString"]) {
    assertEquals(asRuleViolation({ code, message: "x" }), undefined, code);
  }
});

Deno.test("rule status: the error handler and the page forms answer every kind with the table's status", () => {
  for (const kind of RULE_KINDS) {
    const status = RULE_STATUS[kind];
    const violation = new RuleViolation(kind, `broke ${kind}`);
    const api = toApiError(violation);
    assertEquals([api.status, api.code, api.message], [status, codeForStatus(status), `broke ${kind}`], kind);
    assertEquals(api.details, kind === "plan_limit" ? { upgradeUrl: "/upgrade" } : undefined, kind);
    // The same through a postgres.js-shaped error, as the db layer rethrows it.
    assertEquals(toApiError({ code: `CG${status}`, message: "m" }).status, status, kind);

    const problems = formProblems(violation);
    const expected = FORM_KINDS.has(kind) ? { status, errors: { _: `broke ${kind}` } } : undefined;
    assertEquals<unknown>(problems, expected, kind);
  }
  assertEquals(formFailure(new RuleViolation("conflict", "taken"), "email"), {
    status: RULE_STATUS.conflict,
    errors: { email: "taken" },
  });
  assertEquals(formFailure(new RuleViolation("invalid", "no")), { status: RULE_STATUS.invalid, errors: { _: "no" } });
});
