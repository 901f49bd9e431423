/**
 * The embedded database: PGlite (Postgres compiled to WebAssembly) in a worker,
 * served over the Postgres wire protocol so the app talks to it with the same
 * postgres.js code as to a real server.
 *
 * - Persisted under `<dataDir>/pglite` (created on first start, ~2-5 s of initdb;
 *   later starts take a fraction of a second), or kept in memory.
 * - Served on a unix socket inside the data directory, so other local users cannot
 *   reach it (a loopback TCP port has no authentication); in memory, or when the
 *   path is too long for a socket, on a free 127.0.0.1 port.
 * - One process at a time: a lock file stops a second process (or a second
 *   `deno serve --parallel` worker) from opening the same files, which would
 *   corrupt them.
 *
 * Only `db/client.ts` imports this module, and only when `DATABASE_URL` is unset,
 * so a deployment with a real database never loads PGlite.
 *
 * @example
 * ```ts
 * const server = await startEmbeddedServer({ dataDir: "./data" });
 * const sql = postgres({ ...server.connection, max: 1 });
 * // ...
 * await server.close(5_000);
 * ```
 */
import { log } from "@/lib/log.ts";
import type { WorkerReply, WorkerRequest } from "./embedded_worker.ts";

/** Where postgres.js connects: a unix socket path, or a loopback port. */
export type EmbeddedConnection =
  | { path: string }
  | { host: string; port: number };

/** A running embedded server. */
export interface EmbeddedServer {
  readonly connection: EmbeddedConnection;
  /** The whole data directory as a tarball, for {@linkcode EmbeddedOptions.loadDataDir}. */
  dump(): Promise<ArrayBuffer>;
  /** Stops serving, closes PGlite (bounded by `timeoutMs`), ends the worker. */
  close(timeoutMs: number): Promise<void>;
}

export interface EmbeddedOptions {
  /** The app's data directory; `null` keeps the database in memory. */
  dataDir: string | null;
  /** Start from this `dump()` instead of an empty database (skips initdb). */
  loadDataDir?: ArrayBuffer;
  /** How long start-up may take before it is abandoned. Default 60 s. */
  startTimeoutMs?: number;
}

/** Longest unix socket path Linux accepts, less a margin (sun_path is 108 bytes). */
const MAX_SOCKET_PATH = 100;

/** Starts PGlite in a worker and waits until it accepts connections. */
export async function startEmbeddedServer(
  options: EmbeddedOptions,
): Promise<EmbeddedServer> {
  const files = options.dataDir === null ? null : await claimDataDir(options.dataDir);
  const worker = new Worker(
    new URL("./embedded_worker.ts", import.meta.url),
    { type: "module" },
  );
  const channel = new WorkerChannel(worker);
  try {
    const data = options.loadDataDir?.slice(0);
    const ready = await channel.request(
      {
        type: "start",
        dataDir: files?.pgliteDir ?? null,
        loadDataDir: data ?? null,
        socketPath: files?.socketPath ?? null,
      },
      "ready",
      options.startTimeoutMs ?? 60_000,
      data ? [data] : [],
    );
    const connection: EmbeddedConnection = ready.path
      ? { path: ready.path }
      : { host: "127.0.0.1", port: ready.port ?? 0 };
    let closing: Promise<void> | undefined;
    return {
      connection,
      dump: async () => (await channel.request({ type: "dump" }, "dumped", 60_000)).data,
      close: (timeoutMs) =>
        closing ??= (async () => {
          try {
            await channel.request({ type: "stop" }, "stopped", timeoutMs);
          } catch {
            // Terminating the worker below releases everything anyway.
          } finally {
            worker.terminate();
            files?.release();
          }
        })(),
    };
  } catch (err) {
    worker.terminate();
    files?.release();
    throw err;
  }
}

interface DataDirClaim {
  pgliteDir: string;
  socketPath: string | null;
  release(): void;
}

/** Creates the data directory, takes its lock, and picks the socket path. */
async function claimDataDir(dataDir: string): Promise<DataDirClaim> {
  await Deno.mkdir(dataDir, { recursive: true });
  const root = await Deno.realPath(dataDir);
  const lock = await Deno.open(`${root}/pglite.lock`, {
    create: true,
    write: true,
  });
  if (!(await lock.tryLock(true))) {
    lock.close();
    throw new Error(
      `the embedded database in ${root} is already open in another process ` +
        "(or another worker of this one); stop it, or set DATABASE_URL so that " +
        "several instances share one Postgres server",
    );
  }
  const socketPath = `${root}/pglite.sock`;
  const useSocket = new TextEncoder().encode(socketPath).length <=
    MAX_SOCKET_PATH;
  // A socket file left by a crash would make listen() fail; the lock proves
  // nobody serves it.
  if (useSocket) await Deno.remove(socketPath).catch(() => {});
  return {
    pgliteDir: `${root}/pglite`,
    socketPath: useSocket ? socketPath : null,
    release() {
      if (useSocket) {
        try {
          Deno.removeSync(socketPath);
        } catch {
          // Already gone.
        }
      }
      lock.close(); // closing the file releases the lock
    },
  };
}

type ReplyOf<T extends WorkerReply["type"]> = Extract<WorkerReply, { type: T }>;

/** Request/response over a worker's messages, one request at a time. */
class WorkerChannel {
  #worker: Worker;
  #pending:
    | { resolve(reply: WorkerReply): void; reject(err: Error): void }
    | undefined;

  constructor(worker: Worker) {
    this.#worker = worker;
    worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      this.#pending?.resolve(event.data);
    };
    worker.onerror = (event: ErrorEvent) => {
      // Unhandled, a worker error ends the whole process. Queries fail with
      // DbUnavailableError from here on: the socket is gone.
      event.preventDefault();
      log.error("db.embedded.crashed", { error: event.message });
      this.#pending?.reject(
        new Error(`the embedded database crashed: ${event.message}`),
      );
    };
  }

  async request<T extends WorkerReply["type"]>(
    message: WorkerRequest,
    expect: T,
    timeoutMs: number,
    transfer: Transferable[] = [],
  ): Promise<ReplyOf<T>> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const reply = await new Promise<WorkerReply>((resolve, reject) => {
        this.#pending = { resolve, reject };
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `the embedded database did not answer "${message.type}" within ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
        this.#worker.postMessage(message, transfer);
      });
      if (reply.type === "failed") {
        throw new Error(`the embedded database failed: ${reply.message}`);
      }
      if (reply.type !== expect) {
        throw new Error(`the embedded database answered ${reply.type}`);
      }
      return reply as ReplyOf<T>;
    } finally {
      clearTimeout(timer);
      this.#pending = undefined;
    }
  }
}
