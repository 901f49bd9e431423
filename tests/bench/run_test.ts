import { assert, assertEquals, assertStringIncludes } from "@/tests/support/assert.ts";
import { describeMachine, resultsMarkdown } from "@/bench/run.ts";

Deno.test("bench RESULTS.md: the machine, each headline against its baseline, the load around each bench, every line", () => {
  const machine = describeMachine();
  assert(machine.cpu.length > 0 && Number(machine.cores) >= 1, JSON.stringify(machine));
  assertStringIncludes(machine.deno, Deno.version.deno);
  const line = {
    bench: "api_health",
    rps: 900,
    compare: {
      figure: "GET /api/health throughput",
      value: 900,
      unit: "req/s",
      baseline: "bare Deno.serve hello",
      baselineValue: 3000,
      higherIsBetter: true,
      ratio: 0.3,
    },
  };
  const md = resultsMarkdown(machine, [
    {
      script: "bench/health.ts",
      code: 0,
      seconds: 21,
      loadBefore: "1.0 0.5 0.2",
      loadAfter: "1.5 0.6 0.2",
      lines: [line],
    },
    { script: "bench/checkin.ts", code: 1, seconds: 3, loadBefore: "1.5 0.6 0.2", loadAfter: "1.4 0.6 0.2", lines: [] },
  ], new Date("2026-11-30T06:00:00Z"));
  assertStringIncludes(md, `| cpu | ${machine.cpu} |`);
  assertStringIncludes(
    md,
    "| api_health | GET /api/health throughput | 900 req/s | bare Deno.serve hello | 3000 req/s | 0.3 | higher |",
  );
  assertStringIncludes(md, "| bench/health.ts | 0 | 21 | 1.0 0.5 0.2 | 1.5 0.6 0.2 |");
  assertStringIncludes(md, "| bench/checkin.ts | 1 | 3 |");
  const jsonl = md.split("```jsonl\n")[1].split("\n```")[0].split("\n");
  assertEquals(jsonl.map((l) => JSON.parse(l)), [{ ...line, script: "bench/health.ts" }]);
});
