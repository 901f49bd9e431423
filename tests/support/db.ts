/**
 * A private, migrated database per test, on whichever backend the environment
 * names, so the same test runs against both:
 *
 * - `DATABASE_URL` unset: an in-memory PGlite started from a migrated template
 *   (`.tmp/test-db/`, rebuilt when a migration changes), ~0.4 s instead of the ~3 s
 *   initdb takes.
 * - `DATABASE_URL` set (e.g. through PgBouncer with `PGBOUNCER=true`): a database
 *   `cg_test_<time>_<random>` created from a migrated template database on the
 *   same server and reached through the same host and port, dropped on dispose.
 *   Needs a role that may create databases (`scripts/pg_local.sh` sets one up).
 *
 * @example
 * ```ts
 * Deno.test("plans are seeded", async () => {
 *   await using t = await openTestDb();
 *   const rows = await t.db.sql`select id from plans order by id`;
 *   assertEquals(rows.map((r) => r.id), ["free", "pro"]);
 * });
 * ```
 */
import { type Db, type OpenDbOptions, openEmbeddedDb, openPostgresDb } from "@/db/client.ts";
import { cancelRequestsSent } from "@/db/deadline.ts";
import { migrate, readMigrations } from "@/db/migrate.ts";
import { sha256Hex } from "@/lib/auth/secret.ts";
import { loadConfig } from "@/lib/config.ts";

export interface TestDb extends AsyncDisposable {
  readonly db: Db;
  readonly backend: Db["backend"];
  /**
   * This database's URL on real Postgres (to open more pools on it, e.g. to race
   * them); `null` for embedded, whose one database lives in this process.
   */
  readonly url: string | null;
  /** Closes the pool and deletes the database. Idempotent. */
  dispose(): Promise<void>;
}

export interface TestDbOptions extends OpenDbOptions {
  /** Apply `sql/` migrations (default) or start empty. */
  migrate?: boolean;
  /** Pool size on real Postgres. Default 4. */
  poolMax?: number;
}

/** Opens an isolated database; dispose it (or `await using`) when done. */
export function openTestDb(options: TestDbOptions = {}): Promise<TestDb> {
  const config = loadConfig();
  return config.databaseUrl
    ? openPostgresTestDb(config.databaseUrl, config.pgBouncer, options)
    : openEmbeddedTestDb(options);
}

// --- embedded ---------------------------------------------------------------

const CACHE_DIR = new URL("../../.tmp/test-db/", import.meta.url);
const templates = new Map<string, Promise<ArrayBuffer>>();

async function openEmbeddedTestDb(options: TestDbOptions): Promise<TestDb> {
  const migrated = options.migrate ?? true;
  const template = await embeddedTemplate(migrated);
  const db = await openEmbeddedDb({ ...options, dataDir: null, loadDataDir: template });
  return testDb(db, null, () => db.close());
}

/**
 * A migrated embedded database as a tarball (PGlite's `loadDataDir` format), for tests
 * that start app processes: loading it is much cheaper than an initdb and migrations.
 */
export function migratedEmbeddedTemplate(): Promise<ArrayBuffer> {
  return embeddedTemplate(true);
}

/** The template's bytes, built once per change of migrations or PGlite version. */
function embeddedTemplate(migrated: boolean): Promise<ArrayBuffer> {
  const kind = migrated ? "migrated" : "empty";
  let template = templates.get(kind);
  if (!template) {
    template = loadOrBuildTemplate(kind, migrated);
    templates.set(kind, template);
  }
  return template;
}

async function loadOrBuildTemplate(
  kind: string,
  migrated: boolean,
): Promise<ArrayBuffer> {
  const key = await sha256Hex([
    import.meta.resolve("@electric-sql/pglite"),
    ...(migrated ? (await readMigrations()).map((m) => `${m.name}:${m.checksum}`) : []),
  ].join("\n"));
  const file = new URL(`pglite-${kind}-${key.slice(0, 16)}.tar.gz`, CACHE_DIR);
  try {
    return await gunzip(await Deno.readFile(file));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const db = await openEmbeddedDb({ dataDir: null });
  let data: ArrayBuffer;
  try {
    if (migrated) await migrate(db);
    data = await db.dump();
  } finally {
    await db.close();
  }
  await Deno.mkdir(CACHE_DIR, { recursive: true });
  // Written aside and renamed: parallel test processes may build it at once.
  const partial = new URL(`${file.pathname}.${crypto.randomUUID()}`, file);
  await Deno.writeFile(partial, await gzip(data));
  await Deno.rename(partial, file);
  for await (const entry of Deno.readDir(CACHE_DIR)) {
    const stale = entry.name.startsWith(`pglite-${kind}-`) &&
      entry.name.endsWith(".tar.gz") && new URL(entry.name, CACHE_DIR).href !== file.href;
    if (stale) await Deno.remove(new URL(entry.name, CACHE_DIR)).catch(() => {});
  }
  return data;
}

// --- real Postgres ----------------------------------------------------------

/** How long cancel requests get to settle before their database is dropped (see dispose). */
const CANCEL_SETTLE_MS = 1_500;

/** Test databases older than this are left-overs of a crashed run. */
const STALE_AFTER_S = 2 * 3600;
const postgresTemplates = new Map<string, Promise<string>>();
let staleDropped: Promise<void> | undefined;

async function openPostgresTestDb(
  serverUrl: string,
  pgBouncer: boolean,
  options: TestDbOptions,
): Promise<TestDb> {
  const migrated = options.migrate ?? true;
  const name = `cg_test_${Math.floor(Date.now() / 1000)}_${randomSuffix()}`;
  await withAdmin(serverUrl, pgBouncer, async (sql) => {
    staleDropped ??= dropStaleDatabases(sql);
    await staleDropped;
    const template = migrated ? await postgresTemplate(serverUrl, pgBouncer, sql) : null;
    await sql.unsafe(
      template ? `create database "${name}" template "${template}"` : `create database "${name}"`,
    );
  }).catch((err) => {
    if ((err as { code?: string }).code !== "42501") throw err;
    throw new Error(
      "openTestDb creates a database per test, and the role in DATABASE_URL may not: " +
        "grant it CREATEDB (scripts/pg_local.sh sets up such a role)",
      { cause: err },
    );
  });
  const url = databaseUrl(serverUrl, name);
  const db = openPostgresDb(url, { ...options, poolMax: options.poolMax ?? 4, pgBouncer });
  const cancelsBefore = cancelRequestsSent();
  return testDb(db, url, async () => {
    await db.close();
    // `with (force)` terminates the database's server connections. PgBouncer 1.18 (Debian
    // 12's, what CI installs) exits when one it is still cancelling a statement on is
    // terminated (pgbouncer/pgbouncer#822): after a test whose statements hit their
    // deadline, give the cancels time to settle first.
    if (pgBouncer && cancelRequestsSent() !== cancelsBefore) {
      await new Promise((resolve) => setTimeout(resolve, CANCEL_SETTLE_MS));
    }
    await withAdmin(serverUrl, pgBouncer, (sql) => dropDatabase(sql, name));
  });
}

/**
 * A migrated database to copy, one per set of migrations. `create database ...
 * template` refuses a template anyone is connected to, and PgBouncer keeps idle
 * server connections, so it is migrated, then closed to connections, then its
 * sessions ended.
 */
function postgresTemplate(
  serverUrl: string,
  pgBouncer: boolean,
  admin: Db["sql"],
): Promise<string> {
  let template = postgresTemplates.get(serverUrl);
  if (!template) {
    template = buildPostgresTemplate(serverUrl, pgBouncer, admin);
    postgresTemplates.set(serverUrl, template);
  }
  return template;
}

async function buildPostgresTemplate(
  serverUrl: string,
  pgBouncer: boolean,
  admin: Db["sql"],
): Promise<string> {
  const key = await sha256Hex(
    (await readMigrations()).map((m) => `${m.name}:${m.checksum}`).join("\n"),
  );
  const name = `cg_tpl_${key.slice(0, 16)}`;
  const [existing] = await admin`
    select datallowconn from pg_database where datname = ${name}`;
  if (existing && !existing.datallowconn) return name; // built and sealed already
  // Built aside and renamed, so parallel test processes never see a half-built one.
  const building = `${name}_${randomSuffix()}`;
  await admin.unsafe(`create database "${building}"`);
  const db = openPostgresDb(databaseUrl(serverUrl, building), { poolMax: 1, pgBouncer });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  await admin.unsafe(`alter database "${building}" with allow_connections false`);
  await endSessions(admin, building);
  try {
    await admin.unsafe(`alter database "${building}" rename to "${name}"`);
  } catch (err) {
    // Another process won the race: use its template. Postgres says 42P04 (duplicate
    // database), or 23505 on pg_database's unique index when both renames race.
    await dropDatabase(admin, building);
    if (!["42P04", "23505"].includes((err as { code?: string }).code ?? "")) throw err;
  }
  // Templates of earlier migrations are of no use any more. Ones of these migrations
  // (`${name}_<suffix>`) may be mid-build in a parallel process: leave them alone.
  const old = await admin<{ datname: string }[]>`
    select datname from pg_database
    where datname like 'cg\\_tpl\\_%' and datname not like ${name + "%"} and not datallowconn`;
  for (const { datname } of old) {
    await admin.unsafe(`drop database if exists "${datname}"`).catch(() => {});
  }
  return name;
}

/**
 * Ends the client sessions on a database (PgBouncer's idle ones) and waits until they are
 * gone. Client sessions only: an autovacuum worker on the database belongs to the
 * superuser, cannot be signalled by a test role ("must be a member of pg_signal_backend"),
 * and Postgres ends it by itself for a rename or drop.
 */
async function endSessions(admin: Db["sql"], database: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const [{ n }] = await admin<{ n: number }[]>`
      select count(pg_terminate_backend(pid)) as n
      from pg_stat_activity
      where datname = ${database} and backend_type = 'client backend' and pid <> pg_backend_pid()`;
    if (n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sessions on ${database} did not end`);
}

/**
 * `drop database if exists … with (force)`, again after a moment when Postgres refuses to
 * end a session the test role may not signal (42501: an autovacuum worker that had just
 * started on the database; it is gone a moment later).
 */
async function dropDatabase(sql: Db["sql"], name: string): Promise<void> {
  for (let attempt = 1;; attempt++) {
    try {
      await sql.unsafe(`drop database if exists "${name}" with (force)`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== "42501" || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function dropStaleDatabases(sql: Db["sql"]): Promise<void> {
  const cutoff = Math.floor(Date.now() / 1000) - STALE_AFTER_S;
  const rows = await sql<{ datname: string }[]>`
    select datname from pg_database where datname like 'cg\\_test\\_%'`;
  for (const { datname } of rows) {
    const created = Number(datname.split("_")[2]);
    if (created < cutoff) {
      await dropDatabase(sql, datname);
    }
  }
}

/** Runs fn on a one-connection pool to the server's main database, then closes it. */
async function withAdmin<T>(
  serverUrl: string,
  pgBouncer: boolean,
  fn: (sql: Db["sql"]) => Promise<T>,
): Promise<T> {
  const admin = openPostgresDb(serverUrl, { poolMax: 1, pgBouncer, queryTimeoutMs: 30_000 });
  try {
    return await fn(admin.sql);
  } finally {
    await admin.close();
  }
}

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.href;
}

// --- shared -----------------------------------------------------------------

function testDb(db: Db, url: string | null, close: () => Promise<void>): TestDb {
  let disposing: Promise<void> | undefined;
  const dispose = () => disposing ??= close();
  return { db, backend: db.backend, url, dispose, [Symbol.asyncDispose]: dispose };
}

function randomSuffix(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 10);
}

async function gzip(data: ArrayBuffer): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function gunzip(data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer> {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("gzip"));
  return await new Response(stream).arrayBuffer();
}
