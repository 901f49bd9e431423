/**
 * `deno task restore [--force] [--dry-run] FILE`: restores a backup that
 * `deno task backup` (or the daily schedule) wrote into the database the environment
 * names, then runs the migrations (`app/backup/restore.ts`). Exits 0 or 1 with a JSON
 * log line saying what happened or why not.
 *
 * - The file is verified first (length and sha-256); a damaged one is refused.
 * - The target must be empty; `--force` replaces its contents (Postgres: the `public`
 *   schema, in the same transaction as the restore; embedded: the old data directory
 *   is kept beside the new one as `pglite.replaced-<time>`).
 * - `--dry-run` checks the file and the target and changes nothing.
 * - Stop the app first: embedded, it holds the database open; on Postgres, writes made
 *   during a restore would be lost or refused.
 *
 * @example
 * ```sh
 * createdb -h 10.0.0.5 -U cg consistencygrid_restored
 * DATABASE_URL=postgres://cg@10.0.0.5:5432/consistencygrid_restored deno task restore backups/consistencygrid-20261129T230000Z-m011-postgres.cgbackup
 * # {"time":"…","level":"info","msg":"restore.done","backend":"postgres","migration":"011_backups",…}
 * ```
 */
import { parseArgs } from "node:util";
import { restoreBackup } from "@/app/backup/restore.ts";
import { loadConfig } from "@/lib/config.ts";
import { flushLogs, log, setLogLevel } from "@/lib/log.ts";

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { force: { type: "boolean", default: false }, "dry-run": { type: "boolean", default: false } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1) {
    log.error("restore.failed", { error: "usage: deno task restore [--force] [--dry-run] FILE" });
    return 2;
  }
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const started = performance.now();
  const result = await restoreBackup(positionals[0], config, { force: values.force, dryRun: values["dry-run"] });
  log.info(result.dryRun ? "restore.checked" : "restore.done", {
    file: positionals[0],
    backend: result.backend,
    migration: result.manifest.migration.name,
    createdAt: result.manifest.createdAt,
    replaced: result.replaced,
    ...(result.movedAside ? { movedAside: result.movedAside } : {}),
    migrationsApplied: result.migrationsApplied,
    ms: Math.round(performance.now() - started),
  });
  return 0;
}

if (import.meta.main) {
  let code = 1;
  try {
    code = await main(Deno.args);
  } catch (error) {
    log.error("restore.failed", { error: error instanceof Error ? error.message : String(error) });
  }
  flushLogs();
  Deno.exit(code);
}
