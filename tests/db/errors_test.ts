import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { DbUnavailableError, isDbBusy, isDbUnavailable, QueryTimeoutError, toDbError } from "@/db/errors.ts";
import { toApiError } from "@/app/error_response.ts";

const withCode = (code: string, message = code, extra: object = {}) =>
  Object.assign(new Error(message), { code, ...extra });

const cases: [string, unknown, boolean][] = [
  ["connection refused", withCode("ECONNREFUSED"), true],
  ["connection reset", withCode("ECONNRESET"), true],
  ["postgres.js connect timeout", withCode("CONNECT_TIMEOUT"), true],
  ["postgres.js connection closed", withCode("CONNECTION_CLOSED"), true],
  ["postgres.js pool ended", withCode("CONNECTION_ENDED"), true],
  ["postgres.js pool destroyed", withCode("CONNECTION_DESTROYED"), true],
  [
    "embedded socket missing",
    withCode("ENOENT", "connect ENOENT", { syscall: "connect" }),
    true,
  ],
  ["a missing file is not an outage", withCode("ENOENT", "open", { syscall: "open" }), false],
  ["server shutting down", withCode("57P01", "terminating connection due to administrator command"), true],
  ["server starting up", withCode("57P03", "the database system is starting up"), true],
  ["too many connections", withCode("53300"), true],
  [
    "PgBouncer: server login failing",
    withCode("08P01", "server login has been failing, try again later (server_login_retry)"),
    true,
  ],
  ["PgBouncer: query_wait_timeout", withCode("08P01", "query_wait_timeout"), true],
  ["PgBouncer: no more connections", new Error("no more connections allowed (max_client_conn)"), true],
  ["PgBouncer: cannot connect", new Error("pgbouncer cannot connect to server"), true],
  ["Deno network error", Object.assign(new Error("refused"), { name: "ConnectionRefused" }), true],
  ["wrapped in a cause", new Error("outer", { cause: withCode("ECONNRESET") }), true],
  ["our own error", new DbUnavailableError(), true],
  ["a query timeout is not an outage", new QueryTimeoutError(300), false],
  ["statement timeout on a healthy server", withCode("57014", "canceling statement due to statement timeout"), false],
  ["unique violation", withCode("23505", "duplicate key value"), false],
  ["syntax error", withCode("42601"), false],
  ["a plain error", new Error("boom"), false],
  ["not an error", "ECONNREFUSED", false],
  ["nothing", undefined, false],
];

for (const [name, error, expected] of cases) {
  Deno.test(`isDbUnavailable: ${name} → ${expected}`, () => {
    equal(isDbUnavailable(error), expected);
  });
}

Deno.test("toDbError wraps outages and keeps everything else as it was", () => {
  const refused = withCode("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432");
  const wrapped = toDbError(refused);
  ok(wrapped instanceof DbUnavailableError);
  equal(wrapped.cause, refused);
  ok(wrapped.message.includes("ECONNREFUSED"));

  const unique = withCode("23505");
  equal(toDbError(unique), unique);
  const timeout = new QueryTimeoutError(10);
  equal(toDbError(timeout), timeout);
});

Deno.test("QueryTimeoutError says what was exceeded and what to do", () => {
  const error = new QueryTimeoutError(10_000);
  equal(error.name, "QueryTimeoutError");
  equal(error.timeoutMs, 10_000);
  deepStrictEqual(
    [error.message.includes("10000 ms"), error.message.includes("longer timeout")],
    [true, true],
  );
});

const busyCases: [string, unknown, boolean][] = [
  ["our own query deadline", new QueryTimeoutError(10_000), true],
  ["the server's statement timeout", withCode("57014", "canceling statement due to statement timeout"), true],
  ["the server's lock timeout", withCode("55P03", "canceling statement due to lock timeout"), true],
  ["a serialization failure", withCode("40001", "could not serialize access"), true],
  ["a deadlock victim", withCode("40P01", "deadlock detected"), true],
  ["wrapped in a cause", new Error("outer", { cause: withCode("55P03") }), true],
  ["unique violation", withCode("23505", "duplicate key value"), false],
  ["a rule of ours", withCode("CG402", "plan limit"), false],
  ["an outage is unavailable, not busy", withCode("ECONNREFUSED"), false],
  ["nothing", undefined, false],
];

for (const [name, error, expected] of busyCases) {
  Deno.test(`isDbBusy: ${name} → ${expected}`, () => {
    equal(isDbBusy(error), expected);
  });
}

Deno.test("toApiError: a busy database is 503 unavailable with Retry-After, never a 500", () => {
  for (const [name, error, busy] of busyCases) {
    if (!busy) continue;
    const http = toApiError(error);
    equal(http.status, 503, name);
    equal(http.code, "unavailable", name);
    ok(Number(http.headers["Retry-After"]) >= 1, name);
  }
});
