/**
 * A private PostgreSQL server for one test: initdb into a temporary directory, on a
 * free loopback port, stopped and started at will (what outage tests need).
 *
 * Returns `null` when the PostgreSQL binaries are not installed, so tests can
 * `ignore` themselves; under `CI=true` a missing install throws instead, so CI
 * cannot pass by skipping. As root the server runs as the `postgres` user (Debian's
 * Postgres refuses root).
 *
 * @example
 * ```ts
 * const pg = await startThrowawayPostgres();
 * Deno.test({ name: "outage", ignore: pg === null, async fn() {
 *   await using _ = pg!;
 *   await pg!.stop();
 *   // ... assert the app notices ...
 *   await pg!.start();
 * } });
 * ```
 */

export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication). */
  readonly url: string;
  readonly port: number;
  /** Stops the server: `immediate` (default) is a crash, `fast` a clean shutdown. */
  stop(mode?: "immediate" | "fast"): Promise<void>;
  /**
   * `kill -9` of the postmaster and every backend at once, as the OOM killer or a
   * container runtime would do it: no shutdown checkpoint, crash recovery on the next
   * {@linkcode start}. Resolves once every process is gone.
   */
  crash(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Freezes every server process (SIGSTOP): connections stay open, nothing answers. */
  freeze(): Promise<void>;
  /** Undoes {@linkcode freeze} (SIGCONT). */
  thaw(): Promise<void>;
  /** Stops the server and deletes its files. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * True when the PostgreSQL binaries are installed (so tests can decide `ignore`
 * before starting anything); under `CI=true` their absence throws.
 */
export async function postgresInstalled(): Promise<boolean> {
  return (await postgresBin()) !== null;
}

async function postgresBin(): Promise<string | null> {
  const bin = await findPostgresBin();
  if (!bin && Deno.env.get("CI") === "true") {
    throw new Error(
      "PostgreSQL binaries not found but CI=true: install them " +
        "(apt-get install -y postgresql) or set PG_BIN",
    );
  }
  return bin;
}

/** How a throwaway server is configured. */
export interface ThrowawayPostgresOptions {
  /**
   * Production durability: `fsync`, `synchronous_commit` and `full_page_writes` on, so
   * a commit is acknowledged only once its WAL is on disk. Off by default (faster tests;
   * a crash may then lose the last acknowledged commits).
   */
  durable?: boolean;
  /** `max_connections`; default 50. */
  maxConnections?: number;
}

/** Starts a fresh server, or returns `null` when Postgres is not installed. */
export async function startThrowawayPostgres(options: ThrowawayPostgresOptions = {}): Promise<
  ThrowawayPostgres | null
> {
  const bin = await postgresBin();
  if (!bin) return null;
  const asRoot = Deno.uid() === 0;
  const dir = await Deno.makeTempDir({ prefix: "cg-pg-" });
  if (asRoot) await run("chown", ["postgres:", dir]);
  const dataDir = `${dir}/data`;
  const port = freePort();
  const owner = (cmd: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", `${bin}/${cmd}`, ...args]) : run(`${bin}/${cmd}`, args);

  await owner("initdb", [
    "-D",
    dataDir,
    "-U",
    "postgres",
    "--auth=trust",
    "-E",
    "UTF8",
    "--locale=C.UTF-8",
    "--no-sync",
    "--no-instructions",
  ]);
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    ...(options.durable ? ["-c fsync=on", "-c synchronous_commit=on", "-c full_page_writes=on"] : ["-c fsync=off"]),
    `-c max_connections=${options.maxConnections ?? 50}`,
  ].join(" ");
  const start = () =>
    owner("pg_ctl", [
      "start",
      "-D",
      dataDir,
      "-l",
      `${dir}/postgres.log`,
      "-w",
      "-t",
      "30",
      "-o",
      serverOptions,
    ]);
  const stop = async (mode: "immediate" | "fast" = "immediate") => {
    await owner("pg_ctl", ["stop", "-D", dataDir, "-m", mode, "-w", "-t", "30"]);
  };
  const processes = async () => {
    const postmaster = Number(
      (await Deno.readTextFile(`${dataDir}/postmaster.pid`)).split("\n")[0],
    );
    return [postmaster, ...await childrenOf(postmaster)];
  };
  const signalAll = async (signal: "SIGSTOP" | "SIGCONT") => {
    for (const pid of await processes()) Deno.kill(pid, signal);
  };
  const crash = async () => {
    const pids = await processes();
    for (const pid of pids) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // Exited on its own already.
      }
    }
    for (let attempt = 0; attempt < 400 && pids.some(alive); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  await start();

  let disposed = false;
  // A test that dies before disposing must not leave a server running.
  const abandon = () => {
    try {
      const pid = Number(Deno.readTextFileSync(`${dataDir}/postmaster.pid`).split("\n")[0]);
      Deno.kill(pid, "SIGCONT");
      Deno.kill(pid, "SIGQUIT"); // immediate shutdown
    } catch {
      // Not running.
    }
  };
  globalThis.addEventListener("unload", abandon);
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    globalThis.removeEventListener("unload", abandon);
    await signalAll("SIGCONT").catch(() => {});
    await stop("immediate").catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    crash,
    freeze: () => signalAll("SIGSTOP"),
    thaw: () => signalAll("SIGCONT"),
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}

/** A PgBouncer in transaction mode in front of a throwaway server. */
export interface ThrowawayPgBouncer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` through PgBouncer. */
  readonly url: string;
  readonly port: number;
  /** `kill -9`: every client and server connection drops at once. */
  crash(): Promise<void>;
  /** Starts it again on the same port (after {@linkcode crash}). */
  start(): Promise<void>;
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts PgBouncer (transaction pooling, as in production) in front of `server`,
 * or returns `null` when it is not installed (throws under `CI=true`).
 */
export async function startThrowawayPgBouncer(
  server: ThrowawayPostgres,
): Promise<ThrowawayPgBouncer | null> {
  const bin = await findPgBouncer();
  if (!bin) {
    if (Deno.env.get("CI") === "true") {
      throw new Error("pgbouncer not found but CI=true: apt-get install -y pgbouncer");
    }
    return null;
  }
  const asRoot = Deno.uid() === 0;
  const dir = await Deno.makeTempDir({ prefix: "cg-pgbouncer-" });
  const port = freePort();
  await Deno.writeTextFile(`${dir}/userlist.txt`, `"postgres" ""\n`);
  // Short waits so an outage shows within a test's patience.
  await Deno.writeTextFile(
    `${dir}/pgbouncer.ini`,
    [
      "[databases]",
      `* = host=127.0.0.1 port=${server.port}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${dir}/userlist.txt`,
      "pool_mode = transaction",
      "default_pool_size = 5",
      "query_wait_timeout = 2",
      "server_connect_timeout = 2",
      "server_login_retry = 1",
      "ignore_startup_parameters = extra_float_digits,options",
      `logfile = ${dir}/pgbouncer.log`,
      `pidfile = ${dir}/pgbouncer.pid`,
      "",
    ].join("\n"),
  );
  if (asRoot) await run("chown", ["-R", "postgres:", dir]);
  let pid = 0;
  const start = async () => {
    await Deno.remove(`${dir}/pgbouncer.pid`).catch(() => {});
    await (asRoot
      ? run("runuser", ["-u", "postgres", "--", bin, "-d", `${dir}/pgbouncer.ini`])
      : run(bin, ["-d", `${dir}/pgbouncer.ini`]));
    await waitForPort(port);
    pid = await readPidFile(dir);
  };
  await start();

  let disposed = false;
  const kill = () => {
    try {
      Deno.kill(pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  };
  const crash = async () => {
    const victim = pid;
    Deno.kill(victim, "SIGKILL");
    for (let attempt = 0; attempt < 400 && alive(victim); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  // A test that dies before disposing must not leave PgBouncer running.
  globalThis.addEventListener("unload", kill);
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    globalThis.removeEventListener("unload", kill);
    kill();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    crash,
    start,
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}

/**
 * True while a process exists, zombies included: Postgres refuses to start while the
 * pid in its lock file answers `kill(pid, 0)`, which a zombie does. An orphan is reaped
 * by pid 1, which in a container may take a second or two.
 */
function alive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

async function findPgBouncer(): Promise<string | null> {
  const dirs = [...(Deno.env.get("PATH") ?? "").split(":"), "/usr/sbin"];
  for (const dir of dirs) {
    if (dir && await exists(`${dir}/pgbouncer`)) return `${dir}/pgbouncer`;
  }
  return null;
}

/** Waits (up to 5 s) until something accepts connections on 127.0.0.1:`port`. */
export async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

async function findPostgresBin(): Promise<string | null> {
  const fromEnv = Deno.env.get("PG_BIN");
  if (fromEnv) return fromEnv;
  const versions: number[] = [];
  try {
    for await (const entry of Deno.readDir("/usr/lib/postgresql")) {
      if (/^\d+$/.test(entry.name)) versions.push(Number(entry.name));
    }
  } catch {
    // Not Debian's layout.
  }
  for (const version of versions.sort((a, b) => b - a)) {
    const bin = `/usr/lib/postgresql/${version}/bin`;
    if (await exists(`${bin}/pg_ctl`)) return bin;
  }
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir && await exists(`${dir}/pg_ctl`) && await exists(`${dir}/initdb`)) {
      return dir;
    }
  }
  return null;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** A port that was free a moment ago (the OS picks it). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function childrenOf(pid: number): Promise<number[]> {
  try {
    const text = await Deno.readTextFile(`/proc/${pid}/task/${pid}/children`);
    return text.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function run(cmd: string, args: string[]): Promise<void> {
  const { code, stdout, stderr } = await new Deno.Command(cmd, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    const decoder = new TextDecoder();
    throw new Error(
      `${cmd} ${args.join(" ")} exited with ${code}: ` +
        decoder.decode(stderr) + decoder.decode(stdout),
    );
  }
}

/**
 * PgBouncer's pid, once its daemon has written it: it can start listening a moment
 * before the file appears. Gives up with PgBouncer's log after 5 s.
 */
async function readPidFile(dir: string): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const text = await Deno.readTextFile(`${dir}/pgbouncer.pid`).catch(() => "");
    const pid = Number(text.trim());
    if (pid > 0) return pid;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const logText = await Deno.readTextFile(`${dir}/pgbouncer.log`).catch(() => "(no log)");
  throw new Error(`PgBouncer wrote no pid file in ${dir}:\n${logText.slice(-2000)}`);
}
