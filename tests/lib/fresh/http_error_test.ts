/**
 * `HttpError` has Fresh 2's shape (packages/fresh/src/error.ts): `(status, message?,
 * options?: ErrorOptions)`, with `status`, `message`, `cause` and the class's `name`, and
 * nothing of the app's (no code, details or headers), so a move to real Fresh changes
 * only the import. The app's `ApiError` adds those on top.
 */
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { HttpError, MethodNotAllowedError } from "fresh";
import { ApiError, codeForStatus } from "@/app/api_error.ts";

Deno.test("HttpError: Fresh 2's constructor — status, message, ErrorOptions — and nothing else", () => {
  const cause = new Error("the database went away");
  const error = new HttpError(404, "No habit with that id", { cause });
  assert(error instanceof Error);
  assertEquals(error.status, 404);
  assertEquals(error.message, "No habit with that id");
  assertEquals(error.cause, cause);
  assertEquals(error.name, "HttpError");
  assertEquals(HttpError.length, 3, "three parameters: status, message, options");
  // Fresh passes the message through: none given is the empty string, not our wording.
  assertEquals(new HttpError(401).message, "");
  assert(!("cause" in new HttpError(500)), "no options → no cause property, as with Error");
  // Exactly Fresh's own fields: Error's plus `status`.
  assertEquals(Object.keys(new HttpError(409, "x")).sort(), ["name", "status"]);
  for (const appField of ["code", "details", "headers"]) {
    assert(!(appField in error), `HttpError has no ${appField}`);
  }
});

Deno.test("MethodNotAllowedError: a bare 405 that lists the route's methods", () => {
  const error = new MethodNotAllowedError(["GET", "HEAD", "OPTIONS"], "POST is not allowed on /x");
  assert(error instanceof HttpError);
  assertEquals([error.status, error.message, error.allow], [405, "POST is not allowed on /x", [
    "GET",
    "HEAD",
    "OPTIONS",
  ]]);
  assert(!("headers" in error) && !("code" in error));
});

Deno.test("ApiError: an HttpError with API.md's code, default wording, details and headers", () => {
  const plain = new ApiError(429);
  assert(plain instanceof HttpError);
  assertEquals(
    [plain.status, plain.code, plain.message, plain.details, plain.headers, plain.name],
    [429, "rate_limited", "Too many requests: slow down", undefined, {}, "ApiError"],
  );
  assert(!("cause" in plain), "a chosen refusal has no cause (the error log tells them apart)");
  const cause = new Error("down");
  const full = new ApiError(402, "Three habits on the free plan", {
    code: "plan_limit",
    details: { upgradeUrl: "/upgrade" },
    headers: { "Retry-After": "5" },
    cause,
  });
  assertEquals(
    [full.message, full.code, full.details, full.headers, full.cause],
    ["Three habits on the free plan", "plan_limit", { upgradeUrl: "/upgrade" }, { "Retry-After": "5" }, cause],
  );
  assertEquals(new ApiError(418, "").message, "Error", "an empty message gets a wording too");
  assertEquals([codeForStatus(400), codeForStatus(418), codeForStatus(502)], [
    "validation_failed",
    "bad_request",
    "internal",
  ]);
});
