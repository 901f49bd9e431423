/**
 * Several real app instances, each its own OS process on its own ephemeral port, all
 * sharing one KV file: what "exact across instances" has to survive. On real Postgres
 * (`DATABASE_URL` set) they share one fresh test database too; embedded, each has its own
 * PGlite, and the users they must agree on are seeded into each with the same ids and
 * tokens ({@link ./app_instance.ts}).
 *
 * @example
 * ```ts
 * await using fleet = await startInstances(3, { users: [seedUser()] });
 * await fetch(`${fleet.instances[0].url}/api/health`);
 * ```
 */
import { newSecret } from "@/lib/auth/secret.ts";
import type { SeedUser } from "./app_instance.ts";
import { migratedEmbeddedTemplate, openTestDb, type TestDb } from "./db.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const SCRIPT = new URL("./app_instance.ts", import.meta.url).pathname;

/** One running instance. */
export interface Instance {
  url: string;
  /** Its log lines so far, stdout and stderr (JSON, one per line; warnings and errors are on stderr). */
  lines: string[];
  child: Deno.ChildProcess;
}

export interface InstancesOptions {
  /** Users every instance knows (same id and token everywhere). */
  users?: SeedUser[];
  /** Extra environment for every instance (e.g. `TRUST_PROXY`). */
  env?: Record<string, string>;
  /** The shared KV (default: a new file in a temporary directory). */
  kvPath?: string;
}

/** A user to seed: a fresh id, e-mail and API token. */
export function seedUser(): SeedUser & { bearer: Record<string, string> } {
  const token = newSecret("cgt_");
  const id = crypto.randomUUID();
  return { id, email: `${id.slice(0, 8)}@example.test`, token, bearer: { Authorization: `Bearer ${token}` } };
}

/** Starts `count` instances; dispose to stop them (SIGTERM) and delete their files. */
export async function startInstances(count: number, options: InstancesOptions = {}) {
  const dir = await Deno.makeTempDir({ prefix: "cg-instances-" });
  const kvPath = options.kvPath ?? `${dir}/kv.sqlite3`;
  let testDb: TestDb | undefined;
  const instances: Instance[] = [];
  try {
    if (!/^https?:/.test(kvPath)) (await Deno.openKv(kvPath)).close(); // created before they race for it
    if (Deno.env.get("DATABASE_URL")) testDb = await openTestDb();
    else await Deno.writeFile(`${dir}/template.tar`, new Uint8Array(await migratedEmbeddedTemplate()));
    const started = await Promise.allSettled(Array.from({ length: count }, (_, i) => {
      const env: Record<string, string> = {
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
        NO_COLOR: "1",
        DATA_DIR: `${dir}/instance-${i}`,
        DENO_KV_PATH: kvPath,
        SEED_TEMPLATE: `${dir}/template.tar`,
        SEED_USERS: JSON.stringify((options.users ?? []).map(({ id, email, token }) => ({ id, email, token }))),
        ...options.env,
      };
      if (testDb?.url) {
        env.DATABASE_URL = testDb.url;
        env.PGBOUNCER = Deno.env.get("PGBOUNCER") ?? "false";
        env.PG_POOL_MAX = "4";
      }
      return spawnInstance(env);
    }));
    for (const result of started) if (result.status === "fulfilled") instances.push(result.value);
    const failed = started.find((result) => result.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
  } catch (error) {
    await stopAll(instances);
    await testDb?.dispose();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
  return {
    instances,
    kvPath,
    async [Symbol.asyncDispose]() {
      await stopAll(instances);
      await testDb?.dispose();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

async function spawnInstance(env: Record<string, string>): Promise<Instance> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT],
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  let listening!: (url: string) => void;
  const url = new Promise<string>((resolve) => listening = resolve);
  const onLine = (line: string) => {
    lines.push(line);
    if (line.includes('"server.listening"')) listening(JSON.parse(line).url);
  };
  // Both pipes are read all along, so the child never blocks on a full one.
  const output = Promise.all([readLines(child.stdout, onLine), readLines(child.stderr, onLine)]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const started = await Promise.race([
    url,
    child.status.then(() => null),
    // Generous: on a loaded 2-core machine an embedded database alone took a minute to open.
    new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), 300_000)),
  ]);
  clearTimeout(timer);
  if (!started) {
    kill(child, "SIGKILL");
    await child.status;
    await output;
    throw new Error(`an app instance did not start:\n${lines.join("\n")}`);
  }
  return { url: started, lines, child };
}

/** Calls `onLine` for each line of `stream` until it ends. */
async function readLines(
  stream: ReadableStream<Uint8Array<ArrayBuffer>>,
  onLine: (line: string) => void,
): Promise<void> {
  let buffer = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (buffer + chunk).split("\n");
    buffer = parts.pop()!;
    for (const line of parts) if (line) onLine(line);
  }
  if (buffer) onLine(buffer);
}

async function stopAll(instances: Instance[]): Promise<void> {
  await Promise.all(instances.map(async ({ child }) => {
    kill(child, "SIGTERM");
    const timer = setTimeout(() => kill(child, "SIGKILL"), 15_000);
    await child.status;
    clearTimeout(timer);
  }));
}

function kill(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch {
    // It has exited already.
  }
}
