/**
 * The app as a real process (`deno run -A main.ts`, or another entry) on a free loopback port, for tests
 * that need what only a process has: signals, several instances on one KV file, a
 * proxy in front, a database killed under it.
 *
 * The child gets a clean environment (only what is passed, plus PATH, HOME and Deno's
 * cache), so a `DATABASE_URL` set for the test run does not leak into it. Its JSON log
 * lines (stdout and stderr) are collected in `lines`.
 *
 * @example
 * ```ts
 * await using app = await spawnApp({ DATABASE_URL: pg.url, DATA_DIR: dir });
 * const res = await fetch(`${app.url}/api/health`);
 * const status = await app.signal("SIGTERM");
 * ```
 */

const ROOT = new URL("../..", import.meta.url).pathname;

/** A running `main.ts`. */
export interface AppProcess extends AsyncDisposable {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Every log line so far, parsed (lines that are not JSON are kept as `{ raw }`). */
  readonly lines: Record<string, unknown>[];
  /** Resolves with the exit status. */
  readonly exited: Promise<Deno.CommandStatus>;
  /** The first log line with this `msg`, waiting for it up to `timeoutMs`. */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends a signal and waits for the exit (SIGKILL after `timeoutMs`). */
  signal(signal: Deno.Signal, timeoutMs?: number): Promise<Deno.CommandStatus>;
}

/** Environment variables a child keeps from the test process. */
const INHERITED = ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"];

/**
 * Starts `main.ts` with `env` (plus `PORT=0`, `HOST=127.0.0.1`, `LOG_LEVEL=info`
 * unless given) and waits for `server.listening`. Throws with the log when it exits or
 * does not listen within `startTimeoutMs`.
 */
export async function spawnApp(
  env: Record<string, string>,
  { startTimeoutMs = 60_000, entry = "main.ts", denoArgs = ["-A"] }: {
    startTimeoutMs?: number;
    /** The module to run, relative to the repository root. */
    entry?: string;
    /** Flags before the module (permissions). */
    denoArgs?: string[];
  } = {},
): Promise<AppProcess> {
  const inherited = Object.fromEntries(
    INHERITED.flatMap((name) => {
      const value = Deno.env.get(name);
      return value === undefined ? [] : [[name, value]];
    }),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...denoArgs, entry],
    cwd: ROOT,
    clearEnv: true,
    env: { ...inherited, NO_COLOR: "1", PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  const collect = async (stream: ReadableStream<Uint8Array<ArrayBuffer>>) => {
    let buffer = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      for (const line of parts) {
        if (line.trim() === "") continue;
        try {
          lines.push(JSON.parse(line));
        } catch {
          lines.push({ raw: line });
        }
      }
      for (const wake of waiters) wake();
    }
  };
  const reading = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const exited = child.status.then(async (status) => {
    await reading;
    for (const wake of waiters) wake();
    return status;
  });
  let done = false;
  exited.then(() => done = true);

  const waitForLog = async (msg: string, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines.find((line) => line.msg === msg);
      if (found) return found;
      if (done) throw new Error(`the app exited before logging ${msg}:\n${describe(lines)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the app did not log ${msg} within ${timeoutMs} ms:\n${describe(lines)}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 250));
        waiters.add(wake);
      });
    }
  };

  const signal = async (name: Deno.Signal, timeoutMs = 30_000) => {
    if (!done) child.kill(name);
    const timer = setTimeout(() => {
      if (!done) child.kill("SIGKILL");
    }, timeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  let listening: Record<string, unknown>;
  try {
    listening = await waitForLog("server.listening", startTimeoutMs);
  } catch (error) {
    await signal("SIGKILL", 5_000);
    throw error;
  }
  // The port from the log, the address from what we asked for: the logged URL may name
  // `localhost` rather than the loopback address the server listens on.
  const port = Number(new URL(String(listening.url)).port);
  const url = `http://${env.HOST ?? "127.0.0.1"}:${port}`;
  return {
    url,
    port,
    pid: child.pid,
    lines,
    exited,
    waitForLog,
    signal,
    async [Symbol.asyncDispose]() {
      await signal("SIGKILL", 5_000);
    },
  };
}

function describe(lines: Record<string, unknown>[]): string {
  return lines.slice(-40).map((line) => JSON.stringify(line)).join("\n");
}
