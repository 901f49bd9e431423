/**
 * Shared pieces of the benchmarks: spawning the app as a real process, and running
 * `wrk` against a URL. Benchmarks print numbers and ratios against a baseline measured
 * in the same run; they assert nothing.
 */

export const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/**
 * The load mix's shares (issue 14): cached `GET /api/habits`, check-ins, the `/app`
 * dashboard. bench/load_mix.ts, bench/mix_cpu.ts and bench/capacity.ts all draw from it.
 */
export const LOAD_MIX = { cachedReads: 0.7, checkins: 0.2, dashboards: 0.1 } as const;

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
  // Raw bytes, decoded only where someone reads them: the app logs a line per request, and
  // decoding them all here took CPU from the cores the measured app runs on.
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${script} exited before listening: ${await new Response(child.stderr).text()}`);
    buffer += decoder.decode(value, { stream: true });
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
          const lines = (rest + decoder.decode(value, { stream: true })).split("\n");
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

/** A snapshot of the CPU every process on the machine has used, by command name (Linux `/proc`). */
export interface CpuSnapshot {
  /** `performance.now()` when taken. */
  at: number;
  /**
   * Each process's command (`postgres`, `pgbouncer`, `wrk`, `deno`…, or the name it was
   * given) and CPU milliseconds so far (user + system), by pid: a kernel worker renames
   * itself after its current work, so processes are told apart by pid, not by name.
   */
  byPid: Map<number, { command: string; ms: number }>;
  /** CPU milliseconds the whole machine spent idle (`/proc/stat`). */
  idleMs: number;
}

/** Linux's USER_HZ: /proc reports CPU time in hundredths of a second on every platform Deno runs on. */
const TICK_MS = 10;

/**
 * Where the machine's CPU is going: every process's user + system time by command name.
 * Two snapshots around a measured phase give each command's share per operation
 * ({@linkcode cpuPerOperation}), which is how the check-in bench shows what bounds a
 * ratio on a machine whose cores the app, Postgres, PgBouncer and wrk all share. A process
 * that exits within the phase loses its share. `named` counts some processes under a name
 * of their own (`{ app: child.pid }`), apart from others of the same command. Empty (no
 * /proc) on other systems.
 */
export function cpuSnapshot(named: Record<string, number> = {}): CpuSnapshot {
  const byPid = new Map<number, { command: string; ms: number }>();
  const names = new Map(Object.entries(named).map(([name, pid]) => [String(pid), name]));
  let idleMs = 0;
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      let stat: string;
      try {
        stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      } catch {
        continue; // exited meanwhile
      }
      const open = stat.indexOf("(");
      const close = stat.lastIndexOf(")");
      const command = names.get(entry.name) ?? stat.slice(open + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      byPid.set(Number(entry.name), { command, ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS });
    }
    const cpu = Deno.readTextFileSync("/proc/stat").split("\n")[0].split(/\s+/).slice(1).map(Number);
    idleMs = (cpu[3] + cpu[4]) * TICK_MS; // idle + iowait
  } catch {
    // not Linux
  }
  return { at: performance.now(), byPid, idleMs };
}

/**
 * CPU milliseconds per operation between two snapshots, for the commands named (the
 * rest summed as `other`), plus `idle`: what the machine had left. Their sum is the
 * machine's cores × the phase's duration / `operations`. `BENCH_CPU_OTHERS=1` prints
 * what `other` was made of to stderr (on this project's VM: the kernel's disk writeback
 * threads, `kworker/…-flush`, and the VM's agent).
 */
export function cpuPerOperation(
  before: CpuSnapshot,
  after: CpuSnapshot,
  operations: number,
  commands: readonly string[] = ["deno", "postgres", "pgbouncer", "wrk"],
): Record<string, number> {
  const out: Record<string, number> = {};
  let other = 0;
  const others: [string, number][] = [];
  const byCommand = new Map<string, number>();
  for (const [pid, { command, ms }] of after.byPid) {
    // A process born within the phase spent all of its CPU in it.
    const used = Math.max(0, ms - (before.byPid.get(pid)?.ms ?? 0));
    byCommand.set(command, (byCommand.get(command) ?? 0) + used);
  }
  for (const [command, used] of byCommand) {
    if (commands.includes(command)) out[command] = round(used / operations, 3);
    else {
      other += used;
      if (used > 0) others.push([command, used]);
    }
  }
  if (Deno.env.get("BENCH_CPU_OTHERS")) {
    console.error(
      "other:",
      others.sort((a, b) => b[1] - a[1]).slice(0, 8).map(([c, ms]) => `${c} ${ms} ms`).join(", "),
    );
  }
  for (const command of commands) out[command] ??= 0;
  out.other = round(other / operations, 3);
  out.idle = round((after.idleMs - before.idleMs) / operations, 3);
  return out;
}

/**
 * Snapshots every `everyMs` while a phase runs (started after `skipMs` of warm-up), so
 * that processes which exit at its end (wrk) are still counted, with what they had used
 * when last seen: `stop()` gives the first snapshot and the last one, merged so.
 */
export function cpuDuring(
  named: Record<string, number> = {},
  { everyMs = 500, skipMs = 500 } = {},
): { stop(): Promise<{ first: CpuSnapshot; last: CpuSnapshot }> } {
  let running = true;
  let first: CpuSnapshot | undefined;
  let last: CpuSnapshot | undefined;
  // Every process as last seen: one that exits between two snapshots keeps what it had used.
  const seen = new Map<number, { command: string; ms: number }>();
  const loop = (async () => {
    await new Promise((resolve) => setTimeout(resolve, skipMs));
    first = cpuSnapshot(named);
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, everyMs));
      if (!running) break;
      const now = cpuSnapshot(named);
      for (const [pid, entry] of now.byPid) seen.set(pid, entry);
      last = { ...now, byPid: new Map(seen) };
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      first ??= cpuSnapshot(named);
      return { first, last: last ?? cpuSnapshot(named) };
    },
  };
}

/** {@linkcode cpuPerOperation} over a {@linkcode cpuDuring} window, at a measured rate of operations per second. */
export function cpuPerRequest(
  window: { first: CpuSnapshot; last: CpuSnapshot },
  perSecond: number,
  commands?: readonly string[],
): Record<string, number> {
  const operations = Math.max(1, perSecond * (window.last.at - window.first.at) / 1000);
  return cpuPerOperation(window.first, window.last, operations, commands);
}

/** The pids of every process whose command is one of `commands` (Linux `/proc`). */
export function pidsOf(commands: readonly string[]): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      if (commands.includes(Deno.readTextFileSync(`/proc/${entry.name}/comm`).trim())) pids.push(Number(entry.name));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

async function taskset(cores: string, pid: number): Promise<void> {
  const out = await new Deno.Command("taskset", {
    args: ["-a", "-p", "-c", cores, String(pid)],
    stdout: "null",
    stderr: "piped",
  })
    .output().catch((error) => {
      throw new Error(`taskset is needed for --pin (util-linux): ${error.message}`);
    });
  // A process that exited meanwhile is not an error.
  if (!out.success && !new TextDecoder().decode(out.stderr).includes("No such process")) {
    throw new Error(`taskset -c ${cores} ${pid}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}

/**
 * Gives Postgres and PgBouncer the machine's last core and this bench (with the app and
 * wrk it spawns afterwards) the others, as if the database ran on its own host, which
 * is how the app is deployed: on a small machine whose cores they all share, every
 * statement the app sends wakes PgBouncer on the app's own core and the scheduler runs
 * it there, so the app pays for the database's CPU in its own latency. Returns the undo.
 * Needs `taskset` and at least two cores; Postgres must run on this machine.
 */
export async function pinDatabaseCore(): Promise<() => Promise<void>> {
  const cores = navigator.hardwareConcurrency;
  if (cores < 2) throw new Error("--pin needs at least two cores");
  const all = `0-${cores - 1}`;
  const database = pidsOf(["postgres", "pgbouncer"]);
  if (database.length === 0) throw new Error("--pin: no postgres or pgbouncer process on this machine");
  for (const pid of database) await taskset(String(cores - 1), pid);
  await taskset(cores === 2 ? "0" : `0-${cores - 2}`, Deno.pid);
  return async () => {
    for (const pid of pidsOf(["postgres", "pgbouncer"])) await taskset(all, pid);
    await taskset(all, Deno.pid);
  };
}
