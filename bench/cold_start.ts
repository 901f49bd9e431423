/**
 * Cold start of the embedded app: time from spawning `main.ts` to listening, on an
 * empty DATA_DIR (creates the PGlite database and migrates it) and again on the same
 * directory (reopens it). Built assets are assumed present (`deno task build`).
 * Also its resident memory (RSS) a second after the second start answered its deep
 * health check — what a newcomer's small VM must hold — against a bare `Deno.serve`
 * hello world's, and the budget (≤ 250 MB).
 *
 *   deno run -A bench/cold_start.ts [--runs 3]
 */
import { parseArgs } from "node:util";
import { report, round, rssMb, spawnApp } from "./support.ts";

/** The embedded default's idle RSS budget (issue 14). */
const IDLE_RSS_BUDGET_MB = 250;
const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));

const { values } = parseArgs({ strict: false, options: { runs: { type: "string", default: "3" } } });
const first: number[] = [];
const second: number[] = [];
const idleRss: number[] = [];
for (let i = 0; i < Number(values.runs); i++) {
  const dataDir = await Deno.makeTempDir();
  try {
    for (const into of [first, second]) {
      const app = await spawnApp("main.ts", { DATA_DIR: dataDir, DATABASE_URL: "" });
      into.push(app.startMs);
      const res = await fetch(`${app.url}/api/health/deep`);
      if (res.status !== 200) throw new Error(`deep health after start: ${res.status}`);
      await res.body?.cancel();
      if (into === second) {
        await settle();
        idleRss.push(rssMb(app.child.pid));
      }
      await app.stop();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}
const hello = await spawnApp("bench/hello_server.ts", {});
await settle();
const helloRss = rssMb(hello.child.pid);
await hello.stop();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
report("cold_start_embedded", {
  firstStartMs: round(median(first), 0),
  secondStartMs: round(median(second), 0),
  runs: first.length,
  allFirstMs: first.map((n) => round(n, 0)),
  allSecondMs: second.map((n) => round(n, 0)),
});
report("idle_rss_embedded", {
  helloRssMb: helloRss,
  allMb: idleRss,
  ratioToHello: round(median(idleRss) / helloRss, 2),
}, {
  figure: "embedded app idle RSS after start",
  value: median(idleRss),
  unit: "MB",
  baseline: "budget",
  baselineValue: IDLE_RSS_BUDGET_MB,
  higherIsBetter: false,
});
