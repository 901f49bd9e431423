/**
 * Cached `GET /api/habits` (Bearer token of a user with 20 habits and a year of
 * check-ins) throughput and latency against a bare `Deno.serve` hello world and
 * `GET /api/health`, all measured here with the same wrk settings. Also prints the
 * sizes the cache stores: the list's body and the dashboard's data as JSON (a KV value
 * holds 64 KiB; bigger ones are split into parts).
 *
 *   deno run -A bench/cached_read.ts [--seconds 10] [--connections 50]
 *
 * The server runs with the per-user read limit (600/min) lifted, or wrk would measure
 * 429s: the limiter still runs on every request, only its budget is raised.
 */
import { parseArgs } from "node:util";
import { openDb } from "@/db/client.ts";
import { loadDashboard } from "@/db/dashboard.ts";
import { listHabits } from "@/db/habits.ts";
import { migrate } from "@/db/migrate.ts";
import { newSecret, sha256Hex } from "@/lib/auth/secret.ts";
import { invalidateUser } from "@/app/cache/invalidate.ts";
import { localDay } from "@/domain/calendar.ts";
import { loadConfig } from "@/lib/config.ts";
import { seedHabitYear } from "./dashboard.ts";
import { report, round, spawnApp, type WrkResult } from "./support.ts";

/** Set in the spawned server's environment: serve the app with the read limit lifted. */
const SERVE_FLAG = "CACHED_READ_BENCH_SERVE";

async function serve(): Promise<void> {
  const { LOCAL_POLICIES } = await import("@/lib/rate_limit/policies.ts");
  (LOCAL_POLICIES.reads as { limit: number }).limit = Number.MAX_SAFE_INTEGER;
  const { main } = await import("@/app/server.ts");
  const { default: manifest } = await import("@/fresh.gen.ts");
  await main({ manifest });
}

/** Creates a pro user with `habits` habits and a year of check-ins; returns its id and a Bearer token. */
async function seed(dataDir: string, habits: number) {
  const config = { ...loadConfig(), dataDir, kvPath: `${dataDir}/kv.sqlite3`, logLevel: "warn" as const };
  const db = await openDb(config);
  try {
    await migrate(db);
    const [row] = await db.sql<{ id: string }[]>`
      insert into users (email, password_hash, plan_id)
      values (${`bench-${crypto.randomUUID()}@example.test`}, 'bench: cannot log in', 'pro')
      returning id::text as id`;
    const today = localDay("UTC");
    await seedHabitYear(db, row.id, { habits, days: 365, today });
    const token = newSecret("cgt_");
    await db.sql`insert into api_tokens (user_id, name, token_hash)
                 values (${row.id}, 'bench', ${await sha256Hex(token)})`;
    // As creating a token through the app would: instances may now remember the token.
    const kv = await Deno.openKv(config.kvPath);
    await invalidateUser(kv, row.id);
    kv.close();
    const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).byteLength;
    const sizes = {
      habitsListBytes: bytes({ habits: await listHabits(db, row.id) }),
      dashboardDataBytes: bytes(await loadDashboard(db, row.id, today)),
    };
    return { userId: row.id, token, sizes };
  } finally {
    await db.close();
  }
}

/** wrk with one request header (bench/support.ts's `wrk` sends none). */
async function wrkWithHeader(
  url: string,
  header: string,
  { seconds = 10, connections = 50 }: { seconds?: number; connections?: number },
): Promise<WrkResult> {
  const out = await new Deno.Command("wrk", {
    args: ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "-H", header, url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const latency = (pct: string) => {
    const m = new RegExp(`\\s${pct}%\\s+([\\d.]+)(us|ms|s)`).exec(text);
    return m ? Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[m[2]] : NaN;
  };
  return {
    requestsPerSec: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN),
    p50Ms: latency("50"),
    p99Ms: latency("99"),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0),
  };
}

async function bench(): Promise<void> {
  const { values } = parseArgs({
    strict: false,
    options: { seconds: { type: "string", default: "10" }, connections: { type: "string", default: "50" } },
  });
  const settings = { seconds: Number(values.seconds), connections: Number(values.connections) };
  const dataDir = await Deno.makeTempDir();
  let userId: string | undefined;
  try {
    const seeded = await seed(dataDir, 20);
    userId = seeded.userId;
    const auth = `Authorization: Bearer ${seeded.token}`;

    const hello = await spawnApp("bench/hello_server.ts", {});
    await wrkWithHeader(hello.url, auth, { ...settings, seconds: 2 }); // warm-up
    const baseline = await wrkWithHeader(hello.url, auth, settings);
    await hello.stop();

    const env: Record<string, string> = { DATA_DIR: dataDir, [SERVE_FLAG]: "1" };
    for (const name of ["DATABASE_URL", "PGBOUNCER"]) if (Deno.env.get(name)) env[name] = Deno.env.get(name)!;
    const app = await spawnApp("bench/cached_read.ts", env);
    const first = await fetch(`${app.url}/api/habits`, { headers: { Authorization: `Bearer ${seeded.token}` } });
    const firstCache = first.headers.get("x-cache");
    await first.arrayBuffer();
    await wrkWithHeader(`${app.url}/api/habits`, auth, { ...settings, seconds: 2 });
    const cached = await wrkWithHeader(`${app.url}/api/habits`, auth, settings);
    const health = await wrkWithHeader(`${app.url}/api/health`, auth, settings);
    const last = await fetch(`${app.url}/api/habits`, { headers: { Authorization: `Bearer ${seeded.token}` } });
    const lastCache = last.headers.get("x-cache");
    await last.arrayBuffer();
    await app.stop();

    report("hello_world", { rps: round(baseline.requestsPerSec, 0), p50Ms: baseline.p50Ms, p99Ms: baseline.p99Ms });
    report("api_health", {
      rps: round(health.requestsPerSec, 0),
      p50Ms: health.p50Ms,
      p99Ms: health.p99Ms,
      non2xx: health.non2xx,
      ratioToHello: round(health.requestsPerSec / baseline.requestsPerSec, 3),
    });
    report("cached_read", {
      path: "/api/habits",
      xCache: [firstCache, lastCache],
      ...seeded.sizes,
      rps: round(cached.requestsPerSec, 0),
      p50Ms: cached.p50Ms,
      p99Ms: cached.p99Ms,
      non2xx: cached.non2xx,
      ratioToHello: round(cached.requestsPerSec / baseline.requestsPerSec, 3),
    }, {
      figure: "cached GET /api/habits (Bearer) throughput",
      value: round(cached.requestsPerSec, 0),
      unit: "req/s",
      baseline: "bare Deno.serve hello",
      baselineValue: round(baseline.requestsPerSec, 0),
      higherIsBetter: true,
    });
  } finally {
    if (userId && Deno.env.get("DATABASE_URL")) {
      const db = await openDb({ ...loadConfig(), dataDir });
      await db.sql`delete from users where id = ${userId}::uuid`;
      await db.close();
    }
    await Deno.remove(dataDir, { recursive: true });
  }
}

if (import.meta.main) {
  if (Deno.env.get(SERVE_FLAG)) await serve();
  else await bench();
}
