import { assertEquals } from "@/tests/support/assert.ts";
import { rateLimitHeaders, retryAfterHeader } from "@/lib/rate_limit/headers.ts";

Deno.test("RateLimit-Policy and RateLimit follow the httpapi draft's q/w and r/t parameters", () => {
  assertEquals(
    rateLimitHeaders([{ name: "habits.create", limit: 100, windowMs: 60_000, remaining: 42, resetMs: 17_200 }]),
    { "RateLimit-Policy": '"habits.create";q=100;w=60', "RateLimit": '"habits.create";r=42;t=18' },
  );
});

Deno.test("several policies become one list per header; none gives no headers", () => {
  const headers = rateLimitHeaders([
    { name: "login-ip", limit: 10, windowMs: 60_000, remaining: 9, resetMs: 60_000 },
    { name: "login-email", limit: 5, windowMs: 60_000, remaining: 0, resetMs: 1 },
  ]);
  assertEquals(headers["RateLimit-Policy"], '"login-ip";q=10;w=60, "login-email";q=5;w=60');
  assertEquals(headers["RateLimit"], '"login-ip";r=9;t=60, "login-email";r=0;t=1');
  assertEquals(rateLimitHeaders([]), {});
});

Deno.test("Retry-After header: whole seconds ≥ 1", () => {
  assertEquals(retryAfterHeader(30_001), { "Retry-After": "31" });
  assertEquals(retryAfterHeader(3), { "Retry-After": "1" });
});
