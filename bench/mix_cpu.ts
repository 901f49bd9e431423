/**
 * The load mix's cost without HTTP and wrk: the same requests as bench/load_mix.ts (70 %
 * cached `GET /api/habits`, 20 % check-ins, 10 % `/app`, a random user of 500 each), 25
 * in flight through `app.fetch` in this process, after a warm-up that gives every user's
 * credentials a first lookup. Prints what the machine spent per request, by process
 * (this app, Postgres, PgBouncer, the rest, idle), the app's main thread alone, and how
 * often each read was served from the cache.
 *
 * Its baseline is the budget the target sets: 3,000 requests/s on this machine's
 * cores leaves `cores × 1000 / 3000` ms of CPU per request for everything (app, Postgres,
 * PgBouncer; wrk not counted here). What the machine spends above that is what the
 * target is missing by, and the split says where (docs/performance.md, "The load mix").
 *
 *   deno run -A bench/mix_cpu.ts [--requests 8000] [--users 500]   # embedded, or DATABASE_URL
 */
import { parseArgs } from "node:util";
import manifest from "@/fresh.gen.ts";
import { createApp } from "@/app/app.ts";
import { closeServices, loadAssets, openServices } from "@/app/server.ts";
import { deleteUsers, seedUsers } from "./seed_users.ts";
import { localDay } from "@/domain/calendar.ts";
import { loadConfig } from "@/lib/config.ts";
import { setLogSink } from "@/lib/log.ts";
import { cpuPerOperation, cpuSnapshot, LOAD_MIX, report, round } from "./support.ts";

const { values } = parseArgs({
  strict: false,
  options: {
    requests: { type: "string", default: "8000" },
    users: { type: "string", default: "500" },
  },
});
const requests = Number(values.requests);
const IN_FLIGHT = 25;
/** The target for one instance. */
const TARGET_RPS = 3000;

/** CPU time of the calling thread in ms (Linux), 0 elsewhere. */
function threadCpuMs(): number {
  try {
    const fields = Deno.readTextFileSync("/proc/thread-self/stat").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

setLogSink(() => {}); // the log lines are the pipeline's work, not their printing
const dataDir = await Deno.makeTempDir();
const services = await openServices({ ...loadConfig(), dataDir, kvPath: `${dataDir}/kv.sqlite3`, logLevel: "info" });
const users = await seedUsers(services.db, Number(values.users));
try {
  const { assets, staticFiles } = await loadAssets();
  const app = createApp({ services, manifest, assets, staticFiles });
  const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 } };
  const today = localDay("UTC");
  const served: Record<string, number> = {};
  let flip = 0;

  /** One request of the mix, as bench/load_mix.ts's wrk script makes them. */
  const one = async () => {
    const user = users[Math.floor(Math.random() * users.length)];
    const r = Math.random();
    let kind: string;
    let request: Request;
    if (r < LOAD_MIX.cachedReads) {
      kind = "read";
      request = new Request("http://127.0.0.1/api/habits", { headers: { authorization: `Bearer ${user.token}` } });
    } else if (r < LOAD_MIX.cachedReads + LOAD_MIX.checkins) {
      kind = "checkin";
      flip = 1 - flip;
      request = new Request(`http://127.0.0.1/api/habits/${user.habitId}/checkins`, {
        method: "POST",
        headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
        body: JSON.stringify({ date: today, status: flip ? "done" : "none" }),
      });
    } else {
      kind = "app";
      request = new Request("http://127.0.0.1/app", { headers: { cookie: `cg_session=${user.session}` } });
    }
    const response = await app.fetch(request, info);
    if (response.status >= 400) throw new Error(`${kind}: ${response.status} ${await response.text()}`);
    const cache = response.headers.get("x-cache");
    const key = cache ? `${kind} ${cache.toLowerCase()}` : kind;
    served[key] = (served[key] ?? 0) + 1;
    await response.arrayBuffer();
  };
  const run = async (count: number) => {
    let started = 0;
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (started++ < count) await one();
    }));
  };

  await run(users.length * 6); // every credential looked up and confirmed, caches warm
  for (const key of Object.keys(served)) delete served[key];
  const before = cpuSnapshot({ app: Deno.pid });
  const mainBefore = threadCpuMs();
  const started = performance.now();
  await run(requests);
  const seconds = (performance.now() - started) / 1000;
  const mainMs = threadCpuMs() - mainBefore;
  const cpu = cpuPerOperation(before, cpuSnapshot({ app: Deno.pid }), requests, ["app", "postgres", "pgbouncer"]);
  const budgetMs = navigator.hardwareConcurrency * 1000 / TARGET_RPS;
  const spentMs = cpu.app + cpu.postgres + cpu.pgbouncer;
  report("mix_cpu", {
    backend: services.db.backend,
    requests,
    inFlight: IN_FLIGHT,
    rps: round(requests / seconds, 0),
    cpuMsPerRequest: cpu,
    appMainThreadMsPerRequest: round(mainMs / requests, 3),
    served,
  }, {
    figure: "load mix in process: CPU per request (app + Postgres + PgBouncer)",
    value: round(spentMs, 3),
    unit: "ms",
    baseline: `the CPU per request ${TARGET_RPS} req/s leaves on ${navigator.hardwareConcurrency} cores`,
    baselineValue: round(budgetMs, 3),
    higherIsBetter: false,
  });
} finally {
  if (Deno.env.get("DATABASE_URL")) await deleteUsers(services.db, users);
  await closeServices(services);
  await Deno.remove(dataDir, { recursive: true });
}
