/**
 * The real Sentry SDK against a local ingest server: events arrive with the request's
 * tags and without any secret the request carried. `initSentry` is process-global, so
 * these tests live in their own file and start the SDK once.
 */
import * as Sentry from "@sentry/deno";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { HttpError } from "@/lib/fresh/http_error.ts";
import { setLogSink } from "@/lib/log.ts";
import { flushSentry, initSentry, sentryEnabled } from "@/lib/sentry.ts";
import { define } from "@/app/state.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { eventWhere, startIngest, tagsOf } from "@/tests/support/sentry_ingest.ts";
import { createTestUser } from "@/tests/support/users.ts";

const routes = {
  "routes/api/sentry/boom.ts": {
    handler: define.handlers({
      GET() {
        throw new Error("kaboom from a route");
      },
    }),
  },
  "routes/api/sentry/gateway.ts": {
    handler: define.handlers({
      GET() {
        return Response.json({ upstream: "down" }, { status: 502 });
      },
    }),
  },
  "routes/api/sentry/outage.ts": {
    handler: define.handlers({
      GET() {
        throw new HttpError(503, "Database unavailable");
      },
    }),
  },
  "routes/api/sentry/leaky.ts": {
    handler: define.handlers({
      async POST(ctx) {
        const body = await ctx.req.json();
        Sentry.addBreadcrumb({ category: "fetch", message: `GET ${ctx.url.pathname}${ctx.url.search}` });
        throw new Error(`login failed with password=${body.password}`);
      },
    }),
  },
};

Deno.test({
  name: "Sentry: real SDK against a local ingest server",
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const ingest = startIngest();
  // The 5xx below are expected: keep their error lines out of the test output.
  const restoreLogs = setLogSink(() => {});
  await using test = await startTestApp({
    routes,
    // Traces on, so transactions (with their request headers) must be clean too.
    config: { sentryDsn: ingest.dsn, sentryEnvironment: "test-env", version: "rel-42", sentryTracesSampleRate: 1 },
  });
  const user = await createTestUser(test.services);

  await t.step("without a DSN: nothing starts, nothing is sent, requests still answer", async () => {
    assertEquals(await initSentry({ ...test.services.config, sentryDsn: undefined }), false);
    assertEquals(sentryEnabled(), false);
    const res = await test.app.request("/api/sentry/boom", { headers: user.bearer });
    assertEquals(res.status, 500);
    await res.body?.cancel();
    assertEquals(await flushSentry(100), true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assertEquals(ingest.raw.length, 0);
  });

  assertEquals(await initSentry(test.services.config), true);
  assertEquals(await initSentry(test.services.config), true, "idempotent");
  // Served through Deno.serve after init, as in production: the SDK wraps the handler.
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, test.app.fetch);
  const base = `http://127.0.0.1:${server.addr.port}`;

  try {
    await t.step("a route that throws → 500 and an event tagged with request id, route, release, user id", async () => {
      const res = await fetch(`${base}/api/sentry/boom`, { headers: user.bearer });
      assertEquals(res.status, 500);
      const body = await res.json();
      const requestId = res.headers.get("x-request-id")!;
      assertEquals(body.error.requestId, requestId);
      const event = await eventWhere(ingest.events, (e) => tagsOf(e).request_id === requestId);
      assert(event, "an event for the request arrived");
      assertEquals(tagsOf(event).route, "/api/sentry/boom");
      assertEquals(tagsOf(event).method, "GET");
      assertEquals(tagsOf(event).status, "500");
      assertEquals(event.release, "rel-42");
      assertEquals(event.environment, "test-env");
      assertEquals(event.level, "error");
      assertEquals((event.user as { id?: string }).id, user.id);
      assertEquals(JSON.stringify(event).includes(user.email), false, "no e-mail");
      const exception = (event.exception as { values: { value: string }[] }).values[0];
      assertEquals(exception.value, "kaboom from a route");
    });

    await t.step("a 5xx returned without throwing is captured once", async () => {
      const res = await fetch(`${base}/api/sentry/gateway`, { headers: { "X-Request-Id": "gw-1" } });
      assertEquals(res.status, 502);
      await res.body?.cancel();
      const event = await eventWhere(ingest.events, (e) => tagsOf(e).request_id === "gw-1");
      assert(event, "an event for the 502 arrived");
      assertEquals([tagsOf(event).route, tagsOf(event).status], ["/api/sentry/gateway", "502"]);
      assertEquals(event.fingerprint, ["server-error-response", "/api/sentry/gateway", "502"]);
      const exception = (event.exception as { values: { type: string }[] }).values[0];
      assertEquals(exception.type, "ServerErrorResponse");
      assertEquals(ingest.events().filter((e) => tagsOf(e).request_id === "gw-1").length, 1);
    });

    await t.step("a 503 outage is captured as a warning, once", async () => {
      const res = await fetch(`${base}/api/sentry/outage`, { headers: { "X-Request-Id": "outage-1" } });
      assertEquals(res.status, 503);
      await res.body?.cancel();
      const event = await eventWhere(ingest.events, (e) => tagsOf(e).request_id === "outage-1");
      assert(event, "an event for the 503 arrived");
      assertEquals(event.level, "warning");
      assertEquals(ingest.events().filter((e) => tagsOf(e).request_id === "outage-1").length, 1);
    });

    await t.step("cookies, authorization, token query and body passwords never leave", async () => {
      const token = user.bearer.Authorization.replace(/^Bearer\s+/, "");
      const res = await fetch(`${base}/api/sentry/leaky?token=SECRET3abc&page=2`, {
        method: "POST",
        headers: {
          ...user.bearer,
          "Cookie": "session=SECRET1abc; theme=dark",
          "Content-Type": "application/json",
          "X-Request-Id": "leaky-1",
        },
        body: JSON.stringify({ email: "x@example.test", password: "SECRET4abc" }),
      });
      assertEquals(res.status, 500);
      await res.body?.cancel();
      const event = await eventWhere(ingest.events, (e) => tagsOf(e).request_id === "leaky-1");
      assert(event, "an event for the request arrived");
      await flushSentry(3_000);
      const raw = ingest.raw.join("\n");
      assert(raw.includes('"type":"transaction"'), "transactions were sent too");
      for (const secret of ["SECRET1abc", token, "SECRET3abc", "SECRET4abc"]) {
        assertEquals(raw.includes(secret), false, `the envelopes contain ${secret.slice(0, 8)}…`);
      }
      assertEquals(raw.includes("x@example.test"), false, "no request body");
    });

    await t.step("POST /api/monitoring forwards a client error tagged source=client with the user id", async () => {
      const res = await fetch(`${base}/api/monitoring`, {
        method: "POST",
        headers: { ...user.session, "Content-Type": "application/json", "X-Request-Id": "client-1" },
        body: JSON.stringify({
          message: "TypeError: x is undefined",
          stack: "at Counter (island-Counter.js:1:20)",
          url: "http://localhost/app?token=SECRET5abc",
          island: "Counter",
          userAgent: "TestBrowser/1",
        }),
      });
      assertEquals(res.status, 202);
      assertEquals(res.headers.get("content-type"), "application/json");
      assertEquals(await res.json(), { accepted: true });
      const event = await eventWhere(ingest.events, (e) => tagsOf(e).request_id === "client-1");
      assert(event, "the client event arrived");
      assertEquals([tagsOf(event).source, tagsOf(event).island], ["client", "Counter"]);
      assertEquals(event.message, "TypeError: x is undefined");
      assertEquals((event.user as { id?: string }).id, user.id);
      assertEquals(ingest.raw.join("\n").includes("SECRET5abc"), false);
    });

    await t.step("POST /api/monitoring: oversize → 413, invalid → 400 with every field, not JSON → 415", async () => {
      const big = await fetch(`${base}/api/monitoring`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ message: "x", stack: "y".repeat(20_000) }),
      });
      assertEquals(big.status, 413);
      assertEquals((await big.json()).error.code, "payload_too_large");

      const invalid = await fetch(`${base}/api/monitoring`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ message: "", island: 42 }),
      });
      assertEquals(invalid.status, 400);
      const body = await invalid.json();
      assertEquals(body.error.code, "validation_failed");
      assertEquals(Object.keys(body.error.details.fields).sort(), ["island", "message"]);

      const text = await fetch(`${base}/api/monitoring`, { method: "POST", body: "oops" });
      assertEquals(text.status, 415);
      await text.body?.cancel();
    });
  } finally {
    await server.shutdown();
    await Sentry.close(2_000);
    await ingest.server.shutdown();
    restoreLogs();
  }
});
