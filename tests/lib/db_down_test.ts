import { assert, assertEquals } from "@/tests/support/assert.ts";
import { openDb } from "@/db/client.ts";
import { migrate } from "@/db/migrate.ts";
import { loadConfig } from "@/lib/config.ts";
import { define } from "@/app/state.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { startThrowawayPostgres } from "@/tests/support/throwaway_postgres.ts";

const pg = await startThrowawayPostgres();

const countPlans = {
  handler: define.handlers({
    async GET(ctx) {
      const [row] = await ctx.state.services.db.sql`select count(*) as n from plans`;
      return Response.json({ plans: row.n });
    },
  }),
};

async function timed(fn: () => Response | Promise<Response>) {
  const started = performance.now();
  const res = await fn();
  return { res, ms: performance.now() - started };
}

Deno.test({
  name: "a database that goes down → 503 quickly, liveness stays up, and service recovers without a restart",
  ignore: pg === null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const config = { ...loadConfig(() => undefined), databaseUrl: pg!.url, pgPoolMax: 2 };
    const db = await openDb(config);
    try {
      await migrate(db);
      await using test = await startTestApp({ db, routes: { "routes/api/plans_count.ts": countPlans } });
      const { app } = test;
      assertEquals((await app.request("/api/health/deep")).status, 200);
      assertEquals(await (await app.request("/api/plans_count")).json(), { plans: 2 });

      await pg!.stop();

      const deep = await timed(() => app.request("/api/health/deep"));
      assertEquals(deep.res.status, 503);
      const body = await deep.res.json();
      assertEquals(body.status, "fail");
      assertEquals(body.checks.db.status, "fail");
      assertEquals(body.checks.kv.status, "ok");
      assert(deep.ms < 5_000, `deep health took ${deep.ms} ms`);

      const query = await timed(() => app.request("/api/plans_count"));
      assertEquals(query.res.status, 503);
      assertEquals((await query.res.json()).error.code, "unavailable");
      assert(query.ms < 10_000, `a query against a down DB took ${query.ms} ms`);
      assertEquals((await app.request("/api/health")).status, 200);

      const page = await app.request("/api/plans_count", { headers: { Accept: "text/html" } });
      assertEquals(page.status, 503);

      await pg!.start();
      let recovered = 0;
      for (let i = 0; i < 50 && recovered !== 200; i++) {
        recovered = (await app.request("/api/health/deep")).status;
        if (recovered !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assertEquals(recovered, 200);
      assertEquals(await (await app.request("/api/plans_count")).json(), { plans: 2 });
    } finally {
      await db.close();
      await pg?.dispose();
    }
  },
});
