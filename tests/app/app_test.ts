import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { ApiError } from "@/app/api_error.ts";
import { setLogLevel, setLogSink } from "@/lib/log.ts";
import { startTestApp } from "@/tests/support/app.ts";

/** Collects log lines while `fn` runs. */
async function captureLogs<T>(fn: () => T | Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const restore = setLogSink((_level, line) => lines.push(JSON.parse(line)));
  setLogLevel("info");
  try {
    return { result: await fn(), lines };
  } finally {
    setLogLevel("warn");
    restore();
  }
}

const extraRoutes = {
  "routes/api/boom.ts": {
    handler: () => {
      throw new Error("db password=hunter2 leaked in a message");
    },
  },
  "routes/boom.tsx": {
    handler: () => {
      throw new TypeError("something internal");
    },
  },
  "routes/api/teapot.ts": {
    handler: () => {
      throw new ApiError(409, "Already there", { details: { name: "taken" } });
    },
  },
  "routes/api/slow.ts": {
    handler: async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_050));
      return Response.json({ ok: true });
    },
  },
};

Deno.test("app pipeline", async (t) => {
  await using test = await startTestApp({ routes: extraRoutes });
  const { app } = test;

  await t.step("every response carries a request id; a well-formed inbound one is kept", async () => {
    const fresh = await app.request("/api/health");
    assertMatch(fresh.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);
    const kept = await app.request("/api/health", { headers: { "X-Request-Id": "edge.abc_123-x" } });
    assertEquals(kept.headers.get("x-request-id"), "edge.abc_123-x");
    for (const bad of ["has space", "x".repeat(129), "semi;colon"]) {
      const replaced = await app.request("/api/health", { headers: { "X-Request-Id": bad } });
      assert(replaced.headers.get("x-request-id") !== bad);
    }
    const missing = await app.request("/nowhere");
    assertMatch(missing.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);
  });

  await t.step("one JSON log line per request, with route and status, and no secrets", async () => {
    const { lines } = await captureLogs(() =>
      app.request("/api/health?token=abc", {
        headers: { Cookie: "session=s3cr3t-cookie", Authorization: "Bearer s3cr3t-token", "X-Request-Id": "log-1" },
      })
    );
    const requestLines = lines.filter((line) => line.msg === "request");
    assertEquals(requestLines.length, 1);
    const line = requestLines[0];
    assertEquals([line.requestId, line.method, line.route, line.status], ["log-1", "GET", "/api/health", 200]);
    assertEquals(typeof line.durationMs, "number");
    assertEquals(typeof line.time, "string");
    const raw = JSON.stringify(lines);
    assertEquals(raw.includes("s3cr3t"), false);
    assertEquals(raw.includes("token=abc"), false);
  });

  await t.step("requests over 1 s are logged as warnings", async () => {
    const { lines } = await captureLogs(() => app.request("/api/slow"));
    assertEquals(lines.filter((line) => line.msg === "request.slow" && line.level === "warn").length, 1);
  });

  await t.step("health: no I/O, version and uptime", async () => {
    const res = await app.request("/api/health");
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "application/json");
    const body = await res.json();
    assertEquals(body.status, "ok");
    assertEquals(body.version, "test");
    assertEquals(typeof body.uptimeS, "number");
  });

  await t.step("deep health: DB round trip and KV write/read, each with latency", async () => {
    const res = await app.request("/api/health/deep");
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals(body.status, "ok");
    assertEquals(body.checks.db.status, "ok");
    assertEquals(body.checks.kv.status, "ok");
    assert(body.checks.db.latencyMs >= 0 && body.checks.kv.latencyMs >= 0);
  });

  await t.step("secure headers: a CSP with a per-request nonce that the island script carries", async () => {
    // The sign-up page hydrates one island (the timezone picker).
    const a = await app.request("/signup");
    const b = await app.request("/signup");
    const csp = a.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert(nonce, csp);
    assertStringIncludes(csp, "object-src 'none'");
    assertStringIncludes(csp, "frame-ancestors 'none'");
    assert(nonce !== /'nonce-([^']+)'/.exec(b.headers.get("content-security-policy")!)?.[1]);
    assertEquals(a.headers.get("x-content-type-options"), "nosniff");
    const html = await a.text();
    assertStringIncludes(html, `<script type="module" nonce="${nonce}"`);
  });

  await t.step("every answer carries the whole security header set; only HTML names a nonce", async () => {
    const page = await app.request("/signup");
    await page.body?.cancel();
    const json = await app.request("/api/health");
    await json.body?.cancel();
    const redirect = await app.request("/app");
    await redirect.body?.cancel();
    for (const res of [page, json, redirect]) {
      for (
        const [name, value] of [
          ["cross-origin-resource-policy", "same-origin"],
          ["cross-origin-opener-policy", "same-origin"],
          ["origin-agent-cluster", "?1"],
          ["referrer-policy", "strict-origin-when-cross-origin"],
          ["x-content-type-options", "nosniff"],
          ["x-dns-prefetch-control", "off"],
          ["x-download-options", "noopen"],
          ["x-frame-options", "SAMEORIGIN"],
          ["x-permitted-cross-domain-policies", "none"],
          ["x-xss-protection", "0"],
          ["cache-control", "no-store"],
        ]
      ) assertEquals(res.headers.get(name), value, `${res.url} ${name}`);
      assertStringIncludes(res.headers.get("content-security-policy")!, "frame-ancestors 'none'");
    }
    assertEquals(
      json.headers.get("content-security-policy"),
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    );
    assertMatch(page.headers.get("content-security-policy")!, /script-src 'self' 'nonce-[A-Za-z0-9+/=]+';/);
    assert(redirect.status >= 300 && redirect.status < 400, `a redirect: ${redirect.status}`);
  });

  await t.step("no demo is served: /demo is a 404 and no Counter island ships", async () => {
    assertEquals((await app.request("/demo")).status, 404);
    const manifest = (await import("@/fresh.gen.ts")).default;
    assertEquals(Object.keys(manifest.islands).filter((file) => /counter/i.test(file)), []);
  });

  await t.step("the landing page ships no JavaScript at all", async () => {
    const res = await app.request("/");
    assertEquals(res.status, 200);
    const html = await res.text();
    assertStringIncludes(html, "Build habits you can see.");
    assertEquals(/<script|modulepreload/i.test(html), false);
  });

  await t.step("bodies over 1 MiB → 413 envelope, by Content-Length and when streamed", async () => {
    const big = new Uint8Array(1024 * 1024 + 1);
    const res = await app.request("/api/health", {
      method: "POST",
      body: big,
      headers: { "content-type": "application/json" },
    });
    assertEquals(res.status, 413);
    assertEquals((await res.json()).error.code, "payload_too_large");
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 17; i++) controller.enqueue(new Uint8Array(64 * 1024));
        controller.close();
      },
    });
    const streamed = await app.request("/api/health", { method: "POST", body: stream, duplex: "half" } as RequestInit);
    assertEquals(streamed.status, 413);
  });

  await t.step("unknown /api paths → 404 JSON; unknown pages → 404 HTML; Accept decides elsewhere", async () => {
    const api = await app.request("/api/nope");
    assertEquals(api.status, 404);
    assertEquals(await api.json(), { error: { code: "not_found", message: "No page at /api/nope" } });
    const page = await app.request("/nope", { headers: { Accept: "text/html" } });
    assertEquals(page.status, 404);
    assertEquals(page.headers.get("content-type"), "text/html; charset=utf-8");
    assertStringIncludes(await page.text(), "Page not found");
    const json = await app.request("/nope", { headers: { Accept: "application/json" } });
    assertEquals((await json.json()).error.code, "not_found");
  });

  await t.step("wrong method → 405 envelope with Allow", async () => {
    const res = await app.request("/api/health", { method: "DELETE" });
    assertEquals(res.status, 405);
    assertEquals(res.headers.get("allow"), "GET, HEAD, OPTIONS");
    assertEquals((await res.json()).error.code, "method_not_allowed");
    const page = await app.request("/login", { method: "DELETE", headers: { Accept: "text/html" } });
    assertEquals(page.status, 405);
    assertStringIncludes(page.headers.get("content-type")!, "text/html");
    assertEquals(page.headers.get("allow"), "GET, HEAD, POST, OPTIONS");
    await page.body?.cancel();
  });

  await t.step("ApiError keeps its status, code and details", async () => {
    const res = await app.request("/api/teapot");
    assertEquals(res.status, 409);
    assertEquals(await res.json(), {
      error: { code: "conflict", message: "Already there", details: { name: "taken" } },
    });
  });

  await t.step("unexpected errors → 500 with the request id, never the message", async () => {
    const { result: res, lines } = await captureLogs(() =>
      app.request("/api/boom", { headers: { "X-Request-Id": "boom-1" } })
    );
    assertEquals(res.status, 500);
    assertEquals(await res.json(), {
      error: { code: "internal", message: "Something went wrong on our side", requestId: "boom-1" },
    });
    const failed = lines.find((line) => line.msg === "request.failed")!;
    assertEquals(failed.requestId, "boom-1");
    const page = await app.request("/boom", { headers: { "X-Request-Id": "boom-2" } });
    assertEquals(page.status, 500);
    const html = await page.text();
    assertStringIncludes(html, "<code>boom-2</code>");
    assertEquals(html.includes("something internal"), false);
  });
});

Deno.test("pages and assets are compressed for clients that accept gzip; JSON is left alone", async () => {
  await using test = await startTestApp();
  const page = await test.app.request("/", { headers: { "Accept-Encoding": "gzip" } });
  assertEquals(page.headers.get("content-encoding"), "gzip");
  assertEquals(page.headers.get("vary"), "Accept-Encoding");
  const html = await new Response(page.body!.pipeThrough(new DecompressionStream("gzip"))).text();
  assertStringIncludes(html, "Build habits you can see.");
  const css = await test.app.request("/styles.css", { headers: { "Accept-Encoding": "gzip" } });
  assertEquals(css.headers.get("content-encoding"), "gzip");
  assertMatch(css.headers.get("etag")!, /^W\//);
  await css.body?.cancel();
  const plain = await test.app.request("/", {});
  assertEquals(plain.headers.get("content-encoding"), null);
  await plain.body?.cancel();
  const json = await test.app.request("/api/health", { headers: { "Accept-Encoding": "gzip" } });
  assertEquals(json.headers.get("content-encoding"), null);
  assertEquals((await json.json()).status, "ok");
});
