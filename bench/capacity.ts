/**
 * Writes `docs/capacity.md`: measures, in process, what each route of the load mix
 * costs (CPU, Postgres statements counted through the `Db` the app gets, KV operations
 * counted through the `Deno.Kv` it gets) and the bytes a stored row takes, then runs the
 * model in `bench/capacity_model.ts` with the latest `bench/RESULTS.md`.
 *
 *   deno task capacity [--results bench/RESULTS.md] [--out docs/capacity.md] [--requests 200]
 *
 * Embedded by default; with `DATABASE_URL` set (scripts/pg_local.sh env) on Postgres.
 */
import process from "node:process";
import { parseArgs } from "node:util";
import manifest from "@/fresh.gen.ts";
import { createApp } from "@/app/app.ts";
import { closeServices, loadAssets, openServices } from "@/app/server.ts";
import type { Services } from "@/app/state.ts";
import type { Db, DbQueries } from "@/db/client.ts";
import { localDay } from "@/domain/calendar.ts";
import { loadConfig } from "@/lib/config.ts";
import { kvUsage } from "@/lib/cache/kv_usage.ts";
import { setLogLevel, setLogSink } from "@/lib/log.ts";
import { LOCAL_POLICIES } from "@/lib/rate_limit/policies.ts";
import {
  capacityMarkdown,
  parseResultsLines,
  resultsDate,
  type RouteCost,
  type StorageCost,
} from "./capacity_model.ts";
import { deleteUsers, seedUsers } from "./seed_users.ts";
import { LOAD_MIX, ROOT } from "./support.ts";

/** Counters the wrapped Db and Kv add to. */
interface Counters {
  statements: number;
  statementMs: number;
  transactions: number;
  kvReads: number;
  kvWrites: number;
}

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;

/** A postgres.js `sql` that counts every query when it is awaited (fragments are never awaited alone). */
function countingSql<T extends AnyFn>(sql: T, counters: Counters): T {
  const track = <Q>(query: Q): Q => {
    if (query && typeof (query as { then?: unknown }).then === "function") {
      const q = query as unknown as { then: AnyFn };
      const then = q.then;
      let counted = false;
      q.then = function (this: unknown, ...args: unknown[]) {
        if (!counted) {
          counted = true;
          counters.statements++;
          const started = performance.now();
          const done = () => counters.statementMs += performance.now() - started;
          return then.call(this, (v: unknown) => (done(), v), (e: unknown) => {
            done();
            throw e;
          }).then(...args);
        }
        return then.apply(this, args);
      };
    }
    return query;
  };
  return new Proxy(sql, {
    apply: (target, self, args) => track(Reflect.apply(target, self, args)),
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (key === "unsafe" && typeof value === "function") {
        return (...args: unknown[]) => track((value as AnyFn).apply(target, args));
      }
      return value;
    },
  });
}

function countingQueries(queries: DbQueries, counters: Counters): DbQueries {
  return {
    sql: countingSql(queries.sql, counters),
    tx(fn) {
      counters.transactions++;
      return queries.tx((tx) => fn(countingSql(tx, counters)));
    },
  };
}

/** The Db the app gets: the same database, every statement counted. */
function countingDb(db: Db, counters: Counters): Db {
  return {
    ...countingQueries(db, counters),
    backend: db.backend,
    ping: (ms) => db.ping(ms),
    close: (ms) => db.close(ms),
    withTimeout: (ms) => countingQueries(db.withTimeout(ms), counters),
  };
}

/** The Kv the app gets: every read, write and commit counted. */
function countingKv(kv: Deno.Kv, counters: Counters): Deno.Kv {
  return new Proxy(kv, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      if (key === "get" || key === "getMany" || key === "list") {
        return (...args: unknown[]) => (counters.kvReads++, value.apply(target, args));
      }
      if (key === "set" || key === "delete" || key === "enqueue") {
        return (...args: unknown[]) => (counters.kvWrites++, value.apply(target, args));
      }
      if (key === "atomic") {
        return () => {
          const op = value.call(target) as Deno.AtomicOperation;
          const commit = op.commit.bind(op);
          op.commit = () => (counters.kvWrites++, commit());
          return op;
        };
      }
      return value.bind(target);
    },
  });
}

const { values } = parseArgs({
  strict: false,
  options: {
    results: { type: "string", default: `${ROOT}/bench/RESULTS.md` },
    out: { type: "string", default: `${ROOT}/docs/capacity.md` },
    requests: { type: "string", default: "200" },
  },
});
const USERS = 50;
// Every measured request meets a user the warm-up already served (a cached read is cached).
const requests = Math.max(USERS, Math.ceil(Number(values.requests) / USERS) * USERS);

/** Sends `requests` requests built by `make(i)` (after a warm-up pass) and returns the cost of one. */
async function measure(
  app: { fetch(req: Request): Response | Promise<Response> },
  counters: Counters,
  route: string,
  mixShare: number,
  make: (i: number) => Request,
): Promise<RouteCost> {
  const send = async (i: number) => {
    const res = await app.fetch(make(i));
    const body = await res.text();
    if (res.status >= 400) throw new Error(`${route}: ${res.status} ${body.slice(0, 300)}`);
  };
  for (let i = 0; i < requests; i++) await send(i); // warm-up: JIT, caches filled
  Object.assign(counters, { statements: 0, statementMs: 0, transactions: 0, kvReads: 0, kvWrites: 0 });
  const used = process.cpuUsage();
  for (let i = 0; i < requests; i++) await send(i + requests);
  const { user, system } = process.cpuUsage(used);
  return {
    route,
    mixShare,
    cpuMs: (user + system) / 1000 / requests,
    statements: counters.statements / requests,
    transactions: counters.transactions / requests,
    kvReads: counters.kvReads / requests,
    kvWrites: counters.kvWrites / requests,
    statementMs: counters.statements ? counters.statementMs / counters.statements : 0,
  };
}

/**
 * Bytes per check-in and activity row (table + indexes): the size growth of 20,000 rows
 * written for the seeded users, so a small table's empty pages do not count.
 */
async function storageCost(db: Db, backend: string, activityPerCheckin: number): Promise<StorageCost> {
  const sizes = async () => {
    const [row] = await db.sql<{ checkins: number; activity: number }[]>`
      select pg_total_relation_size('checkins')::float8 as checkins,
             pg_total_relation_size('activity')::float8 as activity`;
    return row;
  };
  const before = await sizes();
  const [{ n: checkins }] = await db.sql<{ n: number }[]>`
    with ins as (
      insert into checkins (habit_id, user_id, day, status)
      select h.id, h.user_id, current_date - 40 - d, 'done'
      from habits h cross join generate_series(0, 399) as d
      where h.name = 'Bench habit'
      on conflict do nothing
      returning 1
    ) select count(*)::int as n from ins`;
  const [{ n: activity }] = await db.sql<{ n: number }[]>`
    with ins as (
      insert into activity (user_id, action, object_type, object_id, details)
      select h.user_id, 'checkin.saved', 'habit', h.id::text, jsonb_build_object('day', current_date - d, 'status', 'done')
      from habits h cross join generate_series(0, 399) as d
      where h.name = 'Bench habit'
      returning 1
    ) select count(*)::int as n from ins`;
  const after = await sizes();
  return {
    backend,
    checkinBytes: (after.checkins - before.checkins) / Math.max(1, checkins),
    activityBytes: (after.activity - before.activity) / Math.max(1, activity),
    activityRowsPerCheckin: activityPerCheckin,
    kvBytesPerUser: 0,
  };
}

if (import.meta.main) {
  const resultsMd = await Deno.readTextFile(values.results as string);
  const dataDir = await Deno.makeTempDir();
  setLogLevel("warn");
  const restore = setLogSink((level, line) => {
    if (level === "error") console.error(line);
  });
  // A few hundred requests from a handful of users would meet the per-user limits; the
  // limiter still runs (and is counted), only its budgets are raised.
  for (const policy of Object.values(LOCAL_POLICIES)) (policy as { limit: number }).limit = Number.MAX_SAFE_INTEGER;
  const counters: Counters = { statements: 0, statementMs: 0, transactions: 0, kvReads: 0, kvWrites: 0 };
  let opened: Services | undefined;
  try {
    opened = await openServices({ ...loadConfig(), dataDir, kvPath: `${dataDir}/kv.sqlite3`, logLevel: "warn" });
    const services = { ...opened, db: countingDb(opened.db, counters), kv: countingKv(opened.kv, counters) };
    const backend = opened.db.backend === "pglite" ? "embedded PGlite" : "Postgres (DATABASE_URL)";
    const users = await seedUsers(opened.db, USERS, 30);
    try {
      const { assets, staticFiles } = await loadAssets();
      const app = createApp({ services, manifest, assets, staticFiles });
      const at = (i: number) => users[i % users.length];
      const today = localDay("UTC");
      const url = (path: string) => `http://127.0.0.1${path}`;
      const bearer = (i: number) => ({ authorization: `Bearer ${at(i).token}` });
      const [{ n: activityBefore }] = await opened.db.sql<{ n: number }[]>`select count(*)::int as n from activity`;
      const checkin = await measure(
        app,
        counters,
        "POST /api/habits/:id/checkins",
        LOAD_MIX.checkins,
        (i) =>
          new Request(url(`/api/habits/${at(i).habitId}/checkins`), {
            method: "POST",
            headers: { ...bearer(i), "content-type": "application/json" },
            // Alternate per user: each request changes the day, as a real toggle does.
            body: JSON.stringify({ date: today, status: Math.floor(i / users.length) % 2 ? "none" : "done" }),
          }),
      );
      const [{ n: activityAfter }] = await opened.db.sql<{ n: number }[]>`select count(*)::int as n from activity`;
      const costs: RouteCost[] = [
        await measure(
          app,
          counters,
          "GET /api/habits (cached)",
          LOAD_MIX.cachedReads,
          (i) => new Request(url("/api/habits"), { headers: bearer(i) }),
        ),
        checkin,
        await measure(
          app,
          counters,
          "GET /app",
          LOAD_MIX.dashboards,
          (i) => new Request(url("/app"), { headers: { cookie: `cg_session=${at(i).session}` } }),
        ),
        await measure(app, counters, "GET /api/health", 0, () => new Request(url("/api/health"))),
      ];
      const storage = await storageCost(opened.db, backend, (activityAfter - activityBefore) / (2 * requests));
      storage.kvBytesPerUser = (await kvUsage(opened.kv)).total.bytes / USERS;
      const md = capacityMarkdown({
        lines: parseResultsLines(resultsMd),
        resultsDate: resultsDate(resultsMd),
        costs,
        storage,
        when: new Date(),
        loadAverage: Deno.loadavg().map((n) => n.toFixed(1)).join(" "),
      });
      await Deno.writeTextFile(values.out as string, md);
      // The document is checked by `deno fmt --check` like every other.
      await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", values.out as string], cwd: ROOT }).output();
      console.log(JSON.stringify({ bench: "capacity", out: values.out, costs, storage }));
    } finally {
      await deleteUsers(opened.db, users);
    }
  } finally {
    if (opened) await closeServices(opened);
    restore();
    await Deno.remove(dataDir, { recursive: true });
  }
}
