/**
 * The rate-limit table names route patterns exactly as the router names them
 * (`ctx.route`): a policy whose pattern no route has would never apply, silently.
 */
import { assertEquals } from "@/tests/support/assert.ts";
import manifest from "@/fresh.gen.ts";
import { isSpecialFile, routePattern } from "@/lib/fresh/route_path.ts";
import { ACTION_POLICIES } from "@/lib/rate_limit/policies.ts";

Deno.test("every rate-limit policy names patterns that routes have", () => {
  const patterns = new Set(
    Object.keys(manifest.routes).filter((file) => !isSpecialFile(file)).map((file) =>
      routePattern(file.slice("routes/".length))
    ),
  );
  const unknown = ACTION_POLICIES.flatMap((policy) =>
    policy.paths.filter((path) => !patterns.has(path)).map((path) => `${policy.action}: ${path}`)
  );
  assertEquals(unknown, [], "policies naming a pattern no route has (rename to the route's pattern, or remove)");
});
