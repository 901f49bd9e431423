/**
 * A KV Connect server (`DENO_KV_PATH=https://…`) that cannot be reached: configuration
 * errors are caught at start-up with a clear message; an unreachable server (refusing,
 * or accepting and never answering — which makes `Deno.openKv` wait forever) costs a
 * bounded wait, one clear log line without the token, calls that fail fast, a 503 from
 * `/api/health/deep`; and once the server answers, the same handle works.
 */
import { ConfigError, loadConfig } from "@/lib/config.ts";
import { KvUnavailableError, openRemoteKv } from "@/lib/kv_remote.ts";
import { setLogSink } from "@/lib/log.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "@/tests/support/assert.ts";
import { throws } from "node:assert/strict";

/** Accepts connections and never answers: a hung server or a black-holing firewall. */
function silentServer() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of listener) conns.push(conn);
    } catch {
      // Closed.
    }
  })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    async close() {
      listener.close();
      for (const conn of conns) conn.close();
      await accepting;
    },
  };
}

function refusingUrl(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return `http://127.0.0.1:${port}`;
}

Deno.test("DENO_KV_PATH as a KV Connect URL: a missing token, a hostless URL or credentials in it stop start-up", () => {
  const config = (env: Record<string, string>) => loadConfig((name) => env[name]);
  const cases: [Record<string, string>, RegExp][] = [
    [{ DENO_KV_PATH: "https://kv.example.com" }, /set DENO_KV_ACCESS_TOKEN/],
    [{ DENO_KV_PATH: "https://", DENO_KV_ACCESS_TOKEN: "t" }, /DENO_KV_PATH must be a file path, :memory: or a URL/],
    [{ DENO_KV_PATH: "https://u:p@kv.example.com", DENO_KV_ACCESS_TOKEN: "t" }, /must not carry credentials/],
  ];
  for (const [env, message] of cases) {
    throws(() => config(env), (error: Error) => error instanceof ConfigError && message.test(error.message));
  }
  assertEquals(
    config({ DENO_KV_PATH: "https://kv.example.com", DENO_KV_ACCESS_TOKEN: "t" }).kvPath,
    "https://kv.example.com",
  );
});

Deno.test({
  name: "a KV server that never answers: the open is bounded, one clear log line, calls fail fast, deep health 503",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = silentServer();
    const lines: Record<string, unknown>[] = [];
    const restore = setLogSink((_level, line) => lines.push(JSON.parse(line)));
    Deno.env.set("DENO_KV_ACCESS_TOKEN", "kv-token-not-for-logs");
    let kv: Deno.Kv | undefined;
    try {
      const started = performance.now();
      kv = await openRemoteKv(server.url, { openTimeoutMs: 500, retryMs: 60_000 });
      const openMs = performance.now() - started;
      assert(openMs < 5_000, `opening took ${Math.round(openMs)} ms`);
      const logged = lines.find((line) => line.msg === "kv.unavailable");
      assert(logged, JSON.stringify(lines));
      assertEquals(logged.kv, server.url);
      assertMatch(String(logged.error), /no answer within 500 ms/);
      assert(!JSON.stringify(lines).includes("kv-token-not-for-logs"), "the token reached the log");

      const calls = [
        () => kv!.get(["a"]),
        () => kv!.set(["a"], 1),
        () => kv!.atomic().check({ key: ["a"], versionstamp: null }).set(["a"], 1).commit(),
        () => kv!.list({ prefix: ["a"] }).next(),
      ];
      for (const call of calls) {
        const error = await assertRejects(call);
        assert(error instanceof KvUnavailableError, String(error));
        assertMatch((error as Error).message, /cannot be reached: no answer within 500 ms/);
      }

      await using t = await startTestApp({ kv });
      const deep = await t.app.request("/api/health/deep");
      assertEquals(deep.status, 503);
      const body = await deep.json();
      assertEquals([body.checks.db.status, body.checks.kv.status], ["ok", "fail"]);
      assertEquals((await t.app.request("/api/health")).status, 200);
      console.log(`silent KV server: open gave up after ${Math.round(openMs)} ms; deep health`, JSON.stringify(body));
    } finally {
      kv?.close();
      restore();
      Deno.env.delete("DENO_KV_ACCESS_TOKEN");
      await server.close();
    }
  },
});

Deno.test({
  name: "a KV server that refuses connections: open fails at once, and the handle recovers when it comes back",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const restore = setLogSink(() => {});
    Deno.env.set("DENO_KV_ACCESS_TOKEN", "t");
    // The real open against a refusing port; after two failures the server "comes back"
    // (an in-memory KV stands in for it: the protocol needs a real denokv).
    let attempts = 0;
    const url = refusingUrl();
    const kv = await openRemoteKv(url, {
      openTimeoutMs: 2_000,
      retryMs: 50,
      open: (target) => ++attempts <= 2 ? Deno.openKv(target) : Deno.openKv(":memory:"),
    });
    try {
      const refused = await assertRejects(() => kv.get(["a"]));
      assert(refused instanceof KvUnavailableError, String(refused));
      assertMatch((refused as Error).message, /Connection refused|connect/i);
      for (let i = 0; i < 100 && attempts < 3; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      for (let i = 0; i < 100; i++) {
        try {
          await kv.set(["a"], 1);
          break;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      assertEquals((await kv.get(["a"])).value, 1);
      assertEquals(attempts, 3);
    } finally {
      kv.close();
      restore();
      Deno.env.delete("DENO_KV_ACCESS_TOKEN");
    }
  },
});
