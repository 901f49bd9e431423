import { assert, assertEquals, assertStringIncludes } from "@/tests/support/assert.ts";
import {
  capacityMarkdown,
  parseResultsLines,
  planScenario,
  type RouteCost,
  SCENARIOS,
  SECTIONS,
  type StorageCost,
} from "@/bench/capacity_model.ts";

/** A RESULTS.md in `bench/run.ts`'s format, with a noise line the parser must skip. */
const FIXTURE = [
  "# Benchmark results",
  "",
  "Written by `deno task bench` (bench/run.ts) on 2026-11-30T05:34:37.818Z. Do not edit: run it again.",
  "",
  "## Every line",
  "",
  "```jsonl",
  '{"bench":"hello_world","rps":38790,"p50Ms":0.16,"p99Ms":0.561,"script":"bench/health.ts"}',
  '{"bench":"api_health","rps":1300,"script":"bench/health.ts"}',
  "not json: a stray line",
  '{"bench":"load_mix","instances":2,"totalRps":200,"worstP99Ms":80,"backend":"postgres"}',
  '{"bench":"kv_size_live","perUserMaxBytes":5000}',
  "```",
  "",
].join("\n");

const cost = (route: string, mixShare: number, cpuMs: number, statements: number): RouteCost => ({
  route,
  mixShare,
  cpuMs,
  statements,
  transactions: 0,
  kvReads: 2,
  kvWrites: route.startsWith("POST") ? 2 : 0,
  statementMs: 2,
});

const COSTS: RouteCost[] = [
  cost("GET /api/habits (cached)", 0.7, 1, 0),
  cost("POST /api/habits/:id/checkins", 0.2, 10, 5),
  cost("GET /app", 0.1, 10, 1),
  cost("GET /api/health", 0, 0.1, 0),
];
const STORAGE: StorageCost = {
  backend: "embedded PGlite",
  checkinBytes: 100,
  activityBytes: 200,
  activityRowsPerCheckin: 1,
  kvBytesPerUser: 40,
};

Deno.test("capacity: RESULTS.md's lines are read, a stray line skipped", () => {
  assertEquals(parseResultsLines(FIXTURE).map((l) => l.bench), [
    "hello_world",
    "api_health",
    "load_mix",
    "kv_size_live",
  ]);
  assertEquals(parseResultsLines("# no jsonl block"), []);
});

Deno.test("capacity: the document has every section, every route, and the three user counts", () => {
  const md = capacityMarkdown({
    lines: parseResultsLines(FIXTURE),
    resultsDate: "2026-11-30T05:34:37.818Z",
    costs: COSTS,
    storage: STORAGE,
    when: new Date("2026-11-30T06:00:00Z"),
  });
  let at = -1;
  for (const heading of SECTIONS) {
    const next = md.indexOf(`\n${heading}\n`);
    assert(next > at, `${heading} missing or out of order`);
    at = next;
  }
  for (const c of COSTS) assertStringIncludes(md, `| ${c.route} |`);
  // Mix-weighted CPU: 0.7 × 1 + 0.2 × 10 + 0.1 × 10 = 3.7 ms.
  assertStringIncludes(md, "| mix request (weighted) | 100 % | 3.7 | 1.1 |");
  assertStringIncludes(md, "| daily active users | 2,500 | 25,000 | 250,000 |");
  assertStringIncludes(md, "200 req/s on 2 instance(s) (postgres)");
  assertStringIncludes(md, "5,000 bytes, the heaviest user of `bench/kv_size.ts`");
  for (const next of ["read replica", "partition `activity` by month", "next fire time"]) {
    assertStringIncludes(md, next);
  }
  assert(!md.includes("NaN") && !md.includes("undefined"), md);
});

Deno.test("capacity: instances follow the slower of CPU per request and measured mix throughput", () => {
  const lines = parseResultsLines(FIXTURE);
  const million = SCENARIOS[2];
  const plan = planScenario(million, COSTS, STORAGE, lines);
  // 250,000 active × 25 requests × 1.1 / 86,400 s × 4 (peak) = 318.3 req/s.
  assertEquals(Math.round(plan.peakRps * 10) / 10, 318.3);
  // CPU: 318.3 × 3.7 ms / 600 ms = 1.96 → 2. Measured: 100 req/s per instance × 0.6 → 318.3 / 60 → 6.
  assertEquals(plan.instancesByCpu, 2);
  assertEquals(plan.instancesByMeasuredRps, 6);
  assertEquals(plan.instances, 6);
  // Without a usable load-mix figure, CPU alone decides.
  const noMix = planScenario(million, COSTS, STORAGE, lines.filter((l) => l.bench !== "load_mix"));
  assertEquals(noMix.instancesByMeasuredRps, undefined);
  assertEquals(noMix.instances, 2);
  // A year: 250,000 × 5 check-ins × 365 days, each 100 bytes plus one 200-byte activity row.
  assertEquals(plan.checkinRowsPerYear, 456_250_000);
  assertEquals(plan.postgresBytesPerYear, 456_250_000 * 300);
  assertEquals(plan.kvBytes, 250_000 * 5000);
});
