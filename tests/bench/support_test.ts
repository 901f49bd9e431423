import { assert, assertEquals } from "@/tests/support/assert.ts";
import { cpuPerOperation, type CpuSnapshot, cpuSnapshot } from "@/bench/support.ts";

const snapshot = (processes: [number, string, number][], idleMs: number): CpuSnapshot => ({
  at: 0,
  byPid: new Map(processes.map(([pid, command, ms]) => [pid, { command, ms }])),
  idleMs,
});

Deno.test("cpuPerOperation: each named command's CPU per operation, the rest as other, and the idle share", () => {
  const before = snapshot([[1, "app", 100], [2, "postgres", 30], [3, "postgres", 20], [4, "wrk", 10], [5, "sshd", 1], [
    6,
    "kworker/0:1-events",
    5000,
  ]], 1000);
  // Postgres forked a backend (7) in the phase; the kernel worker renamed itself after its work.
  const after = snapshot([
    [1, "app", 300],
    [2, "postgres", 80],
    [3, "postgres", 40],
    [7, "postgres", 30],
    [
      4,
      "wrk",
      10,
    ],
    [5, "sshd", 16],
    [6, "kworker/0:1-flush", 5005],
    [8, "cron", 4],
  ], 1400);
  assertEquals(cpuPerOperation(before, after, 100, ["app", "postgres", "pgbouncer", "wrk"]), {
    app: 2,
    postgres: 1,
    pgbouncer: 0,
    wrk: 0,
    other: 0.24, // sshd 15, the renamed worker 5 (not its 5,005), cron 4
    idle: 4,
  });
});

Deno.test("cpuSnapshot: counts this process under the name it is given, apart from its command", () => {
  const named = cpuSnapshot({ bench: Deno.pid });
  if (named.byPid.size === 0) return; // no /proc here
  assertEquals(named.byPid.get(Deno.pid)?.command, "bench", "this process is counted as bench");
  let spin = 0;
  const until = performance.now() + 60;
  while (performance.now() < until) spin++;
  const later = cpuSnapshot({ bench: Deno.pid });
  assert(spin > 0 && later.byPid.get(Deno.pid)!.ms >= named.byPid.get(Deno.pid)!.ms, "its CPU only grows");
  assert(later.idleMs >= named.idleMs);
});
