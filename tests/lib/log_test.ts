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
