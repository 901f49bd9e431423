/**
 * Three app instances behind nginx (the deployment's own site file,
 * deploy/nginx/consistencygrid.conf) on one Postgres through PgBouncer and one KV
 * file, with TRUST_PROXY=true, all traffic through the proxy:
 *
 * - limits are exact: 100 concurrent saves of one user's settings (limit 20) → 20;
 * - the per-IP limit keys on the real client, whatever X-Forwarded-For it sends;
 * - caches are coherent: after every write, a read on each instance sees it;
 * - a revoked token and a logged-out session are refused by every instance at once.
 *
 * Which instance answered is read from the instances' own logs by request id.
 * Each step prints its figures.
 */
import { openPostgresDb } from "@/db/client.ts";
import { createHabit } from "@/db/habits.ts";
import { loadConfig } from "@/lib/config.ts";
import { type AppProcess, spawnApp } from "@/tests/support/app_process.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { nginxInstalled, startNginx } from "@/tests/support/nginx.ts";
import {
  freePort,
  postgresInstalled,
  startThrowawayPgBouncer,
  startThrowawayPostgres,
} from "@/tests/support/throwaway_postgres.ts";
import { createTestUser } from "@/tests/support/users.ts";
import { waitUntil } from "@/tests/support/wait.ts";

const ready = await postgresInstalled() && nginxInstalled();

Deno.test({
  name:
    "three instances behind nginx: limits exact, per-IP limits on the real client, caches coherent, revocation everywhere",
  ignore: !ready,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const pg = (await startThrowawayPostgres({ maxConnections: 100 }))!;
    const bouncer = (await startThrowawayPgBouncer(pg))!;
    const root = await Deno.makeTempDir({ prefix: "cg-three-" });
    const db = openPostgresDb(pg.url, { poolMax: 2, pgBouncer: false });
    const instances: AppProcess[] = [];
    try {
      const proxyPort = freePort();
      const origin = `http://127.0.0.1:${proxyPort}`;
      for (const i of [1, 2, 3]) {
        instances.push(
          await spawnApp({
            DATABASE_URL: bouncer.url,
            PGBOUNCER: "true",
            PG_POOL_MAX: "5",
            DATA_DIR: `${root}/instance-${i}`,
            DENO_KV_PATH: `${root}/kv.sqlite3`,
            TRUST_PROXY: "true",
            APP_ORIGIN: origin,
          }),
        );
      }
      await using proxy = (await startNginx(instances.map((app) => app.port), proxyPort))!;

      /** Which instance (0–2) logged this request id; -1 if none did within a second. */
      const servedBy = async (requestId: string) => {
        const find = () => instances.findIndex((app) => app.lines.some((line) => line.requestId === requestId));
        await waitUntil(() => find() >= 0, 1_000, `request ${requestId} in an instance log`).catch(() => {});
        return find();
      };
      let requests = 0;
      const send = async (path: string, init: RequestInit & { json?: unknown } = {}) => {
        const requestId = `probe-${++requests}-${crypto.randomUUID().slice(0, 8)}`;
        const headers = new Headers(init.headers);
        headers.set("x-request-id", requestId);
        if (init.json !== undefined) headers.set("content-type", "application/json");
        const body = init.json === undefined ? init.body : JSON.stringify(init.json);
        const res = await fetch(`${proxy.url}${path}`, { ...init, headers, body });
        const text = await res.text();
        assertEquals(res.headers.get("x-request-id"), requestId, "nginx passes the request id through");
        return { status: res.status, body: text, headers: res.headers, requestId };
      };
      const services = {
        db,
        config: { ...loadConfig(() => undefined), appOrigin: origin },
        kv: undefined as unknown as Deno.Kv,
        startedAt: 0,
      };

      await t.step("limits are exact: 100 concurrent saves through the proxy, limit 20", async () => {
        const user = await createTestUser(services);
        const answers = await Promise.all(Array.from({ length: 100 }, (_, i) =>
          send("/api/settings/save", {
            method: "POST",
            headers: { ...user.bearer, "content-type": "application/json" },
            body: JSON.stringify({ displayName: `n${i}` }),
          })));
        const allowed = answers.filter((a) => a.status === 200);
        const limited = answers.filter((a) => a.status === 429);
        const perInstance = [0, 0, 0];
        for (const answer of answers) perInstance[await servedBy(answer.requestId)]++;
        console.log(
          "limits through nginx:",
          JSON.stringify({ allowed: allowed.length, limited: limited.length, perInstance }),
        );
        assertEquals(answers.filter((a) => a.status !== 200 && a.status !== 429).map((a) => a.status), []);
        assert(perInstance.every((n) => n > 0), `every instance took part: ${perInstance}`);
        assert(limited.every((a) => Number(a.headers.get("retry-after")) >= 1));
        assertEquals(allowed.length, 20, "exactly the limit passes");
      });

      await t.step("per-IP limits key on the real client: spoofed X-Forwarded-For changes nothing", async () => {
        // Log-in is limited to 10 per IP per minute; each attempt names another e-mail
        // (so the per-e-mail limit stays out of it) and another forged client address.
        // One at a time: this step is about which key counts (contention is step one's).
        const answers = [];
        for (let i = 0; i < 30; i++) {
          answers.push(
            await send("/api/auth/login", {
              method: "POST",
              headers: { "x-forwarded-for": `203.0.113.${i}`, origin },
              json: { email: `nobody-${i}@example.test`, password: "wrong password 123" },
            }),
          );
        }
        const limited = answers.filter((a) => a.status === 429).length;
        console.log("per-IP login limit through nginx:", JSON.stringify({ attempts: 30, limited }));
        assertEquals(
          answers.filter((a) => a.status !== 429 && a.status !== 400 && a.status !== 401).map((a) => a.status),
          [],
        );
        assertEquals(30 - limited, 10, "exactly 10 attempts per client address");
      });

      await t.step("caches are coherent: after every write, a read on each instance sees it", async () => {
        const user = await createTestUser(services);
        const habit = await createHabit(db, user.id, { name: "v0" }, new Date().toISOString().slice(0, 10));
        const read = () => send(`/api/habits/${habit.id}`, { headers: user.bearer });
        for (let i = 0; i < 6; i++) assertEquals((await read()).status, 200); // warm every instance
        let fresh = 0, stale = 0, hits = 0;
        const coverage = new Set<number>();
        for (let round = 1; round <= 40; round++) {
          const name = `v${round}`;
          const write = await send(`/api/habits/${habit.id}`, {
            method: "PUT",
            headers: user.bearer,
            json: { name },
          });
          assertEquals(write.status, 200, write.body);
          for (let r = 0; r < 3; r++) {
            const answer = await read();
            assertEquals(answer.status, 200);
            if (JSON.parse(answer.body).habit.name === name) fresh++;
            else stale++;
            if (answer.headers.get("x-cache") === "HIT") hits++;
            coverage.add(await servedBy(answer.requestId));
          }
        }
        console.log("cache coherence through nginx:", JSON.stringify({ reads: fresh + stale, fresh, stale, hits }));
        assertEquals(stale, 0, "a read after a write returned the old value");
        assertEquals([...coverage].sort(), [0, 1, 2], "reads reached every instance");
      });

      await t.step("a revoked token and a logged-out session are refused by every instance at once", async () => {
        const email = `revoke-${crypto.randomUUID().slice(0, 8)}@example.test`;
        const signup = await send("/api/auth/signup", {
          method: "POST",
          headers: { origin },
          json: { email, password: "correct horse battery staple 42" },
        });
        assertEquals(signup.status, 201, signup.body);
        const cookie = signup.headers.get("set-cookie")!.split(";")[0];
        const session = { cookie, origin };
        const created = await send("/api/tokens", { method: "POST", headers: session, json: { name: "cli" } });
        assertEquals(created.status, 201, created.body);
        const { token, secret } = JSON.parse(created.body);
        const bearer = { authorization: `Bearer ${secret}` };

        // Every instance has seen (and remembers) both credentials.
        const seen = new Set<number>();
        for (let i = 0; i < 6; i++) {
          for (const headers of [session, bearer]) {
            const me = await send("/api/me", { headers });
            assertEquals(me.status, 200, me.body);
            seen.add(await servedBy(me.requestId));
          }
        }
        assertEquals([...seen].sort(), [0, 1, 2]);

        const revokeStarted = performance.now();
        assertEquals((await send(`/api/tokens/${token.id}`, { method: "DELETE", headers: session })).status, 204);
        const afterToken = await Promise.all([0, 1, 2, 3, 4, 5].map(() => send("/api/me", { headers: bearer })));
        const tokenMs = performance.now() - revokeStarted;
        const logoutStarted = performance.now();
        assertEquals((await send("/api/auth/logout", { method: "POST", headers: session })).status, 204);
        const afterLogout = await Promise.all([0, 1, 2, 3, 4, 5].map(() => send("/api/me", { headers: session })));
        const logoutMs = performance.now() - logoutStarted;
        const instancesAsked = new Set(
          await Promise.all([...afterToken, ...afterLogout].map((a) => servedBy(a.requestId))),
        );
        console.log(
          "revocation through nginx:",
          JSON.stringify({
            tokenRevokedAndCheckedMs: Math.round(tokenMs),
            loggedOutAndCheckedMs: Math.round(logoutMs),
            instancesAsked: instancesAsked.size,
          }),
        );
        assertEquals(afterToken.map((a) => a.status), [401, 401, 401, 401, 401, 401], "a revoked token still worked");
        assertEquals(
          afterLogout.map((a) => a.status),
          [401, 401, 401, 401, 401, 401],
          "a logged-out session still worked",
        );
        assertEquals(instancesAsked.size, 3);
      });

      assertEquals((await proxy.errors()).match(/\[(error|crit|alert|emerg)\]/g), null, await proxy.errors());
    } finally {
      await Promise.all(instances.map((app) => app.signal("SIGTERM", 15_000)));
      await db.close();
      await bouncer.dispose();
      await pg.dispose();
      await Deno.remove(root, { recursive: true });
    }
  },
});
