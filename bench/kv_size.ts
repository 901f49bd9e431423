/**
 * KV bytes per active user (issue 13 §3's budget: ≤ 64 KB, rate-limit keys included):
 * N heavy users — 20 habits × a year of check-ins, goals, then a realistic session of
 * ~100 requests each (tests/support/heavy_session.ts: the dashboard with check-ins in
 * between, every habit's page and API read, lists, goals, settings) — through the app in
 * process, on a KV file. Then it measures:
 *
 * - live KV per user: the sum of key + value sizes of the entries naming the user, via
 *   `kv.list` (lib/cache/kv_usage.ts), mean and max, and by family;
 * - the KV sqlite file (with its WAL) after the run, per user: what the disk pays,
 *   pages and free space included.
 *
 * Sizes, not times: it needs no quiet machine. Embedded PGlite by default, `DATABASE_URL`
 * when set.
 *
 *   deno run -A bench/kv_size.ts [--users 5] [--rounds 1]
 */
import { parseArgs } from "node:util";
import { kvUsage } from "@/lib/cache/kv_usage.ts";
import { emailSubject } from "@/app/rate_limit/middleware.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { heavyUserSession, seedHeavyUser } from "@/tests/support/heavy_session.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";
import { report, round } from "./support.ts";

/** The budget of live KV per active user. */
const BUDGET_BYTES = 64 * 1024;

async function fileBytes(path: string): Promise<number> {
  let bytes = 0;
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      bytes += (await Deno.stat(path + suffix)).size;
    } catch {
      // no WAL or shared memory file: nothing to add
    }
  }
  return bytes;
}

async function main() {
  const { values } = parseArgs({
    strict: false,
    options: { users: { type: "string", default: "5" }, rounds: { type: "string", default: "1" } },
  });
  const users = Number(values.users);
  const rounds = Number(values.rounds);
  const dir = await Deno.makeTempDir();
  const kvPath = `${dir}/kv.sqlite3`;
  try {
    const seeded: TestUser[] = [];
    let requests = 0;
    {
      await using t = await startTestApp({ kvPath });
      for (let i = 0; i < users; i++) {
        const user = await createTestUser(t.services, { plan: "pro" });
        await seedHeavyUser(t.services, user);
        seeded.push(user);
      }
      for (let round = 0; round < rounds; round++) {
        for (const user of seeded) requests += await heavyUserSession(t.app, user);
      }
      const usage = await kvUsage(t.services.kv);
      const perUser = await Promise.all(
        seeded.map(async (u) => usage.byOwner(u.id, await emailSubject(u.email)).bytes),
      );
      const families: Record<string, { entries: number; bytes: number }> = {};
      for (const [family, tally] of usage.byFamily) families[family] = tally;
      report("kv_size_live", {
        backend: t.services.db.backend,
        users,
        rounds,
        requests,
        entries: usage.total.entries,
        totalBytes: usage.total.bytes,
        perUserMeanBytes: Math.round(perUser.reduce((a, b) => a + b, 0) / users),
        perUserMaxBytes: Math.max(...perUser),
        budgetBytes: BUDGET_BYTES,
        withinBudget: Math.max(...perUser) <= BUDGET_BYTES,
        families,
      }, {
        figure: "live KV bytes of the heaviest user",
        value: Math.max(...perUser),
        unit: "bytes",
        baseline: "budget",
        baselineValue: BUDGET_BYTES,
        higherIsBetter: false,
      });
    }
    // The app and its KV are closed: the file holds what was committed.
    const bytes = await fileBytes(kvPath);
    report("kv_size_file", { users, fileBytes: bytes, perUserKb: round(bytes / users / 1024, 1) });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
