/**
 * The memory of the heaviest requests, against the V8 heap ceiling the app runs with:
 * one user imports the largest Loop export the caps allow (100,000 check-ins,
 * tests/support/max_import.ts), then downloads it as JSON (~31 MB) and as the CSV zip.
 * Prints each request's status and time, and the app's peak RSS and V8 heap (from its
 * `MEMORY_LOG_MS` lines) next to `--max-old-space-size` of `deno task start`: a heap that
 * outgrows it ends the process (docs/performance.md, "Memory").
 *
 *   deno run -A bench/heavy_memory.ts                 # embedded PGlite
 *   eval "$(scripts/pg_local.sh env /tmp/pg)" && deno run -A bench/heavy_memory.ts
 */
import { openDb } from "@/db/client.ts";
import { migrate } from "@/db/migrate.ts";
import { localDay } from "@/domain/calendar.ts";
import { loadConfig } from "@/lib/config.ts";
import type { MemorySample } from "@/lib/memory_log.ts";
import { maxLoopZip } from "@/tests/support/max_import.ts";
import { deleteUsers, seedUsers } from "./seed_users.ts";
import { report, round, spawnApp, START_V8_FLAGS } from "./support.ts";

const v8Flags = Deno.env.get("BENCH_V8_FLAGS") ?? START_V8_FLAGS;
const ceilingMb = Number(/--max-old-space-size=(\d+)/.exec(v8Flags)?.[1] ?? NaN);
const pooled = Deno.env.get("DATABASE_URL");
const dir = await Deno.makeTempDir();
const config = { ...loadConfig(), dataDir: dir, logLevel: "warn" as const };
const seeded = await (async () => {
  const db = await openDb(config);
  try {
    await migrate(db);
    const users = await seedUsers(db, 1);
    // The seeded habit would count against the import's plan limit (10 active habits).
    await db.sql`delete from habits where id = ${users[0].habitId}`;
    return users;
  } finally {
    await db.close();
  }
})();
const samples: MemorySample[] = [];
const app = await spawnApp("main.ts", {
  DATABASE_URL: pooled ?? "",
  PGBOUNCER: pooled ? "true" : "",
  DATA_DIR: dir,
  DENO_KV_PATH: `${dir}/kv.sqlite3`,
  MEMORY_LOG_MS: "100",
}, (line) => {
  if (line.includes('"msg":"memory"')) samples.push(JSON.parse(line));
});
try {
  const auth = { Authorization: `Bearer ${seeded[0].token}` };
  const timed = async (name: string, request: () => Promise<Response>) => {
    const started = performance.now();
    const res = await request();
    const bytes = (await res.arrayBuffer()).byteLength;
    return { name, status: res.status, bytes, ms: round(performance.now() - started, 0) };
  };
  const form = new FormData();
  form.append("file", new File([maxLoopZip(localDay("UTC"))], "loop.zip", { type: "application/zip" }));
  const requests = [
    await timed("import", () => fetch(`${app.url}/api/import`, { method: "POST", headers: auth, body: form })),
    await timed("export_json", () => fetch(`${app.url}/api/export?format=json`, { headers: auth })),
    await timed("export_csv", () => fetch(`${app.url}/api/export?format=csv`, { headers: auth })),
  ];
  await new Promise((resolve) => setTimeout(resolve, 300));
  const peak = (key: keyof MemorySample) => Math.max(0, ...samples.map((s) => s[key]));
  report("heavy_memory", {
    backend: pooled ? "postgres" : "pglite",
    v8Flags,
    requests,
    peakRssMb: peak("rssMb"),
    peakHeapTotalMb: peak("heapTotalMb"),
  }, {
    figure: "peak V8 heap used: max-size import, then its JSON and CSV export",
    value: peak("heapUsedMb"),
    unit: "MB",
    baseline: "--max-old-space-size (the ceiling)",
    baselineValue: ceilingMb,
    higherIsBetter: false,
  });
} finally {
  await app.stop();
  if (pooled) {
    const db = await openDb(config);
    await deleteUsers(db, seeded);
    await db.close();
  }
  await Deno.remove(dir, { recursive: true });
}
