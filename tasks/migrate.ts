/**
 * `deno task migrate`: applies pending `sql/NNN_name.sql` migrations to the
 * database the environment names (`DATABASE_URL`, else embedded PGlite in
 * `DATA_DIR`), logs what it applied as JSON lines, exits 0 or 1.
 *
 * @example
 * ```sh
 * DATABASE_URL=postgres://cg@127.0.0.1:64329/consistencygrid PGBOUNCER=true deno task migrate
 * # {"time":"…","level":"info","msg":"db.migration.applied","name":"001_plans","ms":12}
 * # {"time":"…","level":"info","msg":"migrate.done","backend":"postgres","applied":["001_plans"]}
 * ```
 */
import { openDb } from "@/db/client.ts";
import { migrate } from "@/db/migrate.ts";
import { loadConfig } from "@/lib/config.ts";
import { log, setLogLevel } from "@/lib/log.ts";

async function main(): Promise<number> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const db = await openDb(config);
  try {
    const { applied } = await migrate(db);
    log.info("migrate.done", { backend: db.backend, applied });
    return 0;
  } catch (error) {
    log.error("migrate.failed", { backend: db.backend, error });
    return 1;
  } finally {
    await db.close();
  }
}

if (import.meta.main) {
  let code = 1;
  try {
    code = await main();
  } catch (error) {
    log.error("migrate.failed", { error });
  }
  Deno.exit(code);
}
