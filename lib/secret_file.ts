/**
 * A secret generated once and kept in a file under `DATA_DIR`, for the embedded mode
 * (no `DATABASE_URL`), where a first run must work without anyone setting variables:
 * the VAPID key pair of Web Push (lib/push/vapid_keys.ts) and the app secret that signs
 * one-tap links (lib/app_secret.ts).
 *
 * Why a link, not a plain write: several processes may start at once on one `DATA_DIR`
 * (tests, `deno task dev` next to a second shell). Each writes its candidate to a
 * private temporary file, then hard-links it to the final name; `link` fails when the
 * name exists, so exactly one candidate wins, and a reader never sees a half-written
 * file. Everyone then reads the winner. The file is readable by its owner only.
 *
 * Never call this with `DATABASE_URL` set: instances of a real deployment would each
 * keep a different secret (and Deno Deploy has no disk). Those take the secret from
 * the environment.
 *
 * @example
 * ```ts
 * const text = await readOrCreateSecretFile(`${dataDir}/app_secret`, () => newSecret());
 * ```
 */

/**
 * The content of the file at `path`; when it does not exist yet, `create()` is written
 * there first (mode 0600, creating the directory), unless another process got there
 * first, in which case its content is returned. Every concurrent caller gets the
 * same text.
 */
export async function readOrCreateSecretFile(path: string, create: () => string): Promise<string> {
  const existing = await readIfPresent(path);
  if (existing !== undefined) return existing;
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) || "/" : ".";
  await Deno.mkdir(dir, { recursive: true });
  const candidate = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(candidate, create(), { mode: 0o600, createNew: true });
    try {
      await Deno.link(candidate, path);
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
  } finally {
    await Deno.remove(candidate).catch(() => {});
  }
  const text = await readIfPresent(path);
  if (text === undefined) throw new Error(`${path} vanished while it was being created`);
  return text;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}
