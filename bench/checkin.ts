/**
 * Check-in cost: `POST /api/habits/:id/checkins` (Bearer) through the whole app against
 * its SQL function `upsert_checkin` called directly through the same pool (`openDb` with
 * the same configuration), with as many in flight as wrk keeps connections. Each request
 * is a random user's habit and a random day of the last 300, alternately `done` and
 * `none`, so rows are written and deleted and no one row is contended.
 *
 * The ratio is what the app adds around the one statement that does the work: auth,
 * the exact per-user rate limit (KV), validation, the habit's lookup and its new
 * statistics, cache invalidation, the pipeline. Embedded PGlite by default,
 * `DATABASE_URL` when set (its users are deleted at the end).
 *
 * The app's KV file lives in a temporary directory: its commits wait for that disk, so
 * `TMPDIR=/dev/shm` (a RAM disk) shows what the disk costs (docs/performance.md, "Check-in").
 *
 *   deno run -A bench/checkin.ts [--users 500] [--seconds 10] [--connections 25]
 */
import { parseArgs } from "node:util";
import { type Db, openDb } from "@/db/client.ts";
import { upsertCheckin } from "@/db/checkins.ts";
import { migrate } from "@/db/migrate.ts";
import { addDays, localDay } from "@/domain/calendar.ts";
import { loadConfig } from "@/lib/config.ts";
import { deleteUsers, type SeededUser, seedUsers } from "./seed_users.ts";
import { databaseEnv, report, round, spawnApp, wrk } from "./support.ts";

const DAYS = 300;

const { values } = parseArgs({
  strict: false,
  options: {
    users: { type: "string", default: "500" },
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "25" },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);

/** Calls the SQL function from `connections` workers for `seconds`; returns calls/s and p50/p99. */
async function direct(db: Db, users: SeededUser[], today: string) {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  let flip = 0;
  const worker = async () => {
    while (performance.now() < until) {
      const user = users[Math.floor(Math.random() * users.length)];
      const date = addDays(today, -Math.floor(Math.random() * DAYS));
      const status = (flip = 1 - flip) === 1 ? "done" : "none";
      const started = performance.now();
      await upsertCheckin(db, user.id, user.habitId, { date, status }, today);
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))], 2);
  return { callsPerSec: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** The wrk script: a random user's habit and day per request. */
function luaScript(users: SeededUser[], today: string): string {
  const list = (pick: (u: SeededUser) => string) => `{${users.map((u) => JSON.stringify(pick(u))).join(",")}}`;
  const days = Array.from({ length: DAYS }, (_, i) => addDays(today, -i));
  return `
local tokens = ${list((u) => u.token)}
local habits = ${list((u) => u.habitId)}
local days = {${days.map((d) => JSON.stringify(d)).join(",")}}
local flip = 0
request = function()
  local i = math.random(#tokens)
  flip = 1 - flip
  local status = flip == 1 and "done" or "none"
  return wrk.format("POST", "/api/habits/" .. habits[i] .. "/checkins",
    { ["Authorization"] = "Bearer " .. tokens[i], ["Content-Type"] = "application/json" },
    '{"date":"' .. days[math.random(#days)] .. '","status":"' .. status .. '"}')
end
`;
}

const dataDir = await Deno.makeTempDir();
const config = { ...loadConfig(), dataDir, kvPath: `${dataDir}/kv.sqlite3`, logLevel: "warn" as const };
const today = localDay("UTC");
let db = await openDb(config);
let users: SeededUser[] = [];
try {
  await migrate(db);
  users = await seedUsers(db, Number(values.users), DAYS);
  await direct(db, users, today); // warm-up: plans, pool
  const baseline = await direct(db, users, today);
  // The embedded database has one owner at a time: the app opens it next.
  await db.close();

  const script = `${dataDir}/checkin.lua`;
  await Deno.writeTextFile(script, luaScript(users, today));
  const app = await spawnApp("main.ts", { DATA_DIR: dataDir, ...databaseEnv() });
  let result;
  try {
    await wrk(app.url, { seconds: 2, connections, script });
    result = await wrk(app.url, { seconds, connections, script });
  } finally {
    await app.stop();
  }
  report("checkin_sql_direct", {
    backend: db.backend,
    callsPerSec: round(baseline.callsPerSec, 0),
    p50Ms: baseline.p50Ms,
    p99Ms: baseline.p99Ms,
    inFlight: connections,
  });
  report("checkin_post", {
    backend: db.backend,
    rps: round(result.requestsPerSec, 0),
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    non2xx: result.non2xx,
    users: users.length,
  }, {
    figure: "POST /api/habits/:id/checkins throughput",
    value: round(result.requestsPerSec, 0),
    unit: "req/s",
    baseline: "upsert_checkin called directly through the same pool",
    baselineValue: round(baseline.callsPerSec, 0),
    higherIsBetter: true,
  });
} finally {
  if (users.length && Deno.env.get("DATABASE_URL")) {
    db = await openDb(config);
    await deleteUsers(db, users);
    await db.close();
  }
  await Deno.remove(dataDir, { recursive: true });
}
