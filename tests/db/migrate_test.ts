import { deepStrictEqual, equal, fail, ok } from "node:assert/strict";
import { openPostgresDb } from "@/db/client.ts";
import { migrate, MigrationChecksumError, MigrationError, readMigrations } from "@/db/migrate.ts";
import { sha256Hex } from "@/lib/auth/secret.ts";
import { loadConfig } from "@/lib/config.ts";
import { openTestDb } from "@/tests/support/db.ts";

/** A temporary migrations directory holding `files`; removed on dispose. */
async function migrationsDir(files: Record<string, string>) {
  const path = await Deno.makeTempDir({ prefix: "cg-migrations-" });
  const dir = new URL(`file://${path}/`);
  const write = async (name: string, text: string) => {
    await Deno.writeTextFile(new URL(name, dir), text);
  };
  for (const [name, text] of Object.entries(files)) await write(name, text);
  return {
    dir,
    write,
    remove: (name: string) => Deno.remove(new URL(name, dir)),
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    ok(error instanceof Error, String(error));
    return error;
  }
  fail("expected a rejection");
}

Deno.test("migrations apply in order, once each, recorded with their checksums", async () => {
  const first = "create table log (n int not null);\ninsert into log values (1);\n";
  await using files = await migrationsDir({
    "010_tenth.sql": "insert into log values (10);",
    "001_first.sql": first,
    "002_second.sql": "insert into log values (2);",
    ".editor_backup": "ignored",
  });
  await using t = await openTestDb({ migrate: false });

  deepStrictEqual(await migrate(t.db, { dir: files.dir }), {
    applied: ["001_first", "002_second", "010_tenth"],
  });
  deepStrictEqual((await t.db.sql`select n from log order by n`).map((r) => r.n), [1, 2, 10]);
  const recorded = await t.db.sql`
    select version, name, checksum, applied_at from schema_migrations order by version`;
  deepStrictEqual(recorded.map((r) => [r.version, r.name]), [
    [1, "001_first"],
    [2, "002_second"],
    [10, "010_tenth"],
  ]);
  equal(recorded[0].checksum, await sha256Hex(first));
  ok(recorded.every((r) => r.applied_at instanceof Date));

  deepStrictEqual(await migrate(t.db, { dir: files.dir }), { applied: [] });
  await files.write("011_eleventh.sql", "insert into log values (11);");
  deepStrictEqual(await migrate(t.db, { dir: files.dir }), { applied: ["011_eleventh"] });
  deepStrictEqual((await t.db.sql`select n from log order by n`).map((r) => r.n), [1, 2, 10, 11]);
});

Deno.test("an applied migration that was edited stops everything with MigrationChecksumError", async () => {
  const first = "create table log (n int);\ninsert into log values (1);\n";
  await using files = await migrationsDir({ "001_first.sql": first });
  await using t = await openTestDb({ migrate: false });
  await migrate(t.db, { dir: files.dir });

  // Only line endings changed (a Windows checkout): still the same migration.
  await files.write("001_first.sql", first.replaceAll("\n", "\r\n"));
  deepStrictEqual(await migrate(t.db, { dir: files.dir }), { applied: [] });

  await files.write("001_first.sql", first.replace("(1)", "(100)"));
  await files.write("002_second.sql", "insert into log values (2);");
  const error = await rejection(migrate(t.db, { dir: files.dir }));
  ok(error instanceof MigrationChecksumError, String(error));
  equal(error.file, "sql/001_first.sql");
  ok(error.message.includes("sql/001_first.sql"), error.message);
  ok(error.message.includes("new migration"), error.message);
  deepStrictEqual((await t.db.sql`select n from log`).map((r) => r.n), [1], "nothing applied");
});

Deno.test("a failing migration leaves no trace and can be fixed", async () => {
  await using files = await migrationsDir({
    "001_first.sql": "create table log (n int);",
    "002_broken.sql": "create table half (n int);\nselect no_such_function();",
  });
  await using t = await openTestDb({ migrate: false });
  const error = await rejection(migrate(t.db, { dir: files.dir }));
  equal((error as { code?: string }).code, "42883", String(error));
  deepStrictEqual(
    (await t.db.sql`select name from schema_migrations`).map((r) => r.name),
    ["001_first"],
  );
  equal((await t.db.sql`select to_regclass('half') as t`)[0].t, null, "rolled back");

  await files.write("002_broken.sql", "create table half (n int);");
  deepStrictEqual(await migrate(t.db, { dir: files.dir }), { applied: ["002_broken"] });
});

Deno.test("a migration numbered below the latest applied one is refused", async () => {
  await using files = await migrationsDir({
    "001_first.sql": "select 1;",
    "003_third.sql": "select 3;",
  });
  await using t = await openTestDb({ migrate: false });
  await migrate(t.db, { dir: files.dir });
  await files.write("002_late.sql", "select 2;");
  const error = await rejection(migrate(t.db, { dir: files.dir }));
  ok(error instanceof MigrationError && !(error instanceof MigrationChecksumError));
  ok(error.message.includes("sql/002_late.sql") && error.message.includes("renumber"), error.message);
});

Deno.test("badly named files and duplicate numbers are refused before anything runs", async (t) => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ["no number", { "plans.sql": "" }, /plans\.sql: migration files are named NNN_name\.sql/],
    ["short number", { "1_plans.sql": "" }, /1_plans\.sql/],
    ["uppercase", { "001_Plans.sql": "" }, /001_Plans\.sql/],
    ["not sql", { "001_plans.txt": "" }, /001_plans\.txt/],
    ["duplicate", { "002_a.sql": "", "002_b.sql": "" }, /002_a\.sql and 002_b\.sql share the number 002/],
  ];
  for (const [name, files, expected] of cases) {
    await t.step(name, async () => {
      await using dir = await migrationsDir(files);
      const error = await rejection(readMigrations(dir.dir));
      ok(error instanceof MigrationError, String(error));
      ok(expected.test(error.message), error.message);
    });
  }
  await t.step("missing directory", async () => {
    const error = await rejection(readMigrations(new URL("file:///nonexistent/sql/")));
    ok(error instanceof MigrationError && error.message.includes("no migrations directory"));
  });
});

Deno.test("instances migrating at once apply each migration exactly once", async () => {
  await using files = await migrationsDir({
    "001_runs.sql": "create table runs (name text primary key);\ninsert into runs values ('001');",
    "002_slow.sql": "select pg_sleep(0.2);\ninsert into runs values ('002');",
    "003_last.sql": "insert into runs values ('003');",
  });
  await using t = await openTestDb({ migrate: false });
  // Real Postgres: separate pools, as separate instances would have. Embedded: its
  // one database lives in this process, so the racers share its Db.
  const { pgBouncer } = loadConfig();
  const instances = t.url
    ? Array.from({ length: 4 }, () => openPostgresDb(t.url!, { poolMax: 2, pgBouncer }))
    : Array.from({ length: 4 }, () => t.db);
  try {
    const results = await Promise.all(instances.map((db) => migrate(db, { dir: files.dir })));
    const applied = results.flatMap((r) => r.applied).sort();
    deepStrictEqual(applied, ["001_runs", "002_slow", "003_last"]);
  } finally {
    if (t.url) await Promise.all(instances.map((db) => db.close()));
  }
  deepStrictEqual((await t.db.sql`select name from runs order by name`).map((r) => r.name), [
    "001",
    "002",
    "003",
  ]);
  equal((await t.db.sql`select count(*) as n from schema_migrations`)[0].n, 3);
});

Deno.test("the app's migrations seed the plans of API.md and are idempotent", async () => {
  await using t = await openTestDb();
  const plans = await t.db.sql`
    select id, max_active_habits, max_goals, exports_per_month from plans order by id`;
  deepStrictEqual(plans.map((r) => ({ ...r })), [
    { id: "free", max_active_habits: 10, max_goals: 20, exports_per_month: 3 },
    { id: "pro", max_active_habits: 1000, max_goals: 1000, exports_per_month: 100 },
  ]);
  deepStrictEqual(await migrate(t.db), { applied: [] });
  const names = (await t.db.sql`select name from schema_migrations order by version`)
    .map((r) => r.name);
  equal(names[0], "001_plans");
  deepStrictEqual(names, (await readMigrations()).map((m) => m.name));
});
