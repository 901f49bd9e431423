import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** Starts `main.ts` as a real process on a free port; resolves once it listens. */
async function spawnServer(env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: ROOT,
    env: { PORT: "0", LOG_LEVEL: "info", NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let url = "";
  // A wait budget, not a timing check: a fresh data directory means an initdb and every
  // migration, which on a CI runner busy with other suites has taken over a minute.
  const deadline = Date.now() + 180_000;
  while (!url && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      if (line.includes('"server.listening"')) url = JSON.parse(line).url;
    }
  }
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      lines.push(...value.split("\n").filter(Boolean));
    }
  })();
  if (!url) {
    // It may have exited already (that is often why it did not start): say why, not that.
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    const stderr = await new Response(child.stderr).text();
    throw new Error(`server did not start:\n${lines.join("\n")}\n${stderr}`);
  }
  return { child, url, lines, rest };
}

function serverEnv(dataDir: string): Record<string, string> {
  const env: Record<string, string> = { DATA_DIR: dataDir };
  for (const name of ["DATABASE_URL", "PGBOUNCER"]) {
    const value = Deno.env.get(name);
    if (value) env[name] = value;
  }
  return env;
}

Deno.test({
  name: "main.ts serves, and on SIGTERM finishes the in-flight request, refuses new ones and exits 0",
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir();
    try {
      const server = await spawnServer(serverEnv(dataDir));
      const health = await fetch(`${server.url}/api/health`);
      assertEquals(health.status, 200);
      await health.body?.cancel();

      // APP_ORIGIN unset: the log names http://localhost:PORT, and 127.0.0.1 works as well.
      assertMatch(server.url, /^http:\/\/localhost:\d+$/);
      const loopback = `http://127.0.0.1:${new URL(server.url).port}`;
      const signup = await fetch(`${loopback}/signup`, {
        method: "POST",
        redirect: "manual",
        headers: { Origin: loopback, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          email: `first-${crypto.randomUUID()}@example.test`,
          password: "correct horse battery",
        }),
      });
      assertEquals(signup.status, 303, await signup.text());

      // A request whose body trickles in stays in flight across the signal.
      let push!: (chunk: Uint8Array) => void;
      let end!: () => void;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          push = (chunk) => controller.enqueue(chunk);
          end = () => controller.close();
        },
      });
      const inFlight = fetch(`${server.url}/api/health`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      });
      push(new TextEncoder().encode("{"));
      await new Promise((resolve) => setTimeout(resolve, 200));
      server.child.kill("SIGTERM");
      await new Promise((resolve) => setTimeout(resolve, 300));
      push(new TextEncoder().encode("}"));
      end();
      const answered = await inFlight;
      assertEquals(answered.status, 405);
      await answered.body?.cancel();

      const status = await server.child.status;
      assertEquals(status.code, 0);
      await server.rest;
      const log = server.lines.join("\n");
      assertStringIncludes(log, '"server.stopping"');
      assertStringIncludes(log, '"server.stopped"');
      let refused = false;
      try {
        await fetch(`${server.url}/api/health`);
      } catch {
        refused = true;
      }
      assert(refused, "the stopped server still answered");
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
