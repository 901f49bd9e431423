/**
 * The direct (unpooled) URL of a test database, for tools that must not go through
 * PgBouncer (pg_dump, psql): `DATABASE_URL_DIRECT`'s server with the test database's
 * name. Without PgBouncer the test database's own URL is direct already.
 *
 * @example
 * ```ts
 * await using t = await openTestDb();
 * const url = directUrlOf(t); // postgres://cg@127.0.0.1:54329/cg_test_…
 * ```
 */
import { loadConfig } from "@/lib/config.ts";
import type { TestDb } from "./db.ts";

/** The test database's direct URL; throws when only a pooled one is configured. */
export function directUrlOf(testDb: Pick<TestDb, "url">): string {
  if (!testDb.url) throw new Error("an embedded test database has no URL");
  const config = loadConfig();
  if (!config.pgBouncer) return testDb.url;
  if (!config.databaseUrlDirect) {
    throw new Error(
      "PGBOUNCER=true needs DATABASE_URL_DIRECT for this test (pg_dump and psql connect directly): " +
        'eval "$(scripts/pg_local.sh env DIR)" sets it',
    );
  }
  const url = new URL(config.databaseUrlDirect);
  url.pathname = new URL(testDb.url).pathname;
  return url.href;
}
