/**
 * Check-in cost: `POST /api/habits/:id/checkins` (Bearer) through the whole app against
 * its SQL function, `checkin_with_history` (sql/017: the upsert and the rows its answer's
 * statistics are computed from, in one statement), called directly through the same pool
 * (`openDb` with the same configuration), with as many in flight as wrk keeps
 * connections. `upsert_checkin` alone, the baseline before the route answered with
 * statistics (issue 11), is measured and printed too. Each request
 * is a random user's habit and a random day of the last 300, alternately `done` and
 * `none`, so rows are written and deleted and no one row is contended.
 *
 * The ratio is what the app adds around the one statement that does the work: auth,
 * the exact per-user rate limit (KV), validation, computing the statistics from the
 * rows, cache invalidation, the pipeline. Embedded PGlite by default,
 * `DATABASE_URL` when set (its users are deleted at the end).
 *
 * Each line also says where the machine's CPU went, in ms per call or request, by process
 * (`app`, `bench` calling the function, `postgres`, `pgbouncer`, `wrk`; `other` is the rest
 * of the machine; `idle` what was left): on a
 * machine whose cores the app shares with Postgres, PgBouncer and wrk, the ratio cannot
 * pass (Postgres's + PgBouncer's share per call) / (everyone's share per request), and
 * these figures show how far that bound is (docs/performance.md, "Check-in").
 *
 * The app's KV file lives in a temporary directory: its commits wait for that disk, so
 * `TMPDIR=/dev/shm` (a RAM disk) shows what the disk costs (docs/performance.md, "Check-in").
 *
 * `--pin` (Postgres on this machine, Linux) gives Postgres and PgBouncer a core of their own
 * and the app, wrk and the baseline's caller the rest, as when the database has its own
 * host; both phases run so, and the lines say `pinned: true`.
 *
 *   deno run -A bench/checkin.ts [--users 500] [--seconds 10] [--connections 25] [--pin]
 */
import { parseArgs } from "node:util";
import { type Db, openDb } from "@/db/client.ts";
import { checkinWithHistory, upsertCheckin } from "@/db/checkins.ts";
import { migrate } from "@/db/migrate.ts";
import { addDays, localDay } from "@/domain/calendar.ts";
import { loadConfig } from "@/lib/config.ts";
import { deleteUsers, type SeededUser, seedUsers } from "./seed_users.ts";
import {
  cpuDuring,
  cpuPerOperation,
  cpuPerRequest,
  cpuSnapshot,
  databaseEnv,
  pinDatabaseCore,
  report,
  round,
  spawnApp,
  wrk,
} from "./support.ts";

const DAYS = 300;
/** The processes whose CPU each line shows apart (the rest of the machine is `other`). */
const COMMANDS = ["app", "bench", "postgres", "pgbouncer", "wrk"];

const { values } = parseArgs({
  strict: false,
  options: {
    users: { type: "string", default: "500" },
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "25" },
    pin: { type: "boolean", default: false },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);

/** The SQL functions the baseline can call: the route's own, and the bare upsert it wraps. */
const SQL_FUNCTIONS = {
  checkin_with_history: checkinWithHistory,
  upsert_checkin: upsertCheckin,
} as const;

/** Calls a SQL function from `connections` workers for `seconds`; returns calls/s and p50/p99. */
async function direct(
  db: Db,
  users: SeededUser[],
  today: string,
  call: (typeof SQL_FUNCTIONS)[keyof typeof SQL_FUNCTIONS],
) {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  let flip = 0;
  const worker = async () => {
    while (performance.now() < until) {
      const user = users[Math.floor(Math.random() * users.length)];
      const date = addDays(today, -Math.floor(Math.random() * DAYS));
      const status = (flip = 1 - flip) === 1 ? "done" : "none";
      const started = performance.now();
      await call(db, user.id, user.habitId, { date, status }, today);
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))], 2);
  return { calls: latencies.length, callsPerSec: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99) };
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

const pinned = Boolean(values.pin) && Boolean(Deno.env.get("DATABASE_URL"));
const unpin = pinned ? await pinDatabaseCore() : async () => {};
const dataDir = await Deno.makeTempDir();
const config = { ...loadConfig(), dataDir, kvPath: `${dataDir}/kv.sqlite3`, logLevel: "warn" as const };
const today = localDay("UTC");
let db = await openDb(config);
let users: SeededUser[] = [];
try {
  await migrate(db);
  users = await seedUsers(db, Number(values.users), DAYS);
  await direct(db, users, today, checkinWithHistory); // warm-up: plans, pool
  const baselines = [];
  for (const [name, call] of Object.entries(SQL_FUNCTIONS)) {
    const before = cpuSnapshot({ bench: Deno.pid });
    const measured = await direct(db, users, today, call);
    baselines.push({
      name,
      ...measured,
      cpu: cpuPerOperation(before, cpuSnapshot({ bench: Deno.pid }), measured.calls, COMMANDS),
    });
  }
  const [baseline] = baselines;
  // The embedded database has one owner at a time: the app opens it next.
  await db.close();

  const script = `${dataDir}/checkin.lua`;
  await Deno.writeTextFile(script, luaScript(users, today));
  const app = await spawnApp("main.ts", { DATA_DIR: dataDir, ...databaseEnv() });
  let result;
  let appCpu: Record<string, number> = {};
  try {
    await wrk(app.url, { seconds: 2, connections, script });
    const cpu = cpuDuring({ app: app.child.pid, bench: Deno.pid });
    result = await wrk(app.url, { seconds, connections, script });
    appCpu = cpuPerRequest(await cpu.stop(), result.requestsPerSec, COMMANDS);
  } finally {
    await app.stop();
  }
  for (const measured of baselines) {
    report("checkin_sql_direct", {
      function: measured.name,
      pinned,
      backend: db.backend,
      callsPerSec: round(measured.callsPerSec, 0),
      p50Ms: measured.p50Ms,
      p99Ms: measured.p99Ms,
      inFlight: connections,
      cpuMsPerCall: measured.cpu,
    });
  }
  report(pinned ? "checkin_post_pinned" : "checkin_post", {
    backend: db.backend,
    pinned,
    rps: round(result.requestsPerSec, 0),
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    non2xx: result.non2xx,
    users: users.length,
    cpuMsPerRequest: appCpu,
  }, {
    figure: `POST /api/habits/:id/checkins throughput${pinned ? ", database on its own core" : ""}`,
    value: round(result.requestsPerSec, 0),
    unit: "req/s",
    baseline: "its SQL function, checkin_with_history, called directly through the same pool",
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
  await unpin();
}
