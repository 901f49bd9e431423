/**
 * What reading a Loop backup (`app/loop/backup_reader.ts`) costs: its duration, and how
 * long it keeps other requests waiting: the slowest of back-to-back HTTP requests to a
 * tiny server in the same process while it reads (the baseline is the same without a
 * read). Cases:
 *
 * - `entries`: a long-time user at the row cap: 25 habits, 100,000 entries, a note on
 *   every seventh (tests/support/loop_backup.ts builds it, as Loop's version 25 would);
 * - `bigRows` / `smallRows`: a file at the size cap, mostly a table the import does not
 *   read (Loop's `Events`) in ~1 KiB rows or in ~40-byte rows, so opening and checking
 *   the file is what costs (`PRAGMA quick_check` visits every row).
 *
 *   deno run -A bench/loop_backup_read.ts [--file-mib 20] [--runs 3]
 */
import { parseArgs } from "node:util";
import { readLoopBackup } from "@/app/loop/backup_reader.ts";
import { buildLoopBackup, loopHabitRow, manyEntriesBackup } from "@/tests/support/loop_backup.ts";
import { report, round } from "./support.ts";

const { values } = parseArgs({
  strict: false,
  options: { "file-mib": { type: "string", default: "20" }, runs: { type: "string", default: "3" } },
});
const fileBytes = Number(values["file-mib"]) * 1024 * 1024;
const caps = { fileBytes, habits: 2_000, entries: 100_000 };
const habits = Array.from({ length: 25 }, (_, i) => loopHabitRow(`Habit ${i}`, { position: i }));

/** Rows of `Events` of about `rowBytes` each, until the file is just under the cap. */
function paddedTo(rowBytes: number): Uint8Array {
  const rows = Math.floor((fileBytes * 0.85) / rowBytes);
  return buildLoopBackup(
    25,
    { habits },
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
     INSERT INTO Events (timestamp, message) SELECT i, hex(randomblob(${Math.floor(rowBytes / 2) - 8})) FROM n;`,
  );
}

const cases = {
  entries: manyEntriesBackup(25, 100_000),
  bigRows: paddedTo(1024),
  smallRows: paddedTo(40),
};

const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => new Response("ok"));
const url = `http://127.0.0.1:${server.addr.port}/`;

/** Back-to-back requests until `done` settles; returns the slowest one's milliseconds. */
async function slowestRequest(done: Promise<unknown>): Promise<number> {
  let finished = false;
  done.finally(() => finished = true).catch(() => {});
  let slowest = 0;
  while (!finished) {
    const started = performance.now();
    await (await fetch(url)).text();
    slowest = Math.max(slowest, performance.now() - started);
  }
  return slowest;
}

const baseline = await slowestRequest(new Promise((resolve) => setTimeout(resolve, 500)));
report("loop_backup_read", { case: "baseline (no read, 500 ms)", slowestRequestMs: round(baseline) });
for (const [name, bytes] of Object.entries(cases)) {
  for (let run = 0; run < Number(values.runs); run++) {
    const started = performance.now();
    const reading = readLoopBackup(bytes, caps);
    const slowest = await slowestRequest(reading);
    const backup = await reading;
    report("loop_backup_read", {
      case: name,
      run,
      fileMiB: round(bytes.length / 1024 / 1024),
      entries: backup.habits.reduce((n, h) => n + h.entries.length, 0),
      durationMs: round(performance.now() - started),
      slowestRequestMs: round(slowest),
    });
  }
}
await server.shutdown();
