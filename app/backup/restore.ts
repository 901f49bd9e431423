/**
 * Restoring a backup into the database the configuration names, all or nothing:
 *
 * 1. The whole file is checked first (header, length, sha-256): a truncated or corrupt
 *    backup is refused before anything is touched.
 * 2. It must fit: the same backend, and a migration version this code knows.
 * 3. The target must be empty, unless `force` (then its contents are replaced).
 * 4. Postgres: `pg_restore | psql` in one transaction (`lib/backup/postgres_tools.ts`).
 *    Embedded: the data directory is unpacked and started in a folder beside
 *    `DATA_DIR/pglite`, then swapped in by rename; a replaced one is kept, renamed
 *    `pglite.replaced-<time>`, never deleted.
 * 5. Migrations run as at start-up, so an older backup comes up to date.
 *
 * @example
 * ```ts
 * const result = await restoreBackup("backups/consistencygrid-…-postgres.cgbackup", loadConfig(), { force: false });
 * result.migrationsApplied; // ["011_backups"] for a backup made before 011
 * ```
 */
import { type Db, openEmbeddedDb, openPostgresDb } from "@/db/client.ts";
import { migrate, readMigrations } from "@/db/migrate.ts";
import type { Config } from "@/lib/config.ts";
import { directDatabaseUrl } from "./backup.ts";
import { payloadStream, verifyBackupFile } from "@/lib/backup/file.ts";
import type { BackupManifest } from "@/lib/backup/format.ts";
import { pgRestore } from "@/lib/backup/postgres_tools.ts";

export interface RestoreOptions {
  /** Replace a database that is not empty. */
  force: boolean;
  /** Check the file and the target, change nothing. */
  dryRun?: boolean;
}

export interface RestoreResult {
  manifest: BackupManifest;
  backend: BackupManifest["backend"];
  /** The target held data that was replaced (`force`). */
  replaced: boolean;
  /** Embedded: where the replaced data directory was moved. */
  movedAside?: string;
  /** Migrations applied after the restore (a backup older than this code). */
  migrationsApplied: string[];
  dryRun: boolean;
}

/** The backup does not fit the target; the message says what to do instead. */
export class RestoreRefusedError extends Error {
  override name = "RestoreRefusedError";
}

/** Restores `file` into the configured database (see the module doc). */
export async function restoreBackup(
  file: string,
  config: Config,
  options: RestoreOptions,
): Promise<RestoreResult> {
  const manifest = await verifyBackupFile(file);
  const latest = (await readMigrations()).at(-1);
  if (latest && manifest.migration.version > latest.version) {
    throw new RestoreRefusedError(
      `${file} holds a database at migration ${manifest.migration.name}, newer than this code knows ` +
        `(${latest.name}): restore it with the app version that made it (${manifest.appVersion}) or a later one`,
    );
  }
  return config.databaseUrl
    ? await restorePostgres(file, manifest, config, options)
    : await restoreEmbedded(file, manifest, config, options);
}

async function restorePostgres(
  file: string,
  manifest: BackupManifest,
  config: Config,
  options: RestoreOptions,
): Promise<RestoreResult> {
  if (manifest.backend !== "postgres") {
    throw new RestoreRefusedError(
      `${file} holds the embedded (PGlite) database: restore it with DATABASE_URL unset, into DATA_DIR`,
    );
  }
  const url = directDatabaseUrl(config);
  const db = openPostgresDb(url, { poolMax: 1, pgBouncer: false, queryTimeoutMs: 60_000 });
  try {
    const contents = await describeContents(db);
    refuseUnlessEmpty(contents, describeDatabase(url), options);
    const result = { manifest, backend: "postgres" as const, replaced: contents.length > 0, dryRun: !!options.dryRun };
    if (options.dryRun) return { ...result, migrationsApplied: [] };
    await pgRestore(url, payloadStream(file), { replaceSchema: contents.length > 0 });
    const { applied } = await migrate(db);
    return { ...result, migrationsApplied: applied };
  } finally {
    await db.close();
  }
}

async function restoreEmbedded(
  file: string,
  manifest: BackupManifest,
  config: Config,
  options: RestoreOptions,
): Promise<RestoreResult> {
  if (manifest.backend !== "pglite") {
    throw new RestoreRefusedError(
      `${file} is a Postgres dump: set DATABASE_URL (and DATABASE_URL_DIRECT when it goes through PgBouncer) ` +
        "to the server to restore it into",
    );
  }
  if (config.dataDir === ":memory:") {
    throw new RestoreRefusedError("DATA_DIR=:memory: keeps nothing: set DATA_DIR to the folder to restore into");
  }
  await Deno.mkdir(config.dataDir, { recursive: true });
  const dataDir = await Deno.realPath(config.dataDir);
  const live = `${dataDir}/pglite`;
  const hasDatabase = await exists(`${live}/PG_VERSION`);
  let contents: string[] = [];
  if (hasDatabase) {
    // Opening it takes the data directory's lock: a running server makes this fail
    // with a message saying so.
    const current = await openEmbeddedDb({ dataDir });
    try {
      contents = await describeContents(current);
    } finally {
      await current.close();
    }
  }
  refuseUnlessEmpty(contents, `the embedded database in ${live}`, options);
  const result = { manifest, backend: "pglite" as const, replaced: contents.length > 0, dryRun: !!options.dryRun };
  if (options.dryRun) return { ...result, migrationsApplied: [] };

  const tarball = await gunzip(payloadStream(file));
  const staging = `${dataDir}/.restore-${crypto.randomUUID().slice(0, 8)}`;
  let migrationsApplied: string[];
  try {
    const restored = await openEmbeddedDb({ dataDir: staging, loadDataDir: tarball });
    try {
      migrationsApplied = (await migrate(restored)).applied;
    } finally {
      await restored.close();
    }
    const lock = await lockDataDir(dataDir);
    try {
      let movedAside: string | undefined;
      if (await exists(live)) {
        movedAside = `${live}.replaced-${new Date().toISOString().replace(/[-:.]/g, "")}`;
        await Deno.rename(live, movedAside);
      }
      await Deno.rename(`${staging}/pglite`, live);
      return { ...result, migrationsApplied, movedAside };
    } finally {
      lock.close();
    }
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
  }
}

/** `database "x" on host:port`, never the credentials. */
function describeDatabase(url: string): string {
  const parsed = new URL(url);
  return `database "${decodeURIComponent(parsed.pathname.slice(1))}" on ${parsed.host}`;
}

function refuseUnlessEmpty(contents: string[], what: string, options: RestoreOptions): void {
  if (contents.length === 0 || options.force) return;
  const shown = contents.slice(0, 5).join(", ") + (contents.length > 5 ? ", …" : "");
  throw new RestoreRefusedError(
    `${what} is not empty (${contents.length} objects: ${shown}): restore into an empty database, ` +
      "or pass --force to replace everything in it",
  );
}

/** Tables, views, sequences and functions of ours (not the system's or an extension's). */
async function describeContents(db: Db): Promise<string[]> {
  const rows = await db.sql<{ name: string }[]>`
    select n.nspname || '.' || c.relname as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
       and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp)'
       and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
    union all
    select n.nspname || '.' || p.proname || '()'
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp)'
       and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
     order by 1`;
  return rows.map((row) => row.name);
}

/** The same lock `db/embedded.ts` takes: no server may open the folder mid-swap. */
async function lockDataDir(dataDir: string): Promise<Deno.FsFile> {
  const lock = await Deno.open(`${dataDir}/pglite.lock`, { create: true, write: true });
  if (!await lock.tryLock(true)) {
    lock.close();
    throw new RestoreRefusedError(
      `the embedded database in ${dataDir} was opened by another process during the restore: stop it and retry`,
    );
  }
  return lock;
}

async function gunzip(chunks: AsyncIterable<Uint8Array<ArrayBuffer>>): Promise<ArrayBuffer> {
  const stream = ReadableStream.from(chunks).pipeThrough(new DecompressionStream("gzip"));
  return await new Response(stream).arrayBuffer();
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
