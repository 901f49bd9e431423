/**
 * The checks behind `GET /api/health/deep`, each bounded and timed.
 *
 * @example
 * ```ts
 * const check = await runCheck(() => db.ping(2_000)); // { status: "ok", latencyMs: 0.8 }
 * ```
 */
import { isDbUnavailable } from "@/db/errors.ts";
import { KvTimeoutError, withTimeout } from "@/lib/kv.ts";
import { KvUnavailableError } from "@/lib/kv_remote.ts";
import { log } from "@/lib/log.ts";

export interface Check {
  status: "ok" | "fail";
  latencyMs: number;
  /** A short reason, never the raw error (which may carry hosts or credentials). */
  error?: string;
}

/** Runs `probe`, timing it; a throw becomes a failed check with a short reason. */
export async function runCheck(probe: () => Promise<unknown>): Promise<Check> {
  const started = performance.now();
  const latencyMs = () => Math.round((performance.now() - started) * 100) / 100;
  try {
    await probe();
    return { status: "ok", latencyMs: latencyMs() };
  } catch (error) {
    log.warn("health.check_failed", { error });
    const reason = error instanceof KvTimeoutError
      ? "timeout"
      : isDbUnavailable(error) || error instanceof KvUnavailableError
      ? "unavailable"
      : "error";
    return { status: "fail", latencyMs: latencyMs(), error: reason };
  }
}

/** Writes a short-lived key and reads it back: proves KV takes writes, not just reads. */
export async function kvRoundTrip(kv: Deno.Kv, token: string, timeoutMs = 1_000): Promise<void> {
  const key = ["health_probe", token];
  await withTimeout(kv.set(key, token, { expireIn: 60_000 }), timeoutMs, "KV write");
  const entry = await withTimeout(kv.get<string>(key), timeoutMs, "KV read");
  if (entry.value !== token) throw new Error("KV read did not return what was written");
  await withTimeout(kv.delete(key), timeoutMs, "KV delete");
}
