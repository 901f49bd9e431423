/**
 * One process of the daily-backup claim race (schedule_test.ts): opens its own pool to
 * the database in argv[0], waits for the start time in argv[3], fires argv[2]
 * concurrent claims for the day in argv[1], prints how many it won as JSON.
 */
import { openPostgresDb } from "@/db/client.ts";
import { claimDailyBackup } from "@/db/backup_runs.ts";

const [url, day, count, startAt] = Deno.args;
const db = openPostgresDb(url, { poolMax: 10, pgBouncer: Deno.env.get("PGBOUNCER") === "true" });
try {
  await db.sql`select 1`;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
  const results = await Promise.all(
    Array.from({ length: Number(count) }, (_, i) => claimDailyBackup(db, day, `worker-${Deno.pid}-${i}`)),
  );
  console.log(JSON.stringify({ won: results.filter(Boolean).length }));
} finally {
  await db.close();
}
