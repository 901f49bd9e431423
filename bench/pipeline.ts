/**
 * The pipeline's own cost, in process (no sockets, so less at the mercy of a busy
 * machine than wrk): CPU microseconds per `GET /api/health` through `app.fetch`, against
 * a bare handler returning the same JSON through the same kind of call. The ratio
 * bare / app is what `bench/health.ts` measures over HTTP, without the server's share.
 * The request log line is written to a sink that drops it (it is still built).
 *
 *   deno run -A bench/pipeline.ts [--requests 20000]
 */
import process from "node:process";
import { parseArgs } from "node:util";
import manifest from "@/fresh.gen.ts";
import { createApp } from "@/app/app.ts";
import { closeServices, loadAssets, openServices } from "@/app/server.ts";
import { loadConfig } from "@/lib/config.ts";
import { setLogLevel, setLogSink } from "@/lib/log.ts";
import { report, round } from "./support.ts";

const { values } = parseArgs({ strict: false, options: { requests: { type: "string", default: "20000" } } });
const requests = Number(values.requests);

/** Mean CPU microseconds per call of `handle`, over `requests` calls in batches of 50 in flight. */
async function cpuMicrosPerRequest(handle: (req: Request) => Promise<Response> | Response): Promise<number> {
  const batch = 50;
  const run = async (n: number) => {
    for (let done = 0; done < n; done += batch) {
      await Promise.all(Array.from({ length: batch }, async () => {
        const res = await handle(new Request("http://127.0.0.1/api/health"));
        await res.arrayBuffer();
      }));
    }
  };
  await run(Math.min(requests, 2000)); // warm-up: JIT, caches
  const used = process.cpuUsage();
  await run(requests);
  const { user, system } = process.cpuUsage(used);
  return (user + system) / requests;
}

const dataDir = await Deno.makeTempDir();
setLogLevel("info");
const restore = setLogSink(() => {});
try {
  const services = await openServices({ ...loadConfig(), dataDir, kvPath: `${dataDir}/kv.sqlite3`, logLevel: "info" });
  try {
    const { assets, staticFiles } = await loadAssets();
    const app = createApp({ services, manifest, assets, staticFiles });
    const bare = await cpuMicrosPerRequest(() =>
      Response.json({ status: "ok", version: "dev", uptimeS: Math.round(performance.now() / 1000) })
    );
    const piped = await cpuMicrosPerRequest((req) => app.fetch(req));
    report("pipeline_in_process", { requests, bareMicros: round(bare, 1), appMicros: round(piped, 1) }, {
      figure: "GET /api/health through app.fetch, CPU per request",
      value: round(piped, 1),
      unit: "µs",
      baseline: "bare handler, same call",
      baselineValue: round(bare, 1),
      higherIsBetter: false,
    });
  } finally {
    await closeServices(services);
  }
} finally {
  restore();
  await Deno.remove(dataDir, { recursive: true });
}
