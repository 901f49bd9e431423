/**
 * `Cache-Control: no-store` on every response that depends on the user, tested over the
 * route manifest: every route file, with every method it declares (so a route added
 * later is covered the day it appears), signed in with a token and with a cookie, and
 * signed out; static files keep their own caching.
 */
import { assert, assertEquals } from "@/tests/support/assert.ts";
import manifest from "@/fresh.gen.ts";
import { isSpecialFile, routePattern } from "@/lib/fresh/route_path.ts";
import type { RouteModule } from "fresh";
import { closePasswordWorkers } from "@/lib/auth/password.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser } from "@/tests/support/users.ts";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;

/** The methods a route module answers (a page without a handler answers GET). */
function methodsOf(module: RouteModule): string[] {
  const handler = module.handler;
  if (typeof handler === "function") return [...METHODS];
  const declared = handler && typeof handler === "object" ? Object.keys(handler) : module.default ? ["GET"] : [];
  return METHODS.filter((m) => declared.includes(m) || (m === "HEAD" && declared.includes("GET")));
}

/** The route's URL with a well-formed id that names nothing, for every parameter. */
function pathOf(file: string): string {
  return routePattern(file.slice("routes/".length)).replace(/:\w+/g, crypto.randomUUID()).replace(/\*$/, "x");
}

Deno.test("Cache-Control: no-store on every route and method, signed in or out; static files keep theirs", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const user = await createTestUser(services);
  const routes = Object.entries(manifest.routes).filter(([file]) => !isSpecialFile(file));
  assert(routes.length > 40, `${routes.length} routes in the manifest`);

  try {
    for (
      const [who, headers] of [
        ["a token", user.bearer],
        ["a session cookie", user.session],
        ["nobody", { Origin: services.config.appOrigin }],
      ] as const
    ) {
      await t.step(`requests from ${who}`, async () => {
        const missing: string[] = [];
        for (const [file, module] of routes) {
          for (const method of methodsOf(module)) {
            // Signing out or revoking would end the credential the next requests use.
            if (who === "a session cookie" && method !== "GET" && method !== "HEAD") continue;
            const path = pathOf(file);
            const body = method === "GET" || method === "HEAD" ? undefined : "{}";
            const res = await app.request(path, {
              method,
              headers: { ...headers, ...(body ? { "content-type": "application/json" } : {}) },
              body,
            });
            await res.body?.cancel();
            if (res.headers.get("cache-control") !== "no-store") {
              missing.push(`${method} ${path} → ${res.status} ${res.headers.get("cache-control")}`);
            }
          }
        }
        assertEquals(missing, []);
      });
    }

    await t.step("unknown paths and early refusals (405, 413) are no-store too", async () => {
      const cases: [string, RequestInit][] = [
        ["/api/nothing-here", { headers: user.bearer }],
        ["/nothing-here", { headers: user.session }],
        ["/api/me", { method: "PATCH", headers: user.bearer }],
        ["/api/habits", {
          method: "POST",
          headers: { ...user.bearer, "content-type": "application/json", "content-length": String(2 * 1024 * 1024) },
          body: "x".repeat(2 * 1024 * 1024),
        }],
      ];
      for (const [path, init] of cases) {
        const res = await app.request(path, init);
        await res.body?.cancel();
        assertEquals(res.headers.get("cache-control"), "no-store", `${init.method ?? "GET"} ${path}: ${res.status}`);
      }
    });

    await t.step("static files keep their own caching, for signed-in visitors too", async () => {
      const res = await app.request("/styles.css", { headers: user.session });
      await res.body?.cancel();
      assertEquals(res.status, 200);
      assertEquals(res.headers.get("cache-control"), "public, max-age=0, must-revalidate");
      assert(res.headers.get("etag"));
    });
  } finally {
    closePasswordWorkers();
  }
});
