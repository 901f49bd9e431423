import { assert, assertEquals } from "@/tests/support/assert.ts";
import { cpuPerOperation, type CpuSnapshot, cpuSnapshot } from "@/bench/support.ts";

const snapshot = (byCommand: Record<string, number>, idleMs: number): CpuSnapshot => ({
  at: 0,
  byCommand: new Map(Object.entries(byCommand)),
  idleMs,
});

Deno.test("cpuPerOperation: each named command's CPU per operation, the rest as other, and the idle share", () => {
  const before = snapshot({ app: 100, postgres: 50, wrk: 10, sshd: 1 }, 1000);
  const after = snapshot({ app: 300, postgres: 150, wrk: 10, sshd: 21, cron: 5 }, 1400);
  assertEquals(cpuPerOperation(before, after, 100, ["app", "postgres", "pgbouncer", "wrk"]), {
    app: 2,
    postgres: 1,
    pgbouncer: 0,
    wrk: 0,
    other: 0.25,
    idle: 4,
  });
});

Deno.test("cpuSnapshot: counts this process under the name it is given, apart from its command", () => {
  const named = cpuSnapshot({ bench: Deno.pid });
  if (named.byCommand.size === 0) return; // no /proc here
  assert(named.byCommand.has("bench"), "this process is counted as bench");
  let spin = 0;
  const until = performance.now() + 60;
  while (performance.now() < until) spin++;
  const later = cpuSnapshot({ bench: Deno.pid });
  assert(spin > 0 && later.byCommand.get("bench")! >= named.byCommand.get("bench")!, "its CPU only grows");
  assert(later.idleMs >= named.idleMs);
});
