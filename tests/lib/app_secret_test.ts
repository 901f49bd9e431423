/**
 * lib/app_secret.ts: APP_SECRET from the environment when set (and long enough);
 * generated once under DATA_DIR in embedded mode; none, with a reason, when neither.
 */
import { APP_SECRET_FILE, APP_SECRET_MIN_LENGTH, resolveAppSecret } from "@/lib/app_secret.ts";
import { ConfigError } from "@/lib/config.ts";
import { resolveVapidKeys } from "@/lib/push/vapid_keys.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "@/tests/support/assert.ts";

Deno.test("APP_SECRET from the environment is used as it is, and nothing is written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const secret = "k7Qw-9vXz_2mN4pR8sT1uY6bC3dF5gH0jL";
    assertEquals(await resolveAppSecret(secret, { dataDir: dir }), { secret, source: "environment" });
    assertEquals([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a short or repetitive APP_SECRET is refused, naming the variable", async () => {
  for (const weak of ["short", "x".repeat(APP_SECRET_MIN_LENGTH - 1), "ab".repeat(40)]) {
    const error = await assertRejects(() => resolveAppSecret(weak, { dataDir: undefined }));
    assert(error instanceof ConfigError);
    assertMatch(error.message, /^APP_SECRET /);
  }
});

Deno.test("embedded mode generates a secret under DATA_DIR once (0600) and reads it back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await resolveAppSecret(undefined, { dataDir: dir });
    assert(first.secret !== null && first.source === "data_dir");
    assert(first.secret.length >= 43, "256 random bits");
    assertEquals(await resolveAppSecret(undefined, { dataDir: dir }), first);
    assertEquals((await Deno.stat(`${dir}/${APP_SECRET_FILE}`)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("with DATABASE_URL (no data dir) and no APP_SECRET there is none, with the reason to log", async () => {
  const result = await resolveAppSecret(undefined, { dataDir: undefined });
  assert(result.secret === null);
  assertMatch(result.reason, /APP_SECRET is unset/);
});

Deno.test("tasks/secrets.ts prints an APP_SECRET and a VAPID pair that the loaders accept", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../../tasks/secrets.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(output.success, new TextDecoder().decode(output.stderr));
  const env = Object.fromEntries(
    new TextDecoder().decode(output.stdout).trim().split("\n").map((line) => line.split(/=(.*)/s).slice(0, 2)),
  );
  assertEquals(Object.keys(env).sort(), ["APP_SECRET", "VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY"]);
  assertEquals((await resolveAppSecret(env.APP_SECRET, { dataDir: undefined })).secret, env.APP_SECRET);
  const vapid = await resolveVapidKeys(
    { publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY, subject: "mailto:ops@example.com" },
    { dataDir: undefined, defaultSubject: "mailto:ops@example.com" },
  );
  assertEquals(vapid.keys?.publicKey, env.VAPID_PUBLIC_KEY);
});
