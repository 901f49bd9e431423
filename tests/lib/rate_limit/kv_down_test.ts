/**
 * A KV that is really down, in a real app process: its KV is a KV Connect server
 * (`DENO_KV_PATH=http://…`, as several servers would share one denokv) that answers the
 * metadata exchange and then points at a data endpoint whose port is closed, so every
 * KV read and write fails inside Deno, which retries it forever. The app must stay
 * bounded and honest: fail-open policies let requests through, fail-closed ones (log-in)
 * answer 503, reads are served without the cache, and the deep health check says KV.
 */
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { seedUser, startInstances } from "@/tests/support/instances.ts";

/** A port nothing listens on (bound, then released). */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** KV Connect's metadata endpoint (protocol v3), sending clients to a dead data endpoint. */
function startDeadKvConnect() {
  const dataUrl = `http://127.0.0.1:${closedPort()}/data`;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.body?.cancel();
    return Response.json({
      version: 3,
      databaseId: "00000000-0000-4000-8000-000000000000",
      endpoints: [{ url: dataUrl, consistency: "strong" }],
      token: "test-token",
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
  });
  return { url: `http://127.0.0.1:${server.addr.port}/`, [Symbol.asyncDispose]: () => server.shutdown() };
}

Deno.test({
  name: "KV really down (KV Connect endpoint unreachable): fail-open policies pass, log-in is 503, reads still served",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using kvConnect = startDeadKvConnect();
    const alice = seedUser();
    await using fleet = await startInstances(1, {
      users: [alice],
      kvPath: kvConnect.url,
      env: { DENO_KV_ACCESS_TOKEN: "test-access-token", TRUST_PROXY: "true" },
    });
    const { url, lines } = fleet.instances[0];
    const request = (path: string, init: RequestInit = {}) => fetch(`${url}${path}`, init);
    const post = (path: string, body: unknown, headers: Record<string, string>) =>
      request(path, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });

    const deep = await request("/api/health/deep");
    const health = await deep.json();
    assertEquals([deep.status, health.checks.kv.status, health.checks.db.status], [503, "fail", "ok"]);

    // settings.save is fail-open: the write happens, and says it was not counted by omitting the headers.
    const saved = await post("/api/settings/save", { displayName: "Alice" }, alice.bearer);
    assertEquals(saved.status, 200, await saved.clone().text());
    assertEquals((await saved.json()).settings.displayName, "Alice");
    assertEquals(saved.headers.get("RateLimit"), null);

    // Log-in is fail-closed: without its limits, password guessing would be unlimited.
    const login = await post("/api/auth/login", { email: alice.email, password: "anything at all" }, {
      "X-Forwarded-For": "192.0.2.10",
    });
    assertEquals(login.status, 503);
    assertEquals((await login.json()).error.code, "unavailable");
    assert(Number(login.headers.get("Retry-After")) >= 1);

    // Reads are served from Postgres, marked as misses.
    const habits = await request("/api/habits", { headers: alice.bearer });
    assertEquals([habits.status, habits.headers.get("X-Cache")], [200, "MISS"]);
    await habits.body?.cancel();

    const log = lines.join("\n");
    assert(log.includes('"rate_limit.unavailable"'), "the fail-open decision is logged as an error");
    assert(!log.includes('"rate_limit.busy"'), "an outage is not reported as contention");
  },
});
