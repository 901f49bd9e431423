import { assertEquals } from "@/tests/support/assert.ts";
import { log, redact, setLogLevel, setLogSink } from "@/lib/log.ts";

Deno.test("log writes one JSON line per event, masking secret-looking fields, honouring the level", () => {
  const lines: string[] = [];
  const restore = setLogSink((_level, line) => lines.push(line));
  try {
    setLogLevel("info");
    log.debug("hidden");
    log.info("user.login", { userId: "u1", password: "hunter2", headers: { cookie: "sid=abc", accept: "*/*" } });
    assertEquals(lines.length, 1);
    const entry = JSON.parse(lines[0]);
    assertEquals(entry.level, "info");
    assertEquals(entry.msg, "user.login");
    assertEquals(entry.password, "[Filtered]");
    assertEquals(entry.headers, { cookie: "[Filtered]", accept: "*/*" });
    assertEquals(typeof entry.time, "string");
  } finally {
    restore();
  }
});

Deno.test("redact keeps errors readable, minus the secrets quoted in them", () => {
  const out = redact({ error: new Error("boom at /x?token=abc123"), apiKey: "k", authorization: "Bearer x" });
  assertEquals((out.error as { message: string }).message, "boom at /x?token=[Filtered]");
  assertEquals(out.apiKey, "[Filtered]");
  assertEquals(out.authorization, "[Filtered]");
});

/**
 * Runs a child Deno that logs through the default sink, then ends as `ending` says,
 * and returns its stdout and stderr lines.
 */
async function childLines(ending: string): Promise<{ out: string[]; err: string[] }> {
  const logUrl = new URL("../../lib/log.ts", import.meta.url).href;
  const script = `
    import { log, logRequestLine } from ${JSON.stringify(logUrl)};
    for (let i = 0; i < 2000; i++) {
      if (i === 1000) log.warn("half.way", { i });
      if (i % 2) log.info("line", { i });
      else logRequestLine("info", "request", { requestId: "r" + i, method: "GET", route: "/x", status: 200, durationMs: 0.1, userId: undefined });
    }
    ${ending}
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const lines = (bytes: Uint8Array) => new TextDecoder().decode(bytes).split("\n").filter((line) => line !== "");
  return { out: lines(output.stdout), err: lines(output.stderr) };
}

/** Every line's index, in the order written, with the warning where it went. */
function assertAllInOrder(result: { out: string[]; err: string[] }) {
  const indexes = result.out.map((line) => {
    const entry = JSON.parse(line);
    return entry.i ?? Number(entry.requestId.slice(1));
  });
  assertEquals(indexes, Array.from({ length: 2000 }, (_, i) => i));
  assertEquals(result.err.map((line) => JSON.parse(line).msg), ["half.way"]);
}

Deno.test("batched lines all reach stdout, in order, when the process ends on its own", async () => {
  assertAllInOrder(await childLines(""));
});

Deno.test("batched lines all reach stdout, in order, on Deno.exit in the same turn", async () => {
  assertAllInOrder(await childLines("Deno.exit(0);"));
});

Deno.test("batched lines all reach stdout, in order, on Deno.exit a turn later", async () => {
  assertAllInOrder(await childLines("await new Promise((resolve) => setTimeout(resolve, 0)); Deno.exit(0);"));
});
