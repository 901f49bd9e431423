/**
 * lib/secret_file.ts: a secret generated once under DATA_DIR must be the same for every
 * process that starts at once on an empty directory, never half-written, and private.
 */
import { readOrCreateSecretFile } from "@/lib/secret_file.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("the first call writes the secret (mode 0600, creating the directory); later calls read it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/nested/data/secret`;
    let created = 0;
    const create = () => `secret-${++created}`;
    assertEquals(await readOrCreateSecretFile(path, create), "secret-1");
    assertEquals(await readOrCreateSecretFile(path, create), "secret-1");
    assertEquals(created, 1);
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("50 concurrent callers in one process all get the same secret, and no temporary file is left", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const results = await Promise.all(
      Array.from({ length: 50 }, () => readOrCreateSecretFile(`${dir}/secret`, () => crypto.randomUUID())),
    );
    assertEquals(new Set(results).size, 1);
    assertEquals([...Deno.readDirSync(dir)].map((entry) => entry.name), ["secret"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("3 processes started at once on an empty directory agree on one secret", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const module = new URL("lib/secret_file.ts", ROOT).href;
    // Each process waits for a common start time, so they race for real.
    const startAt = Date.now() + 1_500;
    const script = `
      import { readOrCreateSecretFile } from ${JSON.stringify(module)};
      await new Promise((resolve) => setTimeout(resolve, ${startAt} - Date.now()));
      const results = await Promise.all(Array.from({ length: 10 }, () =>
        readOrCreateSecretFile(${JSON.stringify(`${dir}/secret`)}, () => crypto.randomUUID())));
      console.log(JSON.stringify(results));
    `;
    const outputs = await Promise.all(Array.from({ length: 3 }, async () => {
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["eval", script],
        cwd: new URL(".", ROOT).pathname,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert(output.success, new TextDecoder().decode(output.stderr));
      return JSON.parse(new TextDecoder().decode(output.stdout)) as string[];
    }));
    const seen = new Set(outputs.flat());
    assertEquals(seen.size, 1, `every process read one secret: ${[...seen].join(", ")}`);
    assertEquals(await Deno.readTextFile(`${dir}/secret`), [...seen][0]);
    assertEquals([...Deno.readDirSync(dir)].map((entry) => entry.name), ["secret"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
