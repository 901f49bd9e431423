/**
 * A `memory` log line every few seconds with where the process's memory sits: the RSS
 * split into the V8 heap (used and reserved), V8's external memory (array buffers,
 * strings kept outside the heap) and the rest — the binary's code, Rust-side buffers
 * (HTTP, KV's sqlite), and in embedded mode PGlite's WebAssembly memory, which lives in
 * a worker whose heap `Deno.memoryUsage()` does not count. Off unless `MEMORY_LOG_MS`
 * is set: the benches set it to see what grows under load (bench/load_mix.ts).
 *
 * @example
 * ```ts
 * const stop = startMemoryLog(1_000);
 * // {"level":"info","msg":"memory","rssMb":141.2,"heapUsedMb":38.1,"heapTotalMb":52.4,"externalMb":3.1,"otherMb":85.7}
 * stop();
 * ```
 */
import { log } from "./log.ts";

/** One sample of `Deno.memoryUsage()` in MB, with what the V8 heap and external do not explain. */
export interface MemorySample {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  /** RSS − heap total − external: code, native buffers, other isolates (the PGlite worker). */
  otherMb: number;
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 102.4) / 10;

/** Reads the process's memory now. */
export function sampleMemory(): MemorySample {
  const usage = Deno.memoryUsage();
  return {
    rssMb: mb(usage.rss),
    heapUsedMb: mb(usage.heapUsed),
    heapTotalMb: mb(usage.heapTotal),
    externalMb: mb(usage.external),
    otherMb: mb(usage.rss - usage.heapTotal - usage.external),
  };
}

/**
 * Logs {@linkcode sampleMemory} every `intervalMs` until the returned function is
 * called. The timer is unref'd so it never keeps the process alive.
 */
export function startMemoryLog(intervalMs: number): () => void {
  const timer = setInterval(() => log.info("memory", { ...sampleMemory() }), intervalMs);
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}
