import { assertEquals } from "../../support/assert.ts";
import { policiesFor } from "../../../lib/rate_limit/policies.ts";

const actions = (method: string, path: string) => policiesFor(method, path).map((p) => p.action);

Deno.test("policies match like routes: the most specific pattern wins, several policies of one pattern all apply", () => {
  assertEquals(actions("POST", "/goals/pin"), ["goals.pin"]);
  assertEquals(actions("POST", "/goals/3f1c0b9e-0000-4000-8000-000000000001"), ["goals.update"]);
  assertEquals(actions("PATCH", "/api/goals/pin"), ["goals.pin"]);
  assertEquals(actions("POST", "/api/auth/login").sort(), ["login-email", "login-ip"]);
  assertEquals(actions("GET", "/api/goals"), []);
});
