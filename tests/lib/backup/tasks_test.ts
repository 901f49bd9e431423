/**
 * `deno task backup` and `deno task restore` as an operator runs them (docs/operations.md),
 * on the backend the environment names: JSON log lines, exit codes, the refusal of a
 * non-empty target, `--dry-run`, `--force`. And on Postgres: a restore that fails
 * part-way leaves nothing behind.
 */
import { pgRestore } from "@/lib/backup/postgres_tools.ts";
import { HEADER_BYTES } from "@/lib/backup/format.ts";
import { loadConfig } from "@/lib/config.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";
import { directUrlOf } from "@/tests/support/direct_url.ts";

const ROOT = new URL("../../..", import.meta.url).pathname;
const onPostgres = loadConfig().databaseUrl !== undefined;

/** Runs `deno task <args>` with `env` (and nothing of the test's database settings). */
async function task(args: string[], env: Record<string, string>) {
  const inherited: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) inherited[name] = value;
  }
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", ...args],
    cwd: ROOT,
    clearEnv: true,
    env: { ...inherited, NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  const lines = text.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
  return { code, lines, text };
}

/** Environments for a source database with data and an empty target, on the test backend. */
async function databases() {
  if (onPostgres) {
    const source = await openTestDb();
    const target = await openTestDb({ migrate: false });
    const env = (db: typeof source) => ({
      DATABASE_URL: db.url!,
      DATABASE_URL_DIRECT: directUrlOf(db),
      PGBOUNCER: String(loadConfig().pgBouncer),
    });
    return {
      source: env(source),
      target: env(target),
      dispose: async () => {
        await source.dispose();
        await target.dispose();
      },
    };
  }
  const root = await Deno.makeTempDir({ prefix: "cg-tasks-" });
  const source = { DATA_DIR: `${root}/source` };
  const target = { DATA_DIR: `${root}/target` };
  // The embedded database has to exist (and be closed) before it is backed up.
  const migrated = await task(["migrate"], source);
  assertEquals(migrated.code, 0, migrated.text);
  return { source, target, dispose: () => Deno.remove(root, { recursive: true }) };
}

Deno.test({
  name: "deno task backup, then deno task restore: refused when not empty, --dry-run changes nothing, --force replaces",
  sanitizeResources: false,
  async fn() {
    const dbs = await databases();
    const out = await Deno.makeTempDir({ prefix: "cg-backups-" });
    try {
      const backup = await task(["backup", "--out", `${out}/`], dbs.source);
      assertEquals(backup.code, 0, backup.text);
      const done = backup.lines.find((line) => line.msg === "backup.done");
      assert(done, backup.text);
      assertMatch(
        done.file,
        new RegExp(`^${out}/consistencygrid-\\d{8}T\\d{6}Z-m\\d{3}-(postgres|pglite)\\.cgbackup$`),
      );
      assertEquals((await Deno.stat(done.file)).size, done.bytes + HEADER_BYTES);

      const check = await task(["restore", "--dry-run", done.file], dbs.target);
      assertEquals(check.code, 0, check.text);
      assert(check.lines.some((line) => line.msg === "restore.checked" && line.replaced === false), check.text);

      const restore = await task(["restore", done.file], dbs.target);
      assertEquals(restore.code, 0, restore.text);
      assert(restore.lines.some((line) => line.msg === "restore.done"), restore.text);

      const again = await task(["restore", done.file], dbs.target);
      assertEquals(again.code, 1, again.text);
      const failed = again.lines.find((line) => line.msg === "restore.failed");
      assertMatch(failed?.error ?? "", /is not empty .*: restore into an empty database, or pass --force/);

      const forced = await task(["restore", "--force", done.file], dbs.target);
      assertEquals(forced.code, 0, forced.text);
      assert(forced.lines.some((line) => line.msg === "restore.done" && line.replaced === true), forced.text);

      const usage = await task(["restore"], dbs.target);
      assertEquals(usage.code, 2, usage.text);
      const unknown = await task(["backup", "--bogus"], dbs.source);
      assertEquals(unknown.code, 1, unknown.text);
      assertMatch(unknown.lines.find((line) => line.msg === "backup.failed")?.error ?? "", /--bogus/);
    } finally {
      await Deno.remove(out, { recursive: true });
      await dbs.dispose();
    }
  },
});

Deno.test({
  name: "deno task backup refuses a pooled DATABASE_URL without DATABASE_URL_DIRECT",
  ignore: !onPostgres,
  async fn() {
    const config = loadConfig();
    const result = await task(["backup"], { DATABASE_URL: config.databaseUrl!, PGBOUNCER: "true" });
    assertEquals(result.code, 1, result.text);
    assertMatch(result.lines.find((line) => line.msg === "backup.failed")?.error ?? "", /set DATABASE_URL_DIRECT/);
  },
});

Deno.test({
  name: "a restore that fails on a late statement leaves the database as it was (one transaction)",
  ignore: !onPostgres,
  sanitizeResources: false,
  async fn() {
    await using source = await openTestDb();
    await using target = await openTestDb({ migrate: false });
    const dump = await new Deno.Command("pg_dump", {
      args: ["--format=custom", `--dbname=${directUrlOf(source)}`],
      stdout: "piped",
    }).output();
    assertEquals(dump.code, 0);
    // pg_dump writes functions and most tables before `users`: the restore gets far, then fails.
    await target.db.sql`create table users (x int)`;
    async function* archive() {
      yield dump.stdout;
    }
    const error = await assertRejects(() => pgRestore(directUrlOf(target), archive(), { replaceSchema: false }));
    assertMatch(String(error), /psql failed \(exit \d+\), nothing was restored: .*relation "users" already exists/s);
    const tables = await target.db.sql<{ name: string }[]>`
      select tablename as name from pg_tables where schemaname = 'public' order by 1`;
    assertEquals(tables.map((t) => t.name), ["users"], "a failed restore left objects behind");
    const [{ n }] = await target.db.sql<{ n: number }[]>`
      select count(*)::int as n from pg_proc p join pg_namespace ns on ns.oid = p.pronamespace
       where ns.nspname = 'public'`;
    assertEquals(n, 0, "a failed restore left functions behind");
  },
});
