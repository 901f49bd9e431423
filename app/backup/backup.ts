/**
 * Making a backup of the app's database, whichever backend it is:
 *
 * - Postgres (`DATABASE_URL`): `pg_dump --format=custom` over the direct connection
 *   (`lib/backup/postgres_tools.ts` says why not through PgBouncer). One snapshot.
 * - Embedded PGlite: its data directory as a gzipped tarball (`dumpDataDir`), taken
 *   between two statements of its single session, so it is the state of the last
 *   commit; a transaction still open is rolled back when it is restored, as after
 *   a crash.
 *
 * Either way the file is written atomically, named with its time, migration version
 * and backend, and checksummed (`lib/backup/file.ts`).
 *
 * @example
 * ```ts
 * const { path, manifest } = await createBackup(services.db, {
 *   directUrl: config.databaseUrlDirect,
 *   folder: "/var/backups/consistencygrid",
 *   appVersion: config.version,
 *   kind: "manual",
 * });
 * ```
 */
import type { Db, EmbeddedDb } from "@/db/client.ts";
import type { Config } from "@/lib/config.ts";
import { writeBackupFile, type WrittenBackup } from "@/lib/backup/file.ts";
import { backupFileName, type BackupManifest } from "@/lib/backup/format.ts";
import { pgDump, pgDumpVersion } from "@/lib/backup/postgres_tools.ts";

export interface CreateBackupOptions {
  /** Where to write: a folder (the file gets its standard name) … */
  folder?: string;
  /** … or an exact file path (`--out`). */
  path?: string;
  /** Postgres only: a direct (unpooled) URL of the same database. */
  directUrl?: string;
  appVersion: string;
  kind: BackupManifest["kind"];
  /** The time in the name and manifest; default now. */
  now?: Date;
  /** Aborts the dump (pg_dump is killed; nothing is left behind). */
  signal?: AbortSignal;
}

/** A backup that cannot be made as configured; the message says what to change. */
export class BackupConfigError extends Error {
  override name = "BackupConfigError";
}

/**
 * The URL pg_dump and psql may use: `DATABASE_URL_DIRECT`, else `DATABASE_URL` unless it
 * goes through PgBouncer (whose transaction pooling session-level tools would corrupt).
 */
export function directDatabaseUrl(config: Pick<Config, "databaseUrl" | "databaseUrlDirect" | "pgBouncer">): string {
  if (config.databaseUrlDirect) return config.databaseUrlDirect;
  if (!config.databaseUrl) throw new BackupConfigError("DATABASE_URL is not set: this is the embedded database");
  if (config.pgBouncer) {
    throw new BackupConfigError(
      "backups and restores need a direct connection to Postgres, not PgBouncer (pg_dump and psql keep " +
        "session settings that transaction pooling would leak into the app's connections): set " +
        "DATABASE_URL_DIRECT to the server's own address",
    );
  }
  return config.databaseUrl;
}

/** Writes a backup of `db`; returns where, and its manifest. */
export async function createBackup(db: Db, options: CreateBackupOptions): Promise<WrittenBackup> {
  const createdAt = options.now ?? new Date();
  const [migration] = await db.sql<{ version: number; name: string }[]>`
    select version, name from schema_migrations order by version desc limit 1`;
  if (!migration) throw new Error("the database has no migrations applied: there is nothing to back up");
  const [{ version: serverVersion }] = await db.sql<{ version: string }[]>`select version()`;
  const path = options.path ??
    `${options.folder ?? "."}/${
      backupFileName({ createdAt, migration: migration.version, backend: db.backend, kind: options.kind })
    }`;
  const common = {
    backend: db.backend,
    createdAt: createdAt.toISOString(),
    migration: { version: migration.version, name: migration.name },
    serverVersion,
    appVersion: options.appVersion,
    kind: options.kind,
  };
  if (db.backend === "postgres") {
    if (!options.directUrl) throw new BackupConfigError("a Postgres backup needs the direct database URL");
    const directUrl = options.directUrl;
    const tool = await pgDumpVersion();
    return await writeBackupFile(
      path,
      { ...common, payload: "pg_dump-custom", tool },
      (write) => pgDump(directUrl, write, options.signal),
    );
  }
  const tarball = await (db as EmbeddedDb).dump();
  options.signal?.throwIfAborted();
  return await writeBackupFile(
    path,
    { ...common, payload: "pglite-datadir-tar-gz", tool: "PGlite dumpDataDir" },
    async (write) => {
      const gzipped = new Blob([tarball]).stream().pipeThrough(new CompressionStream("gzip"));
      for await (const chunk of gzipped) await write(chunk);
    },
  );
}
