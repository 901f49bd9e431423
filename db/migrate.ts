/**
 * Schema migrations: the files `sql/NNN_name.sql`, applied in order of their
 * number, each exactly once and each in its own transaction, recorded in
 * `schema_migrations` with a sha-256 checksum of the file.
 *
 * Several instances may start at once: each transaction first takes a
 * transaction-level advisory lock (session-level locks do not survive PgBouncer's
 * transaction mode) and re-reads what is applied, so the second instance finds the
 * work done and skips it.
 *
 * An applied migration whose file changed stops start-up with a
 * {@linkcode MigrationChecksumError}: fix forward with a new file instead.
 * A migration cannot use statements that refuse to run in a transaction
 * (`CREATE INDEX CONCURRENTLY`, `VACUUM`).
 *
 * @example
 * ```ts
 * const { applied } = await migrate(db); // ["001_plans", ...] the first time, [] after
 * ```
 */
import type postgres from "postgres";
import { sha256Hex } from "@/lib/auth/secret.ts";
import { log } from "@/lib/log.ts";
import type { Db } from "./client.ts";

/** Where the migrations live: `sql/` at the repository root. */
export const MIGRATIONS_DIR: URL = new URL("../sql/", import.meta.url);

/** Migrations may run long (indexes on big tables): their own deadline. */
export const MIGRATION_TIMEOUT_MS = 10 * 60_000;

const FILE_NAME = /^(\d{3})_([a-z0-9][a-z0-9_]*)\.sql$/;

/** Arbitrary but fixed: every instance must take the same advisory lock. */
const LOCK_KEY = 4_823_117_001;

/** One migration file. */
export interface Migration {
  version: number;
  /** The file name without `.sql`, e.g. `001_plans`; what `schema_migrations` records. */
  name: string;
  file: string;
  sql: string;
  /** sha-256 of the file (line endings normalised to LF), hex. */
  checksum: string;
}

/** The migrations directory or the database's record of it is not usable. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

/** A migration that was applied has been edited since. */
export class MigrationChecksumError extends MigrationError {
  override name = "MigrationChecksumError";
  constructor(
    readonly file: string,
    readonly recorded: string,
    readonly actual: string,
  ) {
    super(
      `${file} was changed after it was applied (recorded sha-256 ` +
        `${recorded.slice(0, 12)}…, the file now has ${actual.slice(0, 12)}…). ` +
        "An applied migration must never be edited: restore the file and put the " +
        "change in a new migration with the next free number.",
    );
  }
}

/**
 * Reads and checks the migration files: every file must be named `NNN_name.sql`
 * (lowercase name), numbers must be unique. Sorted by number.
 */
export async function readMigrations(
  dir: URL = MIGRATIONS_DIR,
): Promise<Migration[]> {
  const problems: string[] = [];
  const migrations: Migration[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || entry.name.startsWith(".")) continue;
      const match = FILE_NAME.exec(entry.name);
      if (!match) {
        problems.push(
          `${entry.name}: migration files are named NNN_name.sql ` +
            "(three digits, lowercase name), e.g. 002_habits.sql",
        );
        continue;
      }
      const sql = await Deno.readTextFile(new URL(entry.name, dir));
      migrations.push({
        version: Number(match[1]),
        name: entry.name.slice(0, -".sql".length),
        file: entry.name,
        sql,
        checksum: await sha256Hex(sql.replaceAll("\r\n", "\n")),
      });
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new MigrationError(`no migrations directory at ${dir.pathname}`);
    }
    throw err;
  }
  migrations.sort((a, b) => a.version - b.version || a.file.localeCompare(b.file));
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) {
      problems.push(
        `${migrations[i - 1].file} and ${migrations[i].file} share the number ` +
          `${migrations[i].file.slice(0, 3)}; give the newer one the next free number`,
      );
    }
  }
  if (problems.length > 0) {
    throw new MigrationError(
      `bad migration files in ${dir.pathname}:\n  ${problems.join("\n  ")}`,
    );
  }
  return migrations;
}

/**
 * Applies the pending migrations of `dir` (default `sql/`). Returns the names of
 * those this call applied; another instance's work is not listed.
 */
export async function migrate(
  db: Db,
  options: { dir?: URL; timeoutMs?: number } = {},
): Promise<{ applied: string[] }> {
  const migrations = await readMigrations(options.dir);
  const timeoutMs = options.timeoutMs ?? MIGRATION_TIMEOUT_MS;
  const queries = db.withTimeout(timeoutMs);

  // Check the whole record before changing anything.
  const recorded = await queries.tx(async (sql) => {
    await lock(sql, timeoutMs);
    await sql`
      create table if not exists schema_migrations (
        version    integer     not null,
        name       text        not null,
        checksum   text        not null,
        applied_at timestamptz not null default now(),
        constraint schema_migrations_pkey primary key (version)
      )`;
    return await readRecorded(sql);
  });
  checkRecord(migrations, recorded);

  const applied: string[] = [];
  for (const migration of migrations) {
    if (recorded.has(migration.version)) continue;
    const started = performance.now();
    const didApply = await queries.tx(async (sql) => {
      await lock(sql, timeoutMs);
      // Another instance may have applied it while this one waited for the lock.
      const now = await readRecorded(sql);
      if (now.has(migration.version)) return false;
      checkRecord(migrations, now);
      await sql.unsafe(migration.sql);
      await sql`
        insert into schema_migrations (version, name, checksum)
        values (${migration.version}, ${migration.name}, ${migration.checksum})`;
      return true;
    });
    if (didApply) {
      applied.push(migration.name);
      log.info("db.migration.applied", {
        name: migration.name,
        ms: Math.round(performance.now() - started),
      });
    }
  }
  return { applied };
}

interface RecordedMigration {
  name: string;
  checksum: string;
}

async function lock(sql: postgres.TransactionSql, timeoutMs: number): Promise<void> {
  // Instances starting together wait here for each other's migrations: longer than the
  // role's lock_timeout (sql/010_lock_timeout.sql) allows ordinary statements.
  await sql`select set_config('lock_timeout', ${`${timeoutMs}ms`}, true)`;
  await sql`select pg_advisory_xact_lock(${LOCK_KEY}::int8)`;
}

async function readRecorded(
  sql: postgres.TransactionSql,
): Promise<Map<number, RecordedMigration>> {
  const rows = await sql<{ version: number; name: string; checksum: string }[]>`
    select version, name, checksum from schema_migrations order by version`;
  return new Map(rows.map((row) => [row.version, row]));
}

/** Throws when the files and the database's record of them disagree. */
function checkRecord(
  migrations: Migration[],
  recorded: Map<number, RecordedMigration>,
): void {
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  for (const [version, row] of recorded) {
    const migration = byVersion.get(version);
    if (!migration) {
      // A newer deployment applied it; this (older) code can still run.
      log.warn("db.migration.unknown", { name: row.name });
    } else if (migration.checksum !== row.checksum) {
      throw new MigrationChecksumError(
        `sql/${migration.file}`,
        row.checksum,
        migration.checksum,
      );
    }
  }
  const latest = Math.max(0, ...recorded.keys());
  for (const migration of migrations) {
    if (!recorded.has(migration.version) && migration.version < latest) {
      throw new MigrationError(
        `sql/${migration.file} is not applied, but a later migration ` +
          `(${String(latest).padStart(3, "0")}) already is: migrations apply in ` +
          "order, so renumber it after the latest applied one",
      );
    }
  }
}
