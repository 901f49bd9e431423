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
 *   eval "$(scripts/pg_local.sh env /tmp/pg)"   # DATABASE_URL (PgBouncer) + DATABASE_URL_DIRECT
 *   deno run -A bench/load_mix.ts [--users 500] [--instances 2] [--seconds 15] [--connections 25]
 */
import { parseArgs } from "node:util";
import postgres from "postgres";
import { openDb } from "@/db/client.ts";
import { migrate } from "@/db/migrate.ts";
import { newSecret, sha256Hex } from "@/lib/auth/secret.ts";
import { localDay } from "@/domain/calendar.ts";
import { loadConfig } from "@/lib/config.ts";
import { kvUsage } from "@/lib/cache/kv_usage.ts";
import { report, round, spawnApp, wrk } from "./support.ts";

const { values } = parseArgs({
  strict: false,
  options: {
    users: { type: "string", default: "500" },
    instances: { type: "string", default: "2" },
    seconds: { type: "string", default: "15" },
    connections: { type: "string", default: "25" },
  },
});
const users = Number(values.users);
const instances = Number(values.instances);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const pooled = Deno.env.get("DATABASE_URL");
const direct = Deno.env.get("DATABASE_URL_DIRECT");
if (!pooled || !direct) {
  console.error("Set DATABASE_URL (through PgBouncer) and DATABASE_URL_DIRECT: see scripts/pg_local.sh env");
  Deno.exit(2);
}

interface Seeded {
  token: string;
  session: string;
  habitId: string;
}

/** Users with a session, a token and one habit each, written in bulk. */
async function seed(): Promise<Seeded[]> {
  const db = await openDb({ ...loadConfig(), logLevel: "warn" });
  try {
    await migrate(db);
    const rows: Seeded[] = [];
    const emails: string[] = [];
    const tokenHashes: string[] = [];
    const sessionHashes: string[] = [];
    const run = crypto.randomUUID().slice(0, 8);
    for (let i = 0; i < users; i++) {
      const token = newSecret("cgt_");
      const session = newSecret();
      rows.push({ token, session, habitId: "" });
      emails.push(`load-${run}-${i}@example.test`);
      tokenHashes.push(await sha256Hex(token));
      sessionHashes.push(await sha256Hex(session));
    }
    const created = await db.sql<{ id: string; n: number }[]>`
      with u as (
        insert into users (email, password_hash)
        select e, 'bench: cannot log in' from unnest(${emails}::text[]) with ordinality as t(e, n)
        returning id, email
      )
      select u.id::text as id, t.n::int as n
      from u join unnest(${emails}::text[]) with ordinality as t(e, n) on t.e = u.email`;
    const ids = new Array<string>(users);
    for (const { id, n } of created) ids[n - 1] = id;
    await db.sql`insert into sessions (id_hash, user_id, expires_at)
      select h, u::uuid, now() + interval '1 day'
      from unnest(${sessionHashes}::text[], ${ids}::text[]) as t(h, u)`;
    await db.sql`insert into api_tokens (user_id, name, token_hash)
      select u::uuid, 'bench', h from unnest(${ids}::text[], ${tokenHashes}::text[]) as t(u, h)`;
    const habits = await db.sql<{ user_id: string; id: string }[]>`
      insert into habits (user_id, name, color, kind, schedule, position, start_date)
      select u::uuid, 'Bench habit', '#16a34a', 'boolean', '{"type":"daily"}'::jsonb, 0, current_date
      from unnest(${ids}::text[]) as t(u)
      returning user_id::text, id::text`;
    const habitOf = new Map(habits.map((h) => [h.user_id, h.id]));
    ids.forEach((id, i) => rows[i].habitId = habitOf.get(id)!);
    return rows;
  } finally {
    await db.close();
  }
}

/** The wrk script: a random user per request, in the mix above. */
function luaScript(seeded: Seeded[], today: string): string {
  const list = (pick: (s: Seeded) => string) => `{${seeded.map((s) => JSON.stringify(pick(s))).join(",")}}`;
  return `
local tokens = ${list((s) => s.token)}
local sessions = ${list((s) => s.session)}
local habits = ${list((s) => s.habitId)}
local n = #tokens
local flip = 0
request = function()
  local i = math.random(n)
  local r = math.random(100)
  if r <= 70 then
    return wrk.format("GET", "/api/habits", { ["Authorization"] = "Bearer " .. tokens[i] })
  elseif r <= 90 then
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

function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(Deno.readTextFileSync(`/proc/${pid}/status`))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

const seeded = await seed();
const dir = await Deno.makeTempDir();
const script = `${dir}/mix.lua`;
await Deno.writeTextFile(script, luaScript(seeded, localDay("UTC")));
const env = { DATABASE_URL: pooled, PGBOUNCER: "true", DATA_DIR: dir, DENO_KV_PATH: `${dir}/kv.sqlite3` };
const apps = [];
for (let i = 0; i < instances; i++) apps.push(await spawnApp("main.ts", env));
const watcher = postgres(direct, { max: 1, onnotice: () => {} });
let maxServerConnections = 0;
const peakRss = apps.map(() => 0);
let polling = true;
const poll = (async () => {
  while (polling) {
    const [{ n }] = await watcher<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity
      where backend_type = 'client backend' and pid <> pg_backend_pid() and datname = current_database()`;
    maxServerConnections = Math.max(maxServerConnections, n);
    apps.forEach((app, i) => peakRss[i] = Math.max(peakRss[i], rssKb(app.child.pid)));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
})();
try {
  const results = await Promise.all(apps.map((app) => wrk(app.url, { seconds, connections, script })));
  polling = false;
  await poll;
  results.forEach((r, i) =>
    report(`load_mix_instance_${i}`, {
      rps: round(r.requestsPerSec, 0),
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      non2xx: r.non2xx,
      peakRssMb: round(peakRss[i] / 1024, 1),
    })
  );
  report("load_mix", {
    users,
    instances,
    connectionsPerInstance: connections,
    totalRps: round(results.reduce((sum, r) => sum + r.requestsPerSec, 0), 0),
    worstP99Ms: Math.max(...results.map((r) => r.p99Ms)),
    maxPostgresServerConnections: maxServerConnections,
    peakRssMb: round(Math.max(...peakRss) / 1024, 1),
    bars: { p99Ms: 100, rssMb: 200, serverConnections: 20 },
  });
  const kv = await Deno.openKv(`${dir}/kv.sqlite3`);
  const usage = await kvUsage(kv);
  kv.close();
  const fileBytes = (await Deno.stat(`${dir}/kv.sqlite3`)).size;
  report("load_mix_kv", {
    users,
    entries: usage.total.entries,
    liveBytesPerUser: Math.round(usage.total.bytes / users),
    fileBytesPerUser: Math.round(fileBytes / users),
    budgetBytesPerUser: 64 * 1024,
  });
} finally {
  polling = false;
  await watcher.end({ timeout: 1 });
  for (const app of apps) await app.stop();
  await Deno.remove(dir, { recursive: true });
}
