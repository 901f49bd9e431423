/**
 * Cold start of the embedded app: time from spawning `main.ts` to listening, on an
 * empty DATA_DIR (creates the PGlite database and migrates it) and again on the same
 * directory (reopens it). Built assets are assumed present (`deno task build`).
 *
 *   deno run -A bench/cold_start.ts [--runs 3]
 */
import { parseArgs } from "node:util";
import { report, round, spawnApp } from "./support.ts";

const { values } = parseArgs({ strict: false, options: { runs: { type: "string", default: "3" } } });
const first: number[] = [];
const second: number[] = [];
for (let i = 0; i < Number(values.runs); i++) {
  const dataDir = await Deno.makeTempDir();
  try {
    for (const into of [first, second]) {
      const app = await spawnApp("main.ts", { DATA_DIR: dataDir, DATABASE_URL: "" });
      into.push(app.startMs);
      const res = await fetch(`${app.url}/api/health/deep`);
      if (res.status !== 200) throw new Error(`deep health after start: ${res.status}`);
      await res.body?.cancel();
      await app.stop();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
report("cold_start_embedded", {
  firstStartMs: round(median(first), 0),
  secondStartMs: round(median(second), 0),
  runs: first.length,
  allFirstMs: first.map((n) => round(n, 0)),
  allSecondMs: second.map((n) => round(n, 0)),
});
