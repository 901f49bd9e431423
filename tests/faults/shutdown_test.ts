/**
 * SIGTERM under load, after a database outage (the condition that used to stall
 * shutdown for the pool-close timeout, 5 s, with nothing in the log saying why):
 * every request in flight completes, new ones get 503, the process exits 0 well within
 * 10 s, closing the pool does not wait out its timeout, and the log names what
 * shutdown waited for, phase by phase.
 */
import { spawnApp } from "@/tests/support/app_process.ts";
import { waitUntil } from "@/tests/support/wait.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { countByStatus, seedWriters, startCheckinStream } from "@/tests/support/checkin_stream.ts";
import { openPostgresDb } from "@/db/client.ts";
import {
  postgresInstalled,
  startThrowawayPgBouncer,
  startThrowawayPostgres,
} from "@/tests/support/throwaway_postgres.ts";

const installed = await postgresInstalled();

/** A check-in whose body arrives in two parts, `gapMs` apart: in flight across a signal. */
function slowCheckin(url: string, habitId: string, bearer: Record<string, string>, day: string, note: string) {
  const encoder = new TextEncoder();
  let finish!: () => void;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`{"date":"${day}",`));
      finish = () => {
        controller.enqueue(encoder.encode(`"status":"done","note":"${note}"}`));
        controller.close();
      };
    },
  });
  const response = fetch(`${url}/api/habits/${habitId}/checkins`, {
    method: "POST",
    headers: { ...bearer, "content-type": "application/json" },
    body,
  });
  return { response, finish };
}

Deno.test({
  name:
    "SIGTERM under load after an outage: in-flight requests complete, new ones 503, exit 0 fast, no pool-close stall",
  ignore: !installed,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const pg = (await startThrowawayPostgres({ maxConnections: 100 }))!;
    const bouncer = (await startThrowawayPgBouncer(pg))!;
    const dataDir = await Deno.makeTempDir({ prefix: "cg-sigterm-" });
    const db = openPostgresDb(pg.url, { poolMax: 2, pgBouncer: false });
    try {
      await using app = await spawnApp({ DATABASE_URL: bouncer.url, PGBOUNCER: "true", DATA_DIR: dataDir });
      const writers = await seedWriters(db, 40);
      const stream = startCheckinStream(app.url, writers, { concurrency: 6 });
      const okCount = () => stream.outcomes.filter((o) => o.status === 200).length;
      await waitUntil(() => okCount() >= 50, 30_000, "check-ins before the outage");
      // An outage mid-stream: statements die with their connections.
      await pg.crash();
      await waitUntil(() => stream.outcomes.some((o) => o.status === 503), 20_000, "a 503 during the outage");
      await pg.start();
      const before = okCount();
      await waitUntil(() => okCount() >= before + 50, 30_000, "check-ins after the outage");

      // Three requests in flight across the signal: their bodies finish after it.
      const day = new Date().toISOString().slice(0, 10);
      const slow = [0, 1, 2].map((i) => slowCheckin(app.url, writers[i].habitId, writers[i].bearer, day, `slow-${i}`));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const signalledAt = performance.now();
      const exited = app.signal("SIGTERM", 30_000);
      await app.waitForLog("server.stopping", 5_000);
      const refused = await fetch(`${app.url}/api/health`);
      const refusedBody = await refused.json();
      await new Promise((resolve) => setTimeout(resolve, 700));
      for (const request of slow) request.finish();
      const slowAnswers = await Promise.all(slow.map(async (request) => {
        const res = await request.response;
        return { status: res.status, body: await res.text() };
      }));
      const status = await exited;
      const exitMs = performance.now() - signalledAt;
      const outcomes = await stream.stop();

      const stopped = app.lines.find((line) => line.msg === "server.stopped") as
        | { ms: number; phasesMs: Record<string, number> }
        | undefined;
      const stopping = app.lines.find((line) => line.msg === "server.stopping") as { inFlight: number } | undefined;
      const waiting = app.lines.find((line) => line.msg === "server.shutdown.waiting") as
        | { for: string; inFlight: number }
        | undefined;
      const afterSignal = outcomes.filter((o) => o.start >= signalledAt);
      console.log(
        "SIGTERM under load:",
        JSON.stringify({
          exitMs: Math.round(exitMs),
          stoppedMs: stopped?.ms,
          phasesMs: stopped?.phasesMs,
          inFlightAtSignal: stopping?.inFlight,
          stream: countByStatus(outcomes),
          afterSignal: countByStatus(afterSignal),
        }),
      );

      assertEquals(status.code, 0, "exit code");
      assert(exitMs < 10_000, `exit took ${Math.round(exitMs)} ms`);
      assertEquals(slowAnswers.map((a) => a.status), [200, 200, 200], JSON.stringify(slowAnswers));
      assertEquals(refused.status, 503);
      assertEquals(refusedBody.error.code, "unavailable");
      assertEquals(refused.headers.get("retry-after"), "1");
      assert(
        stopping && stopping.inFlight >= 3,
        `server.stopping names what is in flight: ${JSON.stringify(stopping)}`,
      );
      assert(waiting && waiting.for === "requests" && waiting.inFlight >= 3, "shutdown says it waits for requests");
      assert(stopped, "no server.stopped line");
      // The stall was the pool close waiting out its 5 s timeout after the outage.
      assert(stopped.phasesMs.services < 2_500, `closing services took ${stopped.phasesMs.services} ms`);
      const closeTimedOut = app.lines.find((line) => line.msg === "db.closed" && line.timedOut === true);
      assertEquals(closeTimedOut, undefined, "the pool close timed out");
      // The stream saw only 200s, 503s once draining, and refused connections once closed.
      const bad = outcomes.filter((o) =>
        !(o.status === 200 || o.status === 503 || (o.status === "network" && o.start >= signalledAt))
      );
      assertEquals(bad.map((o) => `${o.status} ${o.detail}`), []);
      const rows = await db.sql`select note from checkins where note like 'slow-%' order by note`;
      assertEquals(rows.map((row) => row.note), ["slow-0", "slow-1", "slow-2"]);
    } finally {
      await db.close();
      await bouncer.dispose();
      await pg.dispose();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
