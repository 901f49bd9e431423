import { assertEquals } from "@/tests/support/assert.ts";
import { isStateChangingGet, policiesFor } from "@/lib/rate_limit/policies.ts";

const actions = (method: string, route: string) => policiesFor(method, route).map((p) => p.action);

Deno.test("policies key on the matched route pattern; several policies of one pattern all apply", () => {
  assertEquals(actions("POST", "/goals/pin"), ["goals.pin"]);
  assertEquals(actions("POST", "/goals/:id"), ["goals.update"]);
  assertEquals(actions("PATCH", "/api/goals/pin"), ["goals.pin"]);
  assertEquals(actions("POST", "/api/auth/login").sort(), ["login-email", "login-ip"]);
  assertEquals(actions("GET", "/api/goals"), []);
});

Deno.test("import: 5 per minute, the API and the /export form share one budget", () => {
  for (const path of ["/api/import", "/export"]) {
    assertEquals(policiesFor("POST", path).map((p) => [p.action, p.limit, p.subject]), [["import", 5, "user"]]);
  }
  // Viewing the page spends nothing.
  assertEquals(actions("GET", "/export"), []);
});

Deno.test("state-changing GETs are declared on their policy: the export download, nothing else", () => {
  assertEquals(isStateChangingGet("GET", "/api/export"), true);
  assertEquals(isStateChangingGet("HEAD", "/api/export"), true);
  for (const path of ["/api/habits", "/export", "/api/me", "/api/activity"]) {
    assertEquals(isStateChangingGet("GET", path), false);
  }
  // A write is a write anyway: the question is only asked of GET and HEAD.
  assertEquals(isStateChangingGet("POST", "/api/import"), false);
});
