/**
 * Dashboard render cost for a heavy user: 20 habits (a mix of yes/no and numeric, daily,
 * weekly and chosen weekdays) with a year of check-ins each (~5,500 rows, written in one
 * `INSERT … SELECT generate_series`). Times, over N runs after a warm-up:
 *
 * - `fetchMs`: the route's handler (`routes/app.tsx` GET: its queries);
 * - `renderMs`: the page to a whole HTML document (statistics, grids, islands' props);
 * - `requestMs`: `GET /app` through the whole app in process (auth, middleware, both);
 *
 * each as median and p95, and the HTML's size raw and gzipped. Embedded PGlite by
 * default, `DATABASE_URL` when set (the user it creates is deleted at the end).
 *
 *   deno run -A bench/dashboard.ts [--runs 50] [--habits 20] [--days 365]
 */
import { parseArgs } from "node:util";
import manifest from "@/fresh.gen.ts";
import { type Db, openDb } from "@/db/client.ts";
import { createHabit, type HabitInput } from "@/db/habits.ts";
import { migrate } from "@/db/migrate.ts";
import { createSession, findUserBySession } from "@/db/users.ts";
import { createApp } from "@/app/app.ts";
import { newSecret, sha256Hex } from "@/lib/auth/secret.ts";
import { addDays, localDay } from "@/domain/calendar.ts";
import { loadConfig } from "@/lib/config.ts";
import { setLogLevel } from "@/lib/log.ts";
import { islandEntries } from "@/lib/fresh/islands/server.ts";
import { isPageResult } from "@/lib/fresh/define.ts";
import type { FreshContext, PageProps } from "fresh";
import { renderDocument } from "@/lib/fresh/render.ts";
import { loadAssets } from "@/app/server.ts";
import type { Services, State } from "@/app/state.ts";
import { report, round } from "./support.ts";

/** The habits a heavy user has, cycled: every kind and schedule the grid draws. */
const HABIT_MIX: HabitInput[] = [
  { name: "Read", kind: "numeric", target: 20, unit: "pages" },
  { name: "Meditate" },
  { name: "Run", kind: "numeric", target: 5, unit: "km", schedule: { type: "weekdays", days: [1, 3, 5] } },
  { name: "Strength training", schedule: { type: "weekly", times: 3 } },
  { name: "No sugar" },
  { name: "Journal", schedule: { type: "weekdays", days: [1, 2, 3, 4, 5] } },
  { name: "Water", kind: "numeric", target: 8, unit: "glasses" },
  { name: "Call family", schedule: { type: "weekly", times: 1 } },
];

/**
 * Creates `habits` habits for the user, started `days` days ago, and writes their
 * check-ins for those days in one statement: about 70 % done (numeric values between
 * half and 1.4 × the target), 6 % skipped, the rest empty, in a fixed pattern.
 */
export async function seedHabitYear(
  db: Db,
  userId: string,
  options: { habits: number; days: number; today: string },
): Promise<void> {
  const start = addDays(options.today, -(options.days - 1));
  for (let i = 0; i < options.habits; i++) {
    const base = HABIT_MIX[i % HABIT_MIX.length];
    const name = i < HABIT_MIX.length ? base.name : `${base.name} ${Math.floor(i / HABIT_MIX.length) + 1}`;
    await createHabit(db, userId, { ...base, name }, start);
  }
  // A deterministic "random" 0..99 per habit and day, so every run measures the same data.
  await db.sql`
    insert into checkins (habit_id, user_id, day, status, value)
    select h.id, h.user_id, d.day,
           case when r.n < 70 then 'done' else 'skipped' end,
           case when r.n < 70 and h.kind = 'numeric' then h.target * (0.5 + (r.n % 10) / 10.0) end
      from habits h
     cross join lateral (
       select g::date as day from generate_series(${start}::date, ${options.today}::date, interval '1 day') g
     ) d
     cross join lateral (select ((h.position * 37 + (d.day - ${start}::date) * 17) % 100) as n) r
     where h.user_id = ${userId}::uuid and r.n < 76`;
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { medianMs: round(at(0.5), 2), p95Ms: round(at(0.95), 2) };
}

async function gzipSize(text: string): Promise<number> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

async function main() {
  const { values } = parseArgs({
    strict: false,
    options: {
      runs: { type: "string", default: "50" },
      habits: { type: "string", default: "20" },
      days: { type: "string", default: "365" },
    },
  });
  const runs = Number(values.runs);
  setLogLevel("warn");
  const config = { ...loadConfig(), dataDir: ":memory:", kvPath: ":memory:", logLevel: "warn" as const };
  const db = await openDb(config);
  const kv = await Deno.openKv(":memory:");
  let userId: string | undefined;
  try {
    await migrate(db);
    const [row] = await db.sql<{ id: string }[]>`
      insert into users (email, password_hash, plan_id)
      values (${`bench-${crypto.randomUUID()}@example.test`}, 'bench: cannot log in', 'pro')
      returning id::text as id`;
    userId = row.id;
    const secret = newSecret();
    await createSession(db, userId, await sha256Hex(secret));
    const user = (await findUserBySession(db, await sha256Hex(secret)))!;
    const today = localDay(user.timezone);
    const seeded = performance.now();
    await seedHabitYear(db, userId, { habits: Number(values.habits), days: Number(values.days), today });
    const [{ n }] = await db.sql<{ n: number }[]>`select count(*) as n from checkins where user_id = ${userId}::uuid`;
    const seedMs = performance.now() - seeded;

    const services: Services = { config, db, kv, startedAt: performance.now() };
    const { assets, staticFiles } = await loadAssets();
    const route = manifest.routes["routes/app.tsx"];
    const handler = route.handler as { GET: (ctx: FreshContext<State>) => Promise<unknown> };
    const shell = {
      app: manifest.routes["routes/_app.tsx"].default as never,
      layouts: [manifest.routes["routes/_layout.tsx"].default as never],
      page: route.default as never,
      islands: islandEntries(manifest.islands),
      assets,
      nonce: "bench",
    };
    const url = new URL("http://localhost/app");
    const state: State = { requestId: "bench", nonce: "bench", services, user, auth: { kind: "token" } };
    const ctx = { req: new Request(url), url, params: {}, state } as unknown as FreshContext<State>;
    const app = createApp({ services, manifest, assets, staticFiles });
    const cookie = `cg_session=${secret}`;

    const fetchMs: number[] = [];
    const renderMs: number[] = [];
    const requestMs: number[] = [];
    let html = "";
    for (let i = -5; i < runs; i++) {
      let t0 = performance.now();
      const result = await handler.GET(ctx);
      const fetched = performance.now() - t0;
      if (!isPageResult(result)) throw new Error("GET /app did not render its page");
      t0 = performance.now();
      const props: Omit<PageProps<unknown, State>, "Component"> = {
        data: result.data,
        url,
        params: {},
        state,
        req: ctx.req,
      };
      html = renderDocument({ ...shell, props });
      const rendered = performance.now() - t0;
      t0 = performance.now();
      const res = await app.request("/app", { headers: { cookie } });
      if (res.status !== 200) throw new Error(`GET /app answered ${res.status}`);
      await res.arrayBuffer();
      const requested = performance.now() - t0;
      if (i >= 0) {
        fetchMs.push(fetched);
        renderMs.push(rendered);
        requestMs.push(requested);
      }
    }
    report("dashboard_render", {
      backend: db.backend,
      habits: Number(values.habits),
      checkins: n,
      runs,
      seedMs: round(seedMs, 0),
      fetch: stats(fetchMs),
      render: stats(renderMs),
      request: stats(requestMs),
      htmlBytes: new TextEncoder().encode(html).byteLength,
      htmlGzipBytes: await gzipSize(html),
    }, {
      figure: "dashboard data + render, median",
      value: round(stats(fetchMs).medianMs + stats(renderMs).medianMs, 2),
      unit: "ms",
      baseline: "target",
      baselineValue: 5,
      higherIsBetter: false,
    });
  } finally {
    if (userId) await db.sql`delete from users where id = ${userId}::uuid`;
    kv.close();
    await db.close();
  }
}

if (import.meta.main) await main();
