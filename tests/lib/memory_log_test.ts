import { assertEquals } from "@/tests/support/assert.ts";
import { setLogLevel, setLogSink } from "@/lib/log.ts";
import { sampleMemory, startMemoryLog } from "@/lib/memory_log.ts";

Deno.test("a memory sample splits the RSS into heap, external and the rest", () => {
  const sample = sampleMemory();
  assertEquals(sample.rssMb > 0 && sample.heapTotalMb > 0, true, JSON.stringify(sample));
  assertEquals(sample.heapUsedMb <= sample.heapTotalMb, true, JSON.stringify(sample));
  // The three parts add up to the RSS (each is rounded to 0.1 MB).
  const sum = sample.heapTotalMb + sample.externalMb + sample.otherMb;
  assertEquals(Math.abs(sum - sample.rssMb) <= 0.3, true, JSON.stringify(sample));
});

Deno.test("the memory log writes a line each period until it is stopped", async () => {
  const lines: string[] = [];
  setLogLevel("info");
  const restore = setLogSink((_level, line) => lines.push(line));
  try {
    const stop = startMemoryLog(100);
    await new Promise((resolve) => setTimeout(resolve, 350));
    stop();
    const written = lines.filter((line) => JSON.parse(line).msg === "memory");
    assertEquals(written.length >= 2, true, `${written.length} lines`);
    const fields = JSON.parse(written[0]);
    assertEquals(["rssMb", "heapUsedMb", "heapTotalMb", "externalMb", "otherMb"].every((k) => k in fields), true);
    const count = lines.length;
    await new Promise((resolve) => setTimeout(resolve, 250));
    assertEquals(lines.length, count);
  } finally {
    restore();
  }
});
