/**
 * What a max-size import costs everyone else: other users' read latency (p50/p99) with
 * and without a concurrent import of 100,000 check-ins (~20 MiB inflated, the caps of
 * `domain/import_limits.ts`; tests/support/max_import.ts builds it), in the same process,
 * through the whole app. Embedded PGlite by default (one database session shared by
 * the app: the hard case), `DATABASE_URL` when set.
 *
 * Readers each loop over `GET /api/habits/:id/checkins` (a database read, never cached)
 * for a year of their check-ins, with a pause between requests that keeps them under the
 * per-user read limit. Figures: latencies before the import (baseline) and while it runs,
 * their ratio, the import's own duration, and the slowest single read during it.
 *
 *   deno run -A bench/import_isolation.ts [--readers 20] [--pause 200] [--baseline 10]
 */
import { parseArgs } from "node:util";
import manifest from "@/fresh.gen.ts";
import { openDb } from "@/db/client.ts";
import { migrate } from "@/db/migrate.ts";
import { createApp } from "@/app/app.ts";
import { newSecret, sha256Hex } from "@/lib/auth/secret.ts";
import { addDays, localDay } from "@/domain/calendar.ts";
import { loadConfig } from "@/lib/config.ts";
import { setLogLevel } from "@/lib/log.ts";
import { loadAssets } from "@/app/server.ts";
import type { Services } from "@/app/state.ts";
import { maxLoopZip } from "@/tests/support/max_import.ts";
import { seedHabitYear } from "./dashboard.ts";
import { report, round } from "./support.ts";

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { n: samples.length, p50Ms: round(at(0.5)), p99Ms: round(at(0.99)), maxMs: round(at(1)) };
}

async function main() {
  const { values } = parseArgs({
    strict: false,
    options: {
      readers: { type: "string", default: "20" },
      pause: { type: "string", default: "200" },
      baseline: { type: "string", default: "10" },
    },
  });
  const readerCount = Number(values.readers);
  const pauseMs = Number(values.pause);
  setLogLevel("error");
  const config = { ...loadConfig(), dataDir: ":memory:", kvPath: ":memory:" };
  const db = await openDb(config);
  const kv = await Deno.openKv(":memory:");
  const userIds: string[] = [];
  try {
    await migrate(db);
    const services: Services = { config, db, kv, startedAt: performance.now() };
    const { assets, staticFiles } = await loadAssets();
    const app = createApp({ services, manifest, assets, staticFiles });

    const newUser = async (plan: "free" | "pro") => {
      const [row] = await db.sql<{ id: string }[]>`
        insert into users (email, password_hash, plan_id)
        values (${`bench-${crypto.randomUUID()}@example.test`}, 'bench: cannot log in', ${plan})
        returning id::text as id`;
      userIds.push(row.id);
      const token = newSecret("cgt_");
      await db.sql`insert into api_tokens (user_id, name, token_hash)
                   values (${row.id}, 'bench', ${await sha256Hex(token)})`;
      return { id: row.id, headers: { Authorization: `Bearer ${token}` } };
    };
    const today = localDay("UTC");
    const from = addDays(today, -364);
    const readers: { id: string; headers: Record<string, string>; path: string }[] = [];
    for (let i = 0; i < readerCount; i++) {
      const user = await newUser("pro");
      await seedHabitYear(db, user.id, { habits: 1, days: 365, today });
      const [habit] = await db.sql<{ id: string }[]>`select id::text from habits where user_id = ${user.id}::uuid`;
      readers.push({ ...user, path: `/api/habits/${habit.id}/checkins?from=${from}&to=${today}` });
    }
    const importer = await newUser("free");
    const zip = maxLoopZip(today);

    /** Every reader loops until `stop()` says so; returns each read's latency. */
    const read = async (stop: () => boolean) => {
      const latencies: number[] = [];
      let failures = 0;
      await Promise.all(readers.map(async (reader, i) => {
        // Spread the readers' starts over one pause.
        await new Promise((resolve) => setTimeout(resolve, (pauseMs * i) / readers.length));
        while (!stop()) {
          const started = performance.now();
          const res = await app.request(reader.path, { headers: reader.headers });
          await res.arrayBuffer();
          if (stop()) break;
          latencies.push(performance.now() - started);
          if (res.status !== 200) failures++;
          await new Promise((resolve) => setTimeout(resolve, pauseMs));
        }
      }));
      return { latencies, failures };
    };

    const baselineEnds = performance.now() + Number(values.baseline) * 1000;
    const baseline = await read(() => performance.now() > baselineEnds);

    let importing = true;
    const started = performance.now();
    const form = new FormData();
    form.set("file", new File([zip], "loop.zip"));
    const importDone = Promise.resolve(
      app.request("/api/import", { method: "POST", headers: importer.headers, body: form }),
    )
      .then(async (res) => {
        const body = await res.json();
        importing = false;
        return { status: res.status, body, ms: performance.now() - started };
      });
    const during = await read(() => !importing);
    const imported = await importDone;

    const before = percentiles(baseline.latencies);
    const whileImporting = percentiles(during.latencies);
    report("import_isolation", {
      backend: db.backend,
      readers: readerCount,
      pauseMs,
      import: {
        status: imported.status,
        checkins: imported.body?.imported?.checkins,
        zipBytes: zip.byteLength,
        ms: round(imported.ms, 0),
      },
      baseline: { ...before, failures: baseline.failures },
      duringImport: { ...whileImporting, failures: during.failures },
      ratio: { p50: round(whileImporting.p50Ms / before.p50Ms), p99: round(whileImporting.p99Ms / before.p99Ms) },
    });
  } finally {
    for (const id of userIds) await db.sql`delete from users where id = ${id}::uuid`;
    kv.close();
    await db.close();
  }
}

if (import.meta.main) await main();
