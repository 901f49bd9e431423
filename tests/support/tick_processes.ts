/**
 * Runs one scheduler tick in several OS processes at the same instant
 * (tests/support/tick_process.ts), on the Postgres of a test database: the "at most
 * once across instances" tests race real processes, not promises of one.
 *
 * @example
 * ```ts
 * const results = await tickInProcesses(3, testDb.url!, env);
 * const delivered = results.reduce((sum, r) => sum + r.webhooksDelivered, 0);
 * ```
 */
import type { TickResult } from "@/app/scheduler.ts";

const SCRIPT = new URL("./tick_process.ts", import.meta.url).pathname;

/** Starts `count` tick processes now; they tick together once all are up, and each one's result comes back. */
export async function tickInProcesses(
  count: number,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<TickResult[]> {
  // Time for every process to start (type-check cache warm or not) before the tick.
  const tickAt = Date.now() + 8_000;
  const outputs = await Promise.all(Array.from({ length: count }, () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SCRIPT],
      env: {
        ...env,
        DATABASE_URL: databaseUrl,
        PGBOUNCER: Deno.env.get("PGBOUNCER") ?? "false",
        PG_POOL_MAX: "4",
        TICK_AT: String(tickAt),
        TICK_NOW: new Date().toISOString(),
      },
      stdout: "piped",
      stderr: "piped",
    }).output()));
  return outputs.map((output) => {
    const text = new TextDecoder().decode(output.stdout);
    if (!output.success) {
      throw new Error(`a tick process failed:\n${text}\n${new TextDecoder().decode(output.stderr)}`);
    }
    return JSON.parse(text.trim().split("\n").at(-1)!) as TickResult;
  });
}
