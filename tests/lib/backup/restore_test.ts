/**
 * Backups that restore, on the backend the environment names (embedded PGlite, or
 * Postgres through PgBouncer with DATABASE_URL_DIRECT for the tools): users with a year
 * of data → backup → restore into a fresh database → every user's export and every
 * table identical, tokens and sessions still work. A damaged backup is refused with a
 * clear message and the target stays untouched; a non-empty target needs --force.
 */
import { type Db, openEmbeddedDb } from "@/db/client.ts";
import { exportUserData } from "@/db/export.ts";
import { migrate } from "@/db/migrate.ts";
import { createBackup } from "@/app/backup/backup.ts";
import { BackupFormatError, HEADER_BYTES } from "@/lib/backup/format.ts";
import { restoreBackup, RestoreRefusedError } from "@/app/backup/restore.ts";
import { type Config, loadConfig } from "@/lib/config.ts";
import { setLogLevel } from "@/lib/log.ts";
import { json } from "@/tests/support/api.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";
import { directUrlOf } from "@/tests/support/direct_url.ts";
import { seedYearOfData } from "@/tests/support/seed_year.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";

// Migrations and restores log at info; the test output only needs problems.
setLogLevel("warn");

/** What must survive a backup and restore: exports (without exportedAt) and every table's rows. */
async function snapshot(db: Db, users: TestUser[]) {
  const exports: Record<string, unknown> = {};
  for (const user of users) {
    const { exportedAt: _, ...doc } = await exportUserData(db, user.id);
    exports[user.email] = doc;
  }
  const tables: Record<string, { rows: number; digest: string }> = {};
  const names = await db.sql<{ name: string }[]>`
    select tablename as name from pg_tables where schemaname = 'public' order by 1`;
  for (const { name } of names) {
    const [row] = await db.sql<{ rows: number; digest: string }[]>`
      select count(*)::int as rows, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest
        from ${db.sql(name)} t`;
    tables[name] = { rows: row.rows, digest: row.digest };
  }
  return { exports, tables };
}

/** An empty database to restore into, on the same backend as the tests. */
async function freshTarget() {
  const base = loadConfig();
  if (base.databaseUrl) {
    const empty = await openTestDb({ migrate: false });
    const config: Config = { ...base, databaseUrl: empty.url!, databaseUrlDirect: directUrlOf(empty) };
    return {
      config,
      open: () => Promise.resolve(empty.db),
      /** Embedded only: lets go of the data directory (a restore needs it closed). */
      close: () => Promise.resolve(),
      isEmpty: async () => (await empty.db.sql`select 1 from pg_tables where schemaname = 'public'`).length === 0,
      dispose: () => empty.dispose(),
    };
  }
  const dataDir = await Deno.makeTempDir({ prefix: "cg-restore-" });
  let opened: Db | undefined;
  return {
    config: { ...loadConfig(() => undefined), dataDir } as Config,
    open: async () => opened ??= await openEmbeddedDb({ dataDir }),
    close: async () => {
      await opened?.close();
      opened = undefined;
    },
    isEmpty: async () => !(await Deno.stat(`${dataDir}/pglite/PG_VERSION`).then(() => true, () => false)),
    dispose: async () => {
      await opened?.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/** Writes a copy of `file` with `change` applied to its bytes; returns its path. */
async function damaged(file: string, change: (bytes: Uint8Array) => Uint8Array): Promise<string> {
  const path = `${file}.damaged-${crypto.randomUUID().slice(0, 6)}`;
  await Deno.writeFile(path, change(await Deno.readFile(file)));
  return path;
}

function withHeader(bytes: Uint8Array, edit: (manifest: Record<string, unknown>) => void): Uint8Array {
  const text = new TextDecoder().decode(bytes.subarray(0, HEADER_BYTES));
  const [magic, line] = text.split("\n");
  const manifest = JSON.parse(line);
  edit(manifest);
  const header = new TextEncoder().encode(`${magic}\n${JSON.stringify(manifest)}\n`);
  const out = bytes.slice();
  out.fill(0x20, 0, HEADER_BYTES - 1);
  out.set(header);
  return out;
}

Deno.test({
  name: "a year of data for three users survives backup → restore into a fresh database; tokens still work",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using source = await openTestDb();
    const t = await startTestApp({ db: source.db });
    const target = await freshTarget();
    const folder = await Deno.makeTempDir({ prefix: "cg-backups-" });
    try {
      const users: TestUser[] = [];
      let checkins = 0;
      for (const timezone of ["Europe/Lisbon", "Pacific/Kiritimati", "America/Los_Angeles"]) {
        const user = await createTestUser(t.services, { timezone });
        checkins += await seedYearOfData(t.app, t.services, user, timezone);
        users.push(user);
      }
      const before = await snapshot(source.db, users);

      const started = performance.now();
      const backup = await createBackup(source.db, {
        folder,
        directUrl: source.url ? directUrlOf(source) : undefined,
        appVersion: "test",
        kind: "manual",
      });
      const backupMs = performance.now() - started;
      assertMatch(backup.path, /consistencygrid-\d{8}T\d{6}Z-m\d{3}-(postgres|pglite)\.cgbackup$/);
      assertEquals(backup.manifest.backend, source.backend);

      assert(await target.isEmpty());
      const restoreStarted = performance.now();
      const result = await restoreBackup(backup.path, target.config, { force: false });
      const restoreMs = performance.now() - restoreStarted;
      assertEquals(result.replaced, false);
      assertEquals(result.migrationsApplied, []);
      const restored = await target.open();
      const after = await snapshot(restored, users);
      assertEquals(after.exports, before.exports);
      assertEquals(after.tables, before.tables);
      console.log(
        `${source.backend}: ${users.length} users, ${checkins} check-ins, ${after.tables.activity.rows} activity rows; ` +
          `backup ${backup.manifest.bytes} bytes in ${Math.round(backupMs)} ms, restore ${Math.round(restoreMs)} ms`,
      );

      // The restored database serves the same people: their tokens and sessions work.
      const restoredApp = await startTestApp({ db: restored });
      try {
        for (const user of users) {
          for (const auth of [user.bearer, user.session]) {
            const me = await json(await restoredApp.app.request("/api/me", { headers: auth }), 200);
            assertEquals(me.user.id, user.id);
          }
        }
      } finally {
        await restoredApp[Symbol.asyncDispose]();
      }

      // A database that is not empty is refused, unless --force.
      await target.close();
      const refused = await assertRejects(() => restoreBackup(backup.path, target.config, { force: false }));
      assert(refused instanceof RestoreRefusedError, String(refused));
      assertMatch(refused.message, /is not empty \(\d+ objects: .*\): restore into an empty database, or pass --force/);
      const forced = await restoreBackup(backup.path, target.config, { force: true });
      assertEquals(forced.replaced, true);
      assertEquals((await snapshot(await target.open(), users)).tables, before.tables);
      if (forced.movedAside) assert((await Deno.stat(`${forced.movedAside}/PG_VERSION`)).isFile);
    } finally {
      await t[Symbol.asyncDispose]();
      await target.dispose();
      await Deno.remove(folder, { recursive: true });
    }
  },
});

Deno.test({
  name: "a truncated, corrupt or foreign file is refused with a clear message, and the target stays empty",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using source = await openTestDb();
    const target = await freshTarget();
    const folder = await Deno.makeTempDir({ prefix: "cg-backups-" });
    try {
      const { path } = await createBackup(source.db, {
        folder,
        directUrl: source.url ? directUrlOf(source) : undefined,
        appVersion: "test",
        kind: "manual",
      });
      const size = (await Deno.stat(path)).size;
      const cases: [string, (bytes: Uint8Array) => Uint8Array, RegExp][] = [
        [
          "cut in the payload",
          (b) => b.slice(0, HEADER_BYTES + Math.floor((size - HEADER_BYTES) / 2)),
          /is truncated: its header promises \d+ bytes of data, the file holds \d+; use another backup/,
        ],
        ["cut in the header", (b) => b.slice(0, 1000), /is truncated: it ends inside its 4096-byte header/],
        ["empty", () => new Uint8Array(0), /is not a ConsistencyGrid backup/],
        ["a flipped bit", (b) => {
          const copy = b.slice();
          copy[HEADER_BYTES + Math.floor((size - HEADER_BYTES) / 3)] ^= 0x10;
          return copy;
        }, /is corrupt: its data's sha-256 is [0-9a-f]{16}…, the header records [0-9a-f]{16}…; use another backup/],
        ["bytes appended", (b) => new Uint8Array([...b, 1, 2, 3]), /is damaged: 3 bytes follow/],
        ["a foreign file", () => new TextEncoder().encode("PGDMP\u0001binary"), /is not a ConsistencyGrid backup/],
        [
          "a damaged header",
          (b) => withHeader(b, (m) => m.sha256 = "xyz"),
          /has a damaged header \(no payload checksum\)/,
        ],
      ];
      for (const [label, change, message] of cases) {
        const file = await damaged(path, change);
        const error = await assertRejects(() => restoreBackup(file, target.config, { force: true }), label);
        assert(error instanceof BackupFormatError, `${label}: ${error}`);
        assertMatch(error.message, message, label);
        assert(error.message.startsWith(file), `${label}: the message names the file`);
      }
      const newer = await damaged(
        path,
        (b) => withHeader(b, (m) => m.migration = { version: 999, name: "999_future" }),
      );
      const tooNew = await assertRejects(() => restoreBackup(newer, target.config, { force: true }));
      assert(tooNew instanceof RestoreRefusedError, String(tooNew));
      assertMatch(tooNew.message, /at migration 999_future, newer than this code knows/);
      const other = source.backend === "postgres" ? "pglite" : "postgres";
      const foreign = await damaged(path, (b) => withHeader(b, (m) => m.backend = other));
      const wrongBackend = await assertRejects(() => restoreBackup(foreign, target.config, { force: true }));
      assert(wrongBackend instanceof RestoreRefusedError, String(wrongBackend));
      assertMatch(
        wrongBackend.message,
        other === "pglite" ? /restore it with DATABASE_URL unset/ : /is a Postgres dump/,
      );
      assert(await target.isEmpty(), "a refused restore wrote something");
    } finally {
      await target.dispose();
      await Deno.remove(folder, { recursive: true });
    }
  },
});

Deno.test({
  name: "a backup made at an older migration is restored, then migrated up to date",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // A database that stopped at 007 (before this code's later migrations).
    const oldDir = await Deno.makeTempDir({ prefix: "cg-old-sql-" });
    const sqlDir = new URL("../../../sql/", import.meta.url);
    for await (const entry of Deno.readDir(sqlDir)) {
      if (/^00[1-7]_/.test(entry.name)) await Deno.copyFile(new URL(entry.name, sqlDir), `${oldDir}/${entry.name}`);
    }
    await using source = await openTestDb({ migrate: false });
    await migrate(source.db, { dir: new URL(`file://${oldDir}/`) });
    const target = await freshTarget();
    const folder = await Deno.makeTempDir({ prefix: "cg-backups-" });
    try {
      const backup = await createBackup(source.db, {
        folder,
        directUrl: source.url ? directUrlOf(source) : undefined,
        appVersion: "old",
        kind: "manual",
      });
      assertEquals(backup.manifest.migration.name, "007_reminders");
      assertMatch(backup.path, /-m007-/);
      const result = await restoreBackup(backup.path, target.config, { force: false });
      assert(result.migrationsApplied.length > 0, "nothing was migrated after the restore");
      assert(result.migrationsApplied.every((name) => Number(name.slice(0, 3)) > 7), String(result.migrationsApplied));
      const db = await target.open();
      const [latest] = await db.sql<
        { name: string }[]
      >`select name from schema_migrations order by version desc limit 1`;
      assertEquals(latest.name, result.migrationsApplied.at(-1));
    } finally {
      await target.dispose();
      await Deno.remove(folder, { recursive: true });
      await Deno.remove(oldDir, { recursive: true });
    }
  },
});
