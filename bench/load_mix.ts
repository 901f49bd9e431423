/**
 * The load mix against several app instances on one real Postgres through PgBouncer:
 * many users, each request a random user's — 70 % cached `GET /api/habits` (Bearer),
 * 20 % check-in `POST /api/habits/:id/checkins`, 10 % the `/app` dashboard (cookie).
 * Prints throughput and p50/p99 per instance, the most Postgres server connections seen
 * (polled directly on the server, not through PgBouncer) and each instance's peak RSS —
 * the app-wide bars are p99 < 100 ms, RSS < 200 MB, ≤ 20 server connections — and what
 * the mix left in the shared KV per user (live bytes via `kv.list` and the sqlite file;
 * the budget is 64 KB per active user, bench/kv_size.ts measures a heavy one).
 *
 * Without `DATABASE_URL` it measures the embedded default instead: one instance on its
 * own PGlite (one process owns it), the figure being its RSS idle and under the mix.
 *
 *   deno run -A bench/load_mix.ts --instances 1          # embedded PGlite
 *   eval "$(scripts/pg_local.sh env /tmp/pg)"   # DATABASE_URL (PgBouncer) + DATABASE_URL_DIRECT
 *   deno run -A bench/load_mix.ts [--users 500] [--instances 2] [--seconds 15] [--connections 25] [--pin]
 *
 * `--pin` (Postgres on this machine, Linux) gives Postgres and PgBouncer a core of their own and
 * the instances and wrk the rest, as when the database has its own host (bench/checkin.ts
 * explains why that matters on a small machine); it prints only the throughput line,
 * `load_mix_pinned`.
 */
import { parseArgs } from "node:util";
import postgres from "postgres";
import { openDb } from "@/db/client.ts";
import { migrate } from "@/db/migrate.ts";
import { localDay } from "@/domain/calendar.ts";
import { loadConfig } from "@/lib/config.ts";
import { kvUsage } from "@/lib/cache/kv_usage.ts";
import { deleteUsers, type SeededUser, seedUsers } from "./seed_users.ts";
import type { MemorySample } from "@/lib/memory_log.ts";
import {
  cpuDuring,
  cpuPerRequest,
  LOAD_MIX,
  pinDatabaseCore,
  report,
  round,
  rssMb,
  spawnApp,
  START_V8_FLAGS,
  wrk,
} from "./support.ts";

const { values } = parseArgs({
  strict: false,
  options: {
    users: { type: "string", default: "500" },
    instances: { type: "string", default: "2" },
    seconds: { type: "string", default: "15" },
    connections: { type: "string", default: "25" },
    pin: { type: "boolean", default: false },
  },
});
const users = Number(values.users);
const pooled = Deno.env.get("DATABASE_URL");
const direct = Deno.env.get("DATABASE_URL_DIRECT");
const embedded = !pooled;
const instances = embedded ? 1 : Number(values.instances);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
if (pooled && !direct) {
  console.error("With DATABASE_URL (through PgBouncer), set DATABASE_URL_DIRECT too: see scripts/pg_local.sh env");
  Deno.exit(2);
}

/** Just the figures of a memory log line. */
function breakdown(s: MemorySample): MemorySample {
  return {
    rssMb: s.rssMb,
    heapUsedMb: s.heapUsedMb,
    heapTotalMb: s.heapTotalMb,
    externalMb: s.externalMb,
    otherMb: s.otherMb,
  };
}

/** The wrk script: a random user per request, in the mix above. */
function luaScript(seeded: SeededUser[], today: string): string {
  const list = (pick: (s: SeededUser) => string) => `{${seeded.map((s) => JSON.stringify(pick(s))).join(",")}}`;
  return `
local tokens = ${list((s) => s.token)}
local sessions = ${list((s) => s.session)}
local habits = ${list((s) => s.habitId)}
local n = #tokens
local flip = 0
request = function()
  local i = math.random(n)
  local r = math.random(100)
  if r <= ${Math.round(LOAD_MIX.cachedReads * 100)} then
    return wrk.format("GET", "/api/habits", { ["Authorization"] = "Bearer " .. tokens[i] })
  elseif r <= ${Math.round((LOAD_MIX.cachedReads + LOAD_MIX.checkins) * 100)} then
    flip = 1 - flip
    local status = flip == 1 and "done" or "none"
    return wrk.format("POST", "/api/habits/" .. habits[i] .. "/checkins",
      { ["Authorization"] = "Bearer " .. tokens[i], ["Content-Type"] = "application/json" },
      '{"date":"${today}","status":"' .. status .. '"}')
  else
    return wrk.format("GET", "/app", { ["Cookie"] = "cg_session=" .. sessions[i] })
  end
end
`;
}

const dir = await Deno.makeTempDir();
const seeded = await (async () => {
  const db = await openDb({ ...loadConfig(), dataDir: dir, logLevel: "warn" });
  try {
    await migrate(db);
    return await seedUsers(db, users);
  } finally {
    await db.close();
  }
})();
const pinned = Boolean(values.pin) && !embedded;
const unpin = pinned ? await pinDatabaseCore() : async () => {};
const script = `${dir}/mix.lua`;
await Deno.writeTextFile(script, luaScript(seeded, localDay("UTC")));
const env = {
  DATABASE_URL: pooled ?? "",
  PGBOUNCER: embedded ? "" : "true",
  DATA_DIR: dir,
  DENO_KV_PATH: `${dir}/kv.sqlite3`,
  // Each instance logs where its memory sits (lib/memory_log.ts): the breakdown below.
  MEMORY_LOG_MS: "250",
};
const samples: MemorySample[][] = [];
const apps = [];
for (let i = 0; i < instances; i++) {
  const own: MemorySample[] = [];
  samples.push(own);
  apps.push(
    await spawnApp("main.ts", env, (line) => {
      if (line.includes('"msg":"memory"')) own.push(JSON.parse(line));
    }),
  );
}
// Idle: a second after start-up, before the mix.
await new Promise((resolve) => setTimeout(resolve, 1000));
const idleRss = apps.map((app) => rssMb(app.child.pid));
const idleSamples = samples.map((own) => own.at(-1));
samples.forEach((own) => own.length = 0);
const watcher = direct ? postgres(direct, { max: 1, onnotice: () => {} }) : undefined;
let maxServerConnections = 0;
const peakRss = apps.map(() => 0);
let polling = true;
const poll = (async () => {
  while (polling) {
    if (watcher) {
      const [{ n }] = await watcher<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity
        where backend_type = 'client backend' and pid <> pg_backend_pid() and datname = current_database()`;
      maxServerConnections = Math.max(maxServerConnections, n);
    }
    apps.forEach((app, i) => peakRss[i] = Math.max(peakRss[i], rssMb(app.child.pid)));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
})();
try {
  const cpu = cpuDuring({ ...Object.fromEntries(apps.map((app, i) => [`app${i}`, app.child.pid])), bench: Deno.pid }, {
    skipMs: 1_000,
  });
  const results = await Promise.all(apps.map((app) => wrk(app.url, { seconds, connections, script })));
  const cpuWindow = await cpu.stop();
  polling = false;
  await poll;
  results.forEach((r, i) =>
    report(`${pinned ? "load_mix_pinned" : "load_mix"}_instance_${i}`, {
      rps: round(r.requestsPerSec, 0),
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      non2xx: r.non2xx,
      peakRssMb: peakRss[i],
    })
  );
  report(pinned ? "load_mix_pinned" : "load_mix", {
    pinned,
    users,
    instances,
    connectionsPerInstance: connections,
    totalRps: round(results.reduce((sum, r) => sum + r.requestsPerSec, 0), 0),
    worstP99Ms: Math.max(...results.map((r) => r.p99Ms)),
    maxPostgresServerConnections: maxServerConnections,
    idleRssMb: Math.max(...idleRss),
    peakRssMb: Math.max(...peakRss),
    backend: embedded ? "pglite" : "postgres",
    bars: { p99Ms: 100, rssMb: embedded ? 350 : 200, idleRssMb: embedded ? 250 : undefined, serverConnections: 20 },
    // Where the machine's CPU went per request (ms), by process: what bounds the throughput here.
    cpuMsPerRequest: cpuPerRequest(
      cpuWindow,
      results.reduce((sum, r) => sum + r.requestsPerSec, 0),
      [...apps.map((_, i) => `app${i}`), "postgres", "pgbouncer", "wrk", "bench"],
    ),
  }, {
    figure: `load mix throughput, ${instances} instance(s), ${embedded ? "PGlite" : "Postgres via PgBouncer"}${
      pinned ? ", database on its own core" : ""
    }`,
    value: round(results.reduce((sum, r) => sum + r.requestsPerSec, 0), 0),
    unit: "req/s",
    baseline: "target for one instance on Postgres",
    baselineValue: 3000 * instances,
    higherIsBetter: true,
  });
  if (!pinned) {
    report("load_mix_rss", { backend: embedded ? "pglite" : "postgres", idleRssMb: Math.max(...idleRss) }, {
      figure: `peak RSS per instance under the mix (${embedded ? "PGlite" : "Postgres"})`,
      value: Math.max(...peakRss),
      unit: "MB",
      baseline: "budget",
      baselineValue: embedded ? 350 : 200,
      higherIsBetter: false,
    });
    const kv = await Deno.openKv(`${dir}/kv.sqlite3`);
    const usage = await kvUsage(kv);
    kv.close();
    const fileBytes = (await Deno.stat(`${dir}/kv.sqlite3`)).size;
    // Where the memory sat: idle, and at the sample with the most RSS under the mix
    // (V8 heap used / reserved, external, and the rest: code, native buffers, PGlite's worker).
    samples.forEach((own, i) => {
      const peak = own.reduce<MemorySample | undefined>((top, s) => !top || s.rssMb > top.rssMb ? s : top, undefined);
      report(`load_mix_memory_${i}`, {
        backend: embedded ? "pglite" : "postgres",
        v8Flags: Deno.env.get("BENCH_V8_FLAGS") ?? START_V8_FLAGS,
        idle: idleSamples[i] && breakdown(idleSamples[i]),
        atPeak: peak && breakdown(peak),
        maxHeapTotalMb: Math.max(0, ...own.map((s) => s.heapTotalMb)),
        maxHeapUsedMb: Math.max(0, ...own.map((s) => s.heapUsedMb)),
      });
    });
    report("load_mix_kv", {
      users,
      entries: usage.total.entries,
      liveBytesPerUser: Math.round(usage.total.bytes / users),
      fileBytesPerUser: Math.round(fileBytes / users),
      budgetBytesPerUser: 64 * 1024,
    });
  }
} finally {
  polling = false;
  await watcher?.end({ timeout: 1 });
  for (const app of apps) await app.stop();
  if (!embedded) {
    const db = await openDb({ ...loadConfig(), dataDir: dir, logLevel: "warn" });
    await deleteUsers(db, seeded);
    await db.close();
  }
  await Deno.remove(dir, { recursive: true });
  await unpin();
}
