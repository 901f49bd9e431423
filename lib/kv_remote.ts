/**
 * A KV Connect server (self-hosted `denokv`, or Deploy's KV from outside Deploy) as the
 * app's KV: `DENO_KV_PATH=https://kv.example.com` and `DENO_KV_ACCESS_TOKEN`, which
 * Deno reads itself (the token never passes through the app's config or logs).
 *
 * Why a wrapper: `Deno.openKv(url)` asks the server for its metadata first, and a
 * server that accepts connections but never answers makes it wait forever, so the app
 * would hang at start-up without a word. Here the open is bounded; when it fails the
 * app starts anyway with a KV whose every call rejects with {@linkcode KvUnavailableError}
 * (callers already treat a failing KV as "no cache" and apply each rate limit's fail
 * mode; `/api/health/deep` reports it as a 503), says so in the log, and keeps trying
 * to connect in the background. Once connected, calls go to the real KV.
 *
 * @example
 * ```ts
 * const kv = await openRemoteKv("https://kv.example.com", { openTimeoutMs: 5_000 });
 * await kv.get(["x"]); // rejects with KvUnavailableError until the server answers
 * ```
 */
import { log } from "./log.ts";

/** Thrown by every call while the KV Connect server cannot be reached. */
export class KvUnavailableError extends Error {
  override name = "KvUnavailableError";
}

export interface RemoteKvOptions {
  /** How long one attempt to open may take. Default 5 s. */
  openTimeoutMs?: number;
  /** Pause between attempts after a failure. Default 5 s. */
  retryMs?: number;
  /** The opener (tests inject failures); default `Deno.openKv`. */
  open?: (url: string) => Promise<Deno.Kv>;
}

/**
 * Opens the KV Connect server at `url`, waiting at most `openTimeoutMs`; never throws
 * for an unreachable server (see the module doc).
 */
export async function openRemoteKv(url: string, options: RemoteKvOptions = {}): Promise<Deno.Kv> {
  const openTimeoutMs = options.openTimeoutMs ?? 5_000;
  const retryMs = options.retryMs ?? 5_000;
  const open = options.open ?? ((target: string) => Deno.openKv(target));
  const where = describe(url);
  if (url.startsWith("http:") && !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])[:/]/.test(url)) {
    log.warn("kv.unencrypted", { kv: where, hint: "the access token travels in clear: use https beyond one host" });
  }
  let real: Deno.Kv | undefined;
  let closed = false;
  let reason = "not connected yet";
  let failures = 0;

  const attempt = async (): Promise<boolean> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const opening = open(url);
    try {
      const kv = await Promise.race([
        opening,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${openTimeoutMs} ms`)), openTimeoutMs);
        }),
      ]);
      if (closed) {
        kv.close();
        return true;
      }
      real = kv;
      if (failures > 0) log.info("kv.connected", { kv: where, afterFailures: failures });
      return true;
    } catch (error) {
      // A late success of an abandoned attempt must not leak a connection.
      opening.then((kv) => kv.close(), () => {});
      reason = error instanceof Error ? error.message : String(error);
      failures++;
      // Loud once, then a reminder a minute, not a line every few seconds.
      if (failures === 1) {
        log.error("kv.unavailable", {
          kv: where,
          error: reason,
          action: "serving without KV (no cache; each rate limit applies its fail mode); retrying",
          retryMs,
        });
      } else if (failures % Math.max(1, Math.round(60_000 / retryMs)) === 0) {
        log.warn("kv.still_unavailable", { kv: where, error: reason, failures });
      }
      return false;
    } finally {
      clearTimeout(timer);
    }
  };

  if (await attempt()) return real!;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const scheduleRetry = () => {
    if (closed) return;
    retry = setTimeout(async () => {
      if (!await attempt()) scheduleRetry();
    }, retryMs);
    // Retrying alone must not keep a process alive.
    Deno.unrefTimer(retry);
  };
  scheduleRetry();

  const unavailable = () => new KvUnavailableError(`the KV server at ${where} cannot be reached: ${reason}`);
  const rejecting = () => Promise.reject(unavailable());
  return new Proxy({} as Deno.Kv, {
    get(_target, prop) {
      if (real) {
        const value = Reflect.get(real, prop, real);
        return typeof value === "function" ? value.bind(real) : value;
      }
      switch (prop) {
        case "close":
          return () => {
            closed = true;
            clearTimeout(retry);
          };
        case "atomic":
          return () => failingAtomic(unavailable);
        case "list":
          return () => failingIterator(unavailable);
        case "watch":
          return () => new ReadableStream({ start: (controller) => controller.error(unavailable()) });
        case Symbol.dispose:
          return () => {
            closed = true;
            clearTimeout(retry);
          };
        case "then":
          // Not a thenable: `await openRemoteKv(…)` must yield the proxy itself.
          return undefined;
        default:
          return rejecting;
      }
    },
  });
}

/** An atomic operation that accepts checks and mutations and fails to commit. */
function failingAtomic(error: () => Error): Deno.AtomicOperation {
  const op: Record<string, unknown> = {};
  for (const method of ["check", "mutate", "sum", "min", "max", "set", "delete", "enqueue"]) {
    op[method] = () => op;
  }
  op.commit = () => Promise.reject(error());
  return op as unknown as Deno.AtomicOperation;
}

function failingIterator(error: () => Error): Deno.KvListIterator<unknown> {
  const iterator = {
    cursor: "",
    next: () => Promise.reject(error()),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator as unknown as Deno.KvListIterator<unknown>;
}

/** The server's origin for logs: never credentials, paths or query strings. */
function describe(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid URL)";
  }
}
