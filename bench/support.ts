/**
 * Shared pieces of the benchmarks: spawning the app as a real process, and running
 * `wrk` against a URL. Benchmarks print numbers and ratios against a baseline measured
 * in the same run; they assert nothing.
 */

export const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** The `--v8-flags` of `deno task start` (deno.json), so the benches measure the app as it is run. */
export const START_V8_FLAGS: string =
  /--v8-flags=(\S+)/.exec(JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`)).tasks.start)?.[1] ?? "";

export interface Spawned {
  url: string;
  child: Deno.ChildProcess;
  /** Milliseconds from spawn to the "server.listening" log line. */
  startMs: number;
  stop(): Promise<void>;
}

/**
 * Spawns `deno run -A <script>` and waits for a `"server.listening"` log line with the URL.
 * With `BENCH_CPU_PROF_DIR` set, the app writes a V8 CPU profile there when it stops
 * (open it in Chrome DevTools), so any bench can show where a route's time goes.
 * The app runs with the V8 flags `deno task start` gives it ({@linkcode START_V8_FLAGS});
 * `BENCH_V8_FLAGS` (`--max-semi-space-size=4,…`, or empty for V8's defaults) replaces
 * them, to compare heap settings with the same bench. `onLine` sees every stdout line the app
 * writes after it listens (the `memory` lines of `MEMORY_LOG_MS`, lib/memory_log.ts).
 */
export async function spawnApp(
  script: string,
  env: Record<string, string>,
  onLine?: (line: string) => void,
): Promise<Spawned> {
  const started = performance.now();
  const profileDir = Deno.env.get("BENCH_CPU_PROF_DIR");
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const v8Flags = Deno.env.get("BENCH_V8_FLAGS") ?? START_V8_FLAGS;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...profile, ...(v8Flags ? [`--v8-flags=${v8Flags}`] : []), script],
    cwd: ROOT,
    env: { PORT: "0", LOG_LEVEL: "info", NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${script} exited before listening: ${await new Response(child.stderr).text()}`);
    buffer += value;
    const line = buffer.split("\n").find((l) => l.includes('"server.listening"'));
    if (line) {
      const startMs = performance.now() - started;
      // Keep draining so the child never blocks on a full pipe.
      (async () => {
        let rest = "";
        while (true) {
          const { value, done } = await reader.read();
          if (done) break;
          if (!onLine) continue;
          const lines = (rest + value).split("\n");
          rest = lines.pop()!;
          lines.forEach(onLine);
        }
      })();
      child.stderr.pipeTo(new WritableStream()).catch(() => {});
      return {
        url: JSON.parse(line).url,
        child,
        startMs,
        async stop() {
          child.kill("SIGTERM");
          await child.status;
        },
      };
    }
  }
}

export interface WrkResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

/** Runs wrk (Debian's package), optionally with a Lua request script, and parses its latency distribution. */
export async function wrk(
  url: string,
  options: { seconds?: number; connections?: number; threads?: number; script?: string } = {},
): Promise<WrkResult> {
  const { seconds = 10, connections = 50, threads = 1 } = options;
  const script = options.script ? ["-s", options.script] : [];
  const out = await new Deno.Command("wrk", {
    args: [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, "--latency", ...script, url],
    stdout: "piped",
    stderr: "piped",
  }).output().catch((error) => {
    throw new Error(`wrk is needed for this benchmark (apt-get install wrk): ${error.message}`);
  });
  const text = new TextDecoder().decode(out.stdout);
  const number = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  const latency = (pct: string) => {
    const m = new RegExp(`\\s${pct}%\\s+([\\d.]+)(us|ms|s)`).exec(text);
    if (!m) return NaN;
    return Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[m[2]];
  };
  return {
    requestsPerSec: number(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: latency("50"),
    p99Ms: latency("99"),
    non2xx: number(/Non-2xx or 3xx responses:\s+(\d+)/) || 0,
  };
}

/**
 * A bench's headline: its figure next to the baseline it is judged against (measured in
 * the same run, or a stated target where nothing comparable can be measured), and the
 * ratio figure / baseline. `bench/run.ts` collects these into RESULTS.md.
 */
export interface Comparison {
  /** What was measured: "GET /api/health throughput". */
  figure: string;
  value: number;
  /** "req/s", "ms", "MB", "bytes". */
  unit: string;
  /** What it is compared with: "bare Deno.serve hello" or "target". */
  baseline: string;
  baselineValue: number;
  /** Whether a larger figure is the better one (throughput) or the worse (latency, memory). */
  higherIsBetter: boolean;
}

/** Prints one result line as JSON, so runs can be compared by script; with a comparison, its ratio too. */
export function report(name: string, fields: Record<string, unknown>, comparison?: Comparison): void {
  const compare = comparison && { ...comparison, ratio: round(comparison.value / comparison.baselineValue, 3) };
  console.log(JSON.stringify({ bench: name, ...fields, ...(compare ? { compare } : {}) }));
}

/** Resident set size of a process in MB (Linux `/proc`), 0 when it is gone. */
export function rssMb(pid: number): number {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(Deno.readTextFileSync(`/proc/${pid}/status`))?.[1] ?? 0);
    return round(kb / 1024, 1);
  } catch {
    return 0;
  }
}

/** The environment a spawned app needs to reach the same database as this process (embedded when unset). */
export function databaseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["DATABASE_URL", "PGBOUNCER"]) if (Deno.env.get(name)) env[name] = Deno.env.get(name)!;
  return env;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
