/**
 * `GET /api/health` throughput and latency against a bare `Deno.serve` hello world,
 * both measured here with the same wrk settings, one after the other.
 *
 *   deno run -A bench/health.ts [--seconds 10] [--connections 50]
 */
import { parseArgs } from "node:util";
import { databaseEnv, report, round, spawnApp, wrk } from "./support.ts";

const { values } = parseArgs({
  strict: false,
  options: { seconds: { type: "string", default: "10" }, connections: { type: "string", default: "50" } },
});
const settings = { seconds: Number(values.seconds), connections: Number(values.connections) };

const dataDir = await Deno.makeTempDir();
try {
  const hello = await spawnApp("bench/hello_server.ts", {});
  await wrk(hello.url, { ...settings, seconds: 2 }); // warm-up
  const baseline = await wrk(hello.url, settings);
  await hello.stop();

  const app = await spawnApp("main.ts", { DATA_DIR: dataDir, ...databaseEnv() });
  await wrk(`${app.url}/api/health`, { ...settings, seconds: 2 });
  const health = await wrk(`${app.url}/api/health`, settings);
  await app.stop();

  report("hello_world", { rps: round(baseline.requestsPerSec, 0), p50Ms: baseline.p50Ms, p99Ms: baseline.p99Ms });
  report("api_health", {
    rps: round(health.requestsPerSec, 0),
    p50Ms: health.p50Ms,
    p99Ms: health.p99Ms,
    non2xx: health.non2xx,
    ratioToHello: round(health.requestsPerSec / baseline.requestsPerSec, 3),
  }, {
    figure: "GET /api/health throughput",
    value: round(health.requestsPerSec, 0),
    unit: "req/s",
    baseline: "bare Deno.serve hello",
    baselineValue: round(baseline.requestsPerSec, 0),
    higherIsBetter: true,
  });
} finally {
  await Deno.remove(dataDir, { recursive: true });
}
