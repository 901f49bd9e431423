/**
 * `deno task backup [--out FILE|FOLDER]`: writes one backup of the database the
 * environment names (`app/backup/backup.ts`) and logs where, as JSON lines; exits 0 or 1.
 *
 * - Postgres (`DATABASE_URL`): `pg_dump` (Debian's postgresql-client) over
 *   `DATABASE_URL_DIRECT` (required when `DATABASE_URL` goes through PgBouncer).
 * - Embedded: the data directory under `DATA_DIR`; the server must be stopped (it holds
 *   the database open). A running server makes its own daily backups with `BACKUP_DIR`.
 *
 * Without `--out` the file goes to `BACKUP_DIR`, else `DATA_DIR/backups`, named
 * `consistencygrid-<UTC time>-m<migration>-<backend>.cgbackup`. Manual backups are
 * never pruned by the daily schedule's retention.
 *
 * @example
 * ```sh
 * DATABASE_URL=postgres://cg@10.0.0.5:6432/consistencygrid PGBOUNCER=true \
 *   DATABASE_URL_DIRECT=postgres://cg@10.0.0.5:5432/consistencygrid deno task backup --out /var/backups/cg/
 * # {"time":"…","level":"info","msg":"backup.done","file":"/var/backups/cg/consistencygrid-20261129T230000Z-m011-postgres.cgbackup",…}
 * ```
 */
import { parseArgs } from "node:util";
import { openDb } from "@/db/client.ts";
import { createBackup, directDatabaseUrl } from "@/app/backup/backup.ts";
import { loadConfig } from "@/lib/config.ts";
import { flushLogs, log, setLogLevel } from "@/lib/log.ts";

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: "string" } }, strict: true, allowPositionals: false });
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const directUrl = config.databaseUrl ? directDatabaseUrl(config) : undefined;
  const target = await outputTarget(values.out, config.backupDir ?? `${config.dataDir}/backups`);
  const started = performance.now();
  const db = await openDb(config);
  try {
    const { path, manifest } = await createBackup(db, {
      ...target,
      directUrl,
      appVersion: config.version,
      kind: "manual",
    });
    log.info("backup.done", {
      file: path,
      backend: manifest.backend,
      migration: manifest.migration.name,
      bytes: manifest.bytes,
      sha256: manifest.sha256,
      ms: Math.round(performance.now() - started),
    });
    return 0;
  } finally {
    await db.close();
  }
}

/** `--out` names a folder (existing, or ending in `/`) or a file; default the backup folder. */
async function outputTarget(
  out: string | undefined,
  defaultFolder: string,
): Promise<{ folder?: string; path?: string }> {
  const folder = out === undefined ? defaultFolder : out.endsWith("/") ? out.replace(/\/+$/, "") || "/" : undefined;
  if (folder !== undefined) {
    await Deno.mkdir(folder, { recursive: true });
    return { folder };
  }
  const stat = await Deno.stat(out!).catch(() => null);
  return stat?.isDirectory ? { folder: out } : { path: out };
}

if (import.meta.main) {
  let code = 1;
  try {
    code = await main(Deno.args);
  } catch (error) {
    log.error("backup.failed", { error: error instanceof Error ? error.message : String(error) });
  }
  flushLogs();
  Deno.exit(code);
}
