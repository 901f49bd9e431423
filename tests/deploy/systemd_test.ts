/**
 * The self-hosting files in deploy/: the systemd units pass `systemd-analyze verify`,
 * and the instance unit's own ExecStart — its exact permission flags, with the
 * environment of deploy/consistencygrid.env.example — runs the app on Postgres through
 * PgBouncer: it serves, signs a user up (password worker, KV), writes its scheduled
 * backup with pg_dump, and stops cleanly on SIGTERM. A permission the app needs and the
 * unit lacks fails here, not in production. (systemd itself does not run in CI
 * containers: `systemctl` is "not runnable here" in docs/deploy.md.)
 */
import { spawnApp } from "@/tests/support/app_process.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import {
  freePort,
  postgresInstalled,
  startThrowawayPgBouncer,
  startThrowawayPostgres,
} from "@/tests/support/throwaway_postgres.ts";

const DEPLOY = new URL("../../deploy/", import.meta.url);
const UNIT = new URL("systemd/consistencygrid@.service", DEPLOY);
const TARGET = new URL("systemd/consistencygrid.target", DEPLOY);
const ENV_EXAMPLE = new URL("consistencygrid.env.example", DEPLOY);
const SYSTEMD_ANALYZE = "/usr/bin/systemd-analyze";

function installed(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    if (Deno.env.get("CI") === "true") throw new Error(`${path} is missing on CI: apt-get install -y systemd`);
    return false;
  }
}

/** `Key=value` lines of a unit's section, in order (a key may repeat). */
function unitEntries(text: string, section: string): [string, string][] {
  const entries: [string, string][] = [];
  let current = "";
  for (const line of text.split("\n")) {
    const header = /^\[(.+)\]$/.exec(line.trim());
    if (header) current = header[1];
    else if (current === section && /^[A-Za-z]+=/.test(line)) {
      const i = line.indexOf("=");
      entries.push([line.slice(0, i), line.slice(i + 1)]);
    }
  }
  return entries;
}

/** `KEY=value` lines of an environment file, comments skipped. */
function envFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text.split("\n").filter((line) => /^[A-Z_]+=/.test(line)).map((line) => {
      const i = line.indexOf("=");
      return [line.slice(0, i), line.slice(i + 1)];
    }),
  );
}

Deno.test({
  name: "deploy/systemd units pass systemd-analyze verify",
  ignore: !installed(SYSTEMD_ANALYZE),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cg-systemd-" });
    try {
      // verify checks that ExecStart's program exists: point it at this deno.
      const unit = (await Deno.readTextFile(UNIT)).replace("/usr/local/bin/deno", Deno.execPath());
      await Deno.writeTextFile(`${dir}/consistencygrid@8001.service`, unit);
      await Deno.copyFile(TARGET, `${dir}/consistencygrid.target`);
      const { code, stdout, stderr } = await new Deno.Command(SYSTEMD_ANALYZE, {
        args: ["verify", `${dir}/consistencygrid@8001.service`, `${dir}/consistencygrid.target`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
      assertEquals(code, 0, output);
      assert(!/Unknown (key|section)|bad unit file|Failed to/i.test(output), output);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the unit's ExecStart, with the example environment, serves, signs up, backs up with pg_dump and stops cleanly",
  ignore: !await postgresInstalled(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using pg = (await startThrowawayPostgres())!;
    await using bouncer = (await startThrowawayPgBouncer(pg))!;
    const root = await Deno.makeTempDir({ prefix: "cg-unit-" });
    const state = `${root}/state`;
    const backups = `${root}/backups`;
    await Deno.mkdir(state);
    await Deno.mkdir(backups);
    const port = freePort();
    const moved = (text: string) =>
      text.replaceAll("/var/lib/consistencygrid", state).replaceAll("/var/backups/consistencygrid", backups)
        .replaceAll("%i", String(port));
    const service = unitEntries(moved(await Deno.readTextFile(UNIT)), "Service");
    const execStart = service.find(([key]) => key === "ExecStart")![1].split(" ");
    assertEquals(execStart.slice(0, 2), ["/usr/local/bin/deno", "run"]);
    assertEquals(execStart.at(-1), "main.ts");
    const permissions = execStart.slice(2, -1);

    const env: Record<string, string> = {
      ...envFile(moved(await Deno.readTextFile(ENV_EXAMPLE))),
      ...Object.fromEntries(
        service.filter(([key]) => key === "Environment").flatMap(([, value]) =>
          value.split(" ").map((pair) => pair.split("=", 2) as [string, string])
        ),
      ),
      // This machine's database and origin instead of the example's; this test's Deno
      // cache (the unit's DENO_DIR is the server's).
      DATABASE_URL: bouncer.url,
      DATABASE_URL_DIRECT: pg.url,
      APP_ORIGIN: `http://127.0.0.1:${port}`,
      DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
    };
    try {
      await using app = await spawnApp(env, { denoArgs: permissions });
      assertEquals(app.port, port);
      const deep = await fetch(`${app.url}/api/health/deep`);
      assertEquals(deep.status, 200, await deep.text());
      const signup = await fetch(`${app.url}/api/auth/signup`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: env.APP_ORIGIN },
        body: JSON.stringify({ email: "unit@example.test", password: "correct horse battery staple 42" }),
      });
      assertEquals(signup.status, 201, await signup.text());
      const cookie = signup.headers.get("set-cookie")!.split(";")[0];
      const habit = await fetch(`${app.url}/api/habits`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: env.APP_ORIGIN, cookie },
        body: JSON.stringify({ name: "Walk" }),
      });
      assertEquals(habit.status, 201, await habit.text());

      // The daily backup's first check comes a minute after start.
      const done = await app.waitForLog("backup.done", 120_000);
      assert(String(done.file).startsWith(`${backups}/`), JSON.stringify(done));
      assert((await Deno.stat(String(done.file))).size > 4096);

      assertEquals((await app.signal("SIGTERM")).code, 0);
      const denied = app.lines.filter((line) =>
        /NotCapable|PermissionDenied|Requires .* access/.test(JSON.stringify(line))
      );
      assertEquals(denied, [], "the unit's permissions were not enough");
      console.log(`unit ExecStart permissions: ${permissions.join(" ")}; backup ${done.bytes} bytes`);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
