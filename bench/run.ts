/**
 * `deno task bench`: every benchmark in turn, then `bench/RESULTS.md`. Each bench
 * prints JSON lines with its figures and, for its headline, the baseline measured in the
 * same run (or the stated target) and the ratio; this collects them with the machine's
 * description (CPU model, cores, RAM, Deno version) and the load average before and
 * after each bench, because a shared machine's numbers mean little without it.
 *
 * The load mix runs too: on embedded PGlite by default, through PgBouncer when
 * `DATABASE_URL` (and `DATABASE_URL_DIRECT`) are set, one instance either way. Every
 * bench stops the processes it started; a failing bench is recorded and the rest run.
 *
 *   deno task bench [--seconds 10]            # arguments are passed to every bench
 *   eval "$(scripts/pg_local.sh env /tmp/pg)" && deno task bench
 */
import { ROOT } from "./support.ts";

/** Each bench with the arguments it always gets (before the caller's). */
const BENCHES: { script: string; args: string[] }[] = [
  { script: "bench/cold_start.ts", args: [] },
  { script: "bench/pipeline.ts", args: [] },
  { script: "bench/health.ts", args: [] },
  { script: "bench/dashboard.ts", args: [] },
  { script: "bench/rate_limit.ts", args: [] },
  { script: "bench/cached_read.ts", args: [] },
  { script: "bench/checkin.ts", args: [] },
  // The database on a core of its own, as on its own host (Postgres only; see bench/checkin.ts).
  ...(Deno.env.get("DATABASE_URL") ? [{ script: "bench/checkin.ts", args: ["--pin"] }] : []),
  { script: "bench/kv_size.ts", args: [] },
  { script: "bench/load_mix.ts", args: ["--instances", "1"] },
  ...(Deno.env.get("DATABASE_URL") ? [{ script: "bench/load_mix.ts", args: ["--instances", "1", "--pin"] }] : []),
  { script: "bench/mix_cpu.ts", args: [] },
  { script: "bench/heavy_memory.ts", args: [] },
];

/** One bench's run: its JSON lines, the load average around it, how it ended. */
export interface BenchRun {
  script: string;
  code: number;
  seconds: number;
  loadBefore: string;
  loadAfter: string;
  lines: Record<string, unknown>[];
}

const loadavg = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");

/** CPU model, cores, RAM, OS and Deno version, as RESULTS.md states them. */
export function describeMachine(): Record<string, string> {
  const cpuinfo = Deno.readTextFileSync("/proc/cpuinfo");
  const meminfo = Deno.readTextFileSync("/proc/meminfo");
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(meminfo)?.[1] ?? 0);
  return {
    cpu: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    cores: String(navigator.hardwareConcurrency),
    ram: `${(memKb / 1024 / 1024).toFixed(1)} GiB`,
    os: `${Deno.build.os} ${Deno.osRelease()} ${Deno.build.arch}`,
    deno: `${Deno.version.deno} (V8 ${Deno.version.v8})`,
    database: Deno.env.get("DATABASE_URL")
      ? `Postgres${Deno.env.get("PGBOUNCER") ? " through PgBouncer" : ""}`
      : "embedded PGlite",
  };
}

async function runBench(script: string, args: string[]): Promise<BenchRun> {
  const loadBefore = loadavg();
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines: Record<string, unknown>[] = [];
  let buffer = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    const complete = buffer.split("\n");
    buffer = complete.pop()!;
    for (const line of complete) {
      console.log(line);
      if (!line.startsWith('{"bench"')) continue;
      try {
        lines.push(JSON.parse(line));
      } catch { /* a partial or foreign line: shown, not collected */ }
    }
  }
  const { code } = await child.status;
  return {
    script,
    code,
    seconds: Math.round((performance.now() - started) / 1000),
    loadBefore,
    loadAfter: loadavg(),
    lines,
  };
}

/** RESULTS.md: the machine, the headline table, each bench's load average and every line it printed. */
export function resultsMarkdown(machine: Record<string, string>, runs: BenchRun[], when: Date): string {
  const out = [
    "# Benchmark results",
    "",
    `Written by \`deno task bench\` (bench/run.ts) on ${when.toISOString()}. Do not edit: run it again.`,
    "",
    "## Machine",
    "",
    "| | |",
    "|---|---|",
    ...Object.entries(machine).map(([key, value]) => `| ${key} | ${value} |`),
    "",
    "## Figures against their baselines",
    "",
    "Ratio = figure / baseline. Where higher is better a ratio above 1 beats the baseline; where lower is better",
    "(latency, memory, bytes) a ratio at most 1 is within the budget.",
    "",
    "| bench | figure | value | baseline | baseline value | ratio | better |",
    "|---|---|---:|---|---:|---:|---|",
  ];
  for (const run of runs) {
    for (const line of run.lines) {
      const c = line.compare as Record<string, unknown> | undefined;
      if (!c) continue;
      out.push(
        `| ${line.bench} | ${c.figure} | ${c.value} ${c.unit} | ${c.baseline} | ${c.baselineValue} ${c.unit} | ` +
          `${c.ratio} | ${c.higherIsBetter ? "higher" : "lower"} |`,
      );
    }
  }
  out.push(
    "",
    "## Runs",
    "",
    "| bench | exit | seconds | loadavg before | loadavg after |",
    "|---|---:|---:|---|---|",
    ...runs.map((r) => `| ${r.script} | ${r.code} | ${r.seconds} | ${r.loadBefore} | ${r.loadAfter} |`),
    "",
    "## Every line",
    "",
    "The raw JSON lines, one per figure (`bench/capacity.ts` reads them from here).",
    "",
    "```jsonl",
    ...runs.flatMap((r) => r.lines.map((line) => JSON.stringify({ ...line, script: r.script }))),
    "```",
    "",
  );
  return out.join("\n");
}

if (import.meta.main) {
  const machine = describeMachine();
  const runs: BenchRun[] = [];
  for (const { script, args } of BENCHES) {
    const run = await runBench(script, [...args, ...Deno.args]);
    if (run.code !== 0) console.error(`${script} exited ${run.code}; the other benches still run`);
    runs.push(run);
  }
  const path = `${ROOT}/bench/RESULTS.md`;
  await Deno.writeTextFile(path, resultsMarkdown(machine, runs, new Date()));
  // As `deno fmt` would lay it out, so `deno task check` stays clean after a run.
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", path], cwd: ROOT }).output();
  console.error(`wrote ${path}`);
  if (runs.some((r) => r.code !== 0)) Deno.exit(1);
}
