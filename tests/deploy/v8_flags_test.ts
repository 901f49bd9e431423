/**
 * The V8 heap flags (docs/performance.md, "Memory") are given in two places that run the
 * app in production: `deno task start` and the systemd unit's ExecStart. They must stay
 * the same, and the benches (bench/support.ts) measure with what `start` gives.
 */
import { assertEquals } from "@/tests/support/assert.ts";
import { START_V8_FLAGS } from "@/bench/support.ts";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

const v8FlagsOf = (command: string) => /--v8-flags=(\S+)/.exec(command)?.[1];

Deno.test("deno task start and the systemd unit run the app with the same V8 heap flags", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`)).tasks as Record<string, string>;
  const unit = await Deno.readTextFile(`${ROOT}/deploy/systemd/consistencygrid@.service`);
  const execStart = unit.split("\n").find((line) => line.startsWith("ExecStart="))!;
  const start = v8FlagsOf(tasks.start.split("&&").at(-1)!);
  assertEquals(start?.split(",").sort(), ["--max-old-space-size=512", "--max-semi-space-size=8"]);
  assertEquals(v8FlagsOf(execStart), start);
  assertEquals(START_V8_FLAGS, start);
});
