/**
 * Several servers on one KV Connect server (`DENO_KV_PATH=https://…`, denokv), tested
 * as far as this machine allows (denokv is not installable here): `main.ts` pointed at a
 * KV server that accepts connections and never answers starts within a bounded time,
 * says why in one log line (never the token), keeps serving what needs no KV (a signed-in
 * read), answers its deep health check with 503; without the token it refuses to start.
 */
import { openPostgresDb } from "@/db/client.ts";
import { loadConfig } from "@/lib/config.ts";
import { spawnApp } from "@/tests/support/app_process.ts";
import { assert, assertEquals, assertMatch } from "@/tests/support/assert.ts";
import { postgresInstalled, startThrowawayPostgres } from "@/tests/support/throwaway_postgres.ts";
import { createTestUser } from "@/tests/support/users.ts";

const installed = await postgresInstalled();
const ROOT = new URL("../..", import.meta.url).pathname;

Deno.test({
  name: "main.ts with an unreachable KV Connect server: bounded start, clear log, serves without KV, deep health 503",
  ignore: !installed,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using pg = (await startThrowawayPostgres())!;
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const held: Deno.Conn[] = [];
    const accepting = (async () => {
      try {
        for await (const conn of listener) held.push(conn);
      } catch {
        // Closed.
      }
    })();
    const kvUrl = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
    const token = `denokv-token-${crypto.randomUUID()}`;
    const db = openPostgresDb(pg.url, { poolMax: 2, pgBouncer: false });
    try {
      const started = performance.now();
      await using app = await spawnApp({ DATABASE_URL: pg.url, DENO_KV_PATH: kvUrl, DENO_KV_ACCESS_TOKEN: token });
      const startMs = performance.now() - started;
      const unavailable = await app.waitForLog("kv.unavailable", 1_000);
      assertEquals(unavailable.kv, kvUrl);
      assertMatch(String(unavailable.error), /no answer within \d+ ms/);

      const health = await fetch(`${app.url}/api/health`);
      assertEquals(health.status, 200);
      await health.body?.cancel();
      const deep = await fetch(`${app.url}/api/health/deep`);
      const deepBody = await deep.json();
      assertEquals(deep.status, 503);
      assertEquals([deepBody.checks.db.status, deepBody.checks.kv.status, deepBody.checks.kv.error], [
        "ok",
        "fail",
        "unavailable",
      ]);

      const user = await createTestUser({
        db,
        config: { ...loadConfig(() => undefined), appOrigin: app.url },
        kv: undefined as unknown as Deno.Kv,
        startedAt: 0,
      });
      const habits = await fetch(`${app.url}/api/habits`, { headers: user.bearer });
      assertEquals(habits.status, 200, await habits.clone().text());
      assertEquals(habits.headers.get("x-cache"), "MISS");
      await habits.body?.cancel();
      console.log(
        `unreachable KV Connect server: started in ${Math.round(startMs)} ms; deep health`,
        JSON.stringify(deepBody),
      );
      assert(!JSON.stringify(app.lines).includes(token), "the access token reached the log");
      assertEquals((await app.signal("SIGTERM")).code, 0);
    } finally {
      await db.close();
      listener.close();
      for (const conn of held) conn.close();
      await accepting;
    }
  },
});

Deno.test("main.ts with a KV Connect URL and no DENO_KV_ACCESS_TOKEN exits 1 naming the variable", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: ROOT,
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "", DENO_KV_PATH: "https://kv.example.com" },
    stdin: "null",
  }).output();
  const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assertEquals(code, 1, output);
  assertMatch(output, /"msg":"server.start_failed".*set DENO_KV_ACCESS_TOKEN/);
});
