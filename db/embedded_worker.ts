/**
 * Worker entry: runs PGlite and serves it over the Postgres wire protocol with
 * pglite-socket. PGlite executes SQL synchronously in WebAssembly; in a worker it
 * blocks only this thread, so the app's event loop keeps serving requests and its
 * query deadlines keep firing while a slow statement runs.
 *
 * Spoken to only by `embedded.ts`; see {@linkcode WorkerRequest} and
 * {@linkcode WorkerReply} for the messages.
 */
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** Messages the worker understands. */
export type WorkerRequest =
  | {
    type: "start";
    /** Directory PGlite persists to; `null` keeps the database in memory. */
    dataDir: string | null;
    /** A `dumpDataDir` tarball to start from (a template). */
    loadDataDir: ArrayBuffer | null;
    /** Unix socket to listen on; `null` listens on a free loopback TCP port. */
    socketPath: string | null;
  }
  | { type: "dump" }
  | { type: "stop" };

/** Messages the worker sends back. */
export type WorkerReply =
  | { type: "ready"; port: number | null; path: string | null }
  | { type: "dumped"; data: ArrayBuffer }
  | { type: "stopped" }
  | { type: "failed"; message: string; stack?: string };

interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerReply, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
let pg: PGlite | undefined;
let server: PGLiteSocketServer | undefined;

scope.onmessage = async ({ data: request }) => {
  try {
    if (request.type === "start") await start(request);
    else if (request.type === "dump") await dump();
    else await stop();
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    scope.postMessage({
      type: "failed",
      message: error.message,
      stack: error.stack,
    });
  }
};

/**
 * Postgres's memory settings for the embedded database, passed at every start (not
 * written to postgresql.conf, whose initdb settings stay). `shared_buffers` is the one
 * that counts: Postgres's default 128 MB is touched at start in WebAssembly memory,
 * which never shrinks; 16 MB (2,048 pages) still holds a heavy user's whole year many
 * times over, and a page it misses is read from the OS's file cache, not the disk.
 * Measured (bench/cold_start.ts, bare PGlite reopening a database): idle RSS 283 MB at
 * 128 MB, 166 MB at 16 MB, 155 MB at 8 MB; `work_mem` stays at its 4 MB default (sorts
 * of a year of check-ins fit).
 */
const MEMORY_SETTINGS = ["shared_buffers=16MB"];

async function start(
  request: Extract<WorkerRequest, { type: "start" }>,
): Promise<void> {
  pg = await PGlite.create({
    startParams: [...PGlite.defaultStartParams, ...MEMORY_SETTINGS.flatMap((setting) => ["-c", setting])],
    ...(request.dataDir ? { dataDir: request.dataDir } : {}),
    ...(request.loadDataDir ? { loadDataDir: new Blob([request.loadDataDir]) } : {}),
  });
  // A few connection slots although the app opens one: a reconnect can arrive
  // before the server has noticed the previous connection closing.
  server = new PGLiteSocketServer({
    db: pg,
    maxConnections: 4,
    ...(request.socketPath ? { path: request.socketPath } : { host: "127.0.0.1", port: 0 }),
  });
  await server.start();
  const where = server.getServerConn();
  scope.postMessage(
    request.socketPath
      ? { type: "ready", port: null, path: request.socketPath }
      : { type: "ready", port: Number(where.split(":").at(-1)), path: null },
  );
}

async function dump(): Promise<void> {
  if (!pg) throw new Error("the embedded database is not started");
  const data = await (await pg.dumpDataDir("none")).arrayBuffer();
  scope.postMessage({ type: "dumped", data }, [data]);
}

async function stop(): Promise<void> {
  await server?.stop();
  if (pg && !pg.closed) await pg.close();
  scope.postMessage({ type: "stopped" });
}
