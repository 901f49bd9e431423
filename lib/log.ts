/**
 * Structured logging: one JSON object per line on stdout (stderr for warnings and
 * errors), so any log shipper can parse it.
 *
 * Never pass cookies, tokens, passwords or whole headers as fields: {@linkcode redact}
 * masks the well-known secret field names as a last line of defence, not as a licence.
 *
 * @example
 * ```ts
 * log.info("db.connected", { backend: "pglite", ms: 12 });
 * // {"time":"2026-11-22T00:00:00.000Z","level":"info","msg":"db.connected","backend":"pglite","ms":12}
 * ```
 */
import type { LogLevel } from "./config.ts";
import { FILTERED, scrubString, SECRET_KEY } from "./scrub.ts";

const ORDER: Record<LogLevel, number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
};

let threshold: number = ORDER.info;

// Info and debug lines are batched and written once per event-loop turn, in one write:
// a write per request line cost ~30 % of a trivial route's throughput. The flush is
// scheduled with `setImmediate` (after this turn's I/O callbacks, so a turn's requests
// share it: ~50 lines a write under 50 connections), not `setTimeout(…, 0)` (a timer
// object per turn, ~5 % of `GET /api/health`'s CPU) nor a microtask (one write per
// request again). The bytes go to stdout directly: `console.log` formats its argument
// first, ~3× the cost of the write. Warnings and errors go out at once (after whatever
// is batched, to keep order), and `unload` (a normal end or `Deno.exit`) flushes what is
// left, so no line is lost on a crash-free exit.
let batch: string[] = [];
let flushScheduled = false;
const encoder = new TextEncoder();
const stdout = typeof Deno.stdout?.writeSync === "function" ? Deno.stdout : undefined;
globalThis.addEventListener?.("unload", flushLogs);

/** Writes any batched lines now (call before exiting). */
export function flushLogs(): void {
  flushScheduled = false;
  if (batch.length === 0) return;
  const lines = batch;
  batch = [];
  try {
    if (stdout) writeAll(stdout, lines.join("\n") + "\n");
    else console.log(lines.join("\n"));
  } catch {
    // stdout is gone (the reading end closed): there is nowhere to say so, and a
    // request must not fail over its log line.
  }
}

/** Writes `text` whole: a write to a pipe may take only part of it. */
function writeAll(to: { writeSync(bytes: Uint8Array): number }, text: string): void {
  const bytes = encoder.encode(text);
  for (let offset = 0; offset < bytes.length;) {
    const written = to.writeSync(bytes.subarray(offset));
    if (written <= 0) return;
    offset += written;
  }
}

function defaultSink(level: LogLevel, line: string): void {
  if (ORDER[level] >= ORDER.warn) {
    flushLogs();
    console.error(line);
    return;
  }
  batch.push(line);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushLogs);
  }
}

let sink: (level: LogLevel, line: string) => void = defaultSink;

/** Sets the lowest level that is written. */
export function setLogLevel(level: LogLevel): void {
  threshold = ORDER[level];
}

/** Replaces where lines go (tests capture them); returns a function that restores it. */
export function setLogSink(
  next: (level: LogLevel, line: string) => void,
): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
  };
}

/**
 * Masks values whose key names a secret, recursively, and secrets inside strings
 * (an error message may quote a URL with `?token=…`).
 */
export function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (SECRET_KEY.test(key)) out[key] = FILTERED;
    else if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      out[key] = {
        name: value.name,
        // A SQLSTATE (55P03, 57014…) or a system code (ECONNREFUSED) says what happened at a glance.
        ...(typeof code === "string" ? { code } : {}),
        message: scrubString(value.message),
        stack: value.stack && scrubString(value.stack),
      };
    } else if (typeof value === "string") out[key] = scrubString(value);
    else if (value && typeof value === "object" && !Array.isArray(value)) {
      out[key] = redact(value as Record<string, unknown>);
    } else out[key] = value;
  }
  return out;
}

function write(
  level: LogLevel,
  msg: string,
  fields?: Record<string, unknown>,
): void {
  if (ORDER[level] < threshold) return;
  const line = JSON.stringify({
    time: new Date().toISOString(),
    level,
    msg,
    ...(fields ? redact(fields) : {}),
  });
  sink(level, line);
}

/** The fields of the per-request line, in the order they are written. */
export interface RequestLine {
  requestId: string;
  method: string;
  route: string;
  status: number;
  durationMs: number;
  userId: string | undefined;
}

/**
 * Writes the per-request line (app/request_context.ts), whose fields cannot hold a
 * secret — an id from a fixed alphabet, HTTP method and route pattern, numbers, a user
 * id — without {@linkcode redact}'s regexes, as one fixed-shape object (V8's fast JSON
 * path) with the timestamp text reused within a millisecond: written on every request,
 * the generic path was a tenth of a trivial request's CPU. Anything else goes through
 * {@linkcode log}.
 *
 * @example
 * ```ts
 * logRequestLine("info", "request", { requestId, method: "GET", route: "/api/health", status: 200, durationMs: 0.4, userId: undefined });
 * ```
 */
export function logRequestLine(level: LogLevel, msg: string, line: RequestLine): void {
  if (ORDER[level] < threshold) return;
  sink(
    level,
    JSON.stringify({
      time: isoNow(),
      level,
      msg,
      requestId: line.requestId,
      method: line.method,
      route: line.route,
      status: line.status,
      durationMs: line.durationMs,
      userId: line.userId,
    }),
  );
}

let isoMs = 0;
let isoText = "";

/** `new Date().toISOString()`, made at most once per millisecond. */
function isoNow(): string {
  const now = Date.now();
  if (now !== isoMs) {
    isoMs = now;
    isoText = new Date(now).toISOString();
  }
  return isoText;
}

/** The app's logger. `msg` is a stable dotted event name; details go in `fields`. */
export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write("error", msg, fields),
};
