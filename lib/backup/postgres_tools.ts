/**
 * Debian's PostgreSQL client tools (`apt-get install postgresql-client`) for backups of
 * a real server: `pg_dump --format=custom` out, `pg_restore` piped into `psql` in ONE
 * transaction back in.
 *
 * Why pg_dump rather than a dump through the driver: it takes one repeatable-read
 * snapshot of every table, and it already knows everything a restore needs (functions,
 * sequences, constraints after data, dependency order); operators know it and its
 * archive restores table by table with `pg_restore` when needed. Its client must be the
 * server's major version or newer: it says so itself, and the message is passed on.
 *
 * Why a direct connection: pg_dump sets session state (`search_path` to empty,
 * `statement_timeout`, …) before its transaction. Through PgBouncer in transaction mode
 * those settings would land on pooled server connections and break the app's queries
 * afterwards, so callers pass `DATABASE_URL_DIRECT`, never the pooled URL.
 *
 * The password never appears on a command line (other users can read those): it goes
 * to the tools in `PGPASSWORD`.
 *
 * @example
 * ```ts
 * await pgDump(directUrl, async (chunk) => await write(chunk));
 * await pgRestore(directUrl, payloadStream(file), { replaceSchema: false });
 * ```
 */

/** A tool failed; the message carries what it printed on stderr (never the password). */
export class PostgresToolError extends Error {
  override name = "PostgresToolError";
}

/** `pg_dump --version`'s line, e.g. `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`. */
export async function pgDumpVersion(): Promise<string> {
  const { stdout } = await output("pg_dump", ["--version"]);
  return stdout.trim();
}

/** Streams a custom-format archive of the database at `url` into `write`; `signal` kills pg_dump. */
export async function pgDump(
  url: string,
  write: (chunk: Uint8Array) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  signal?.throwIfAborted();
  const { args, env } = connection(url);
  const child = spawn("pg_dump", ["--format=custom", "--compress=6", "--no-password", ...args], env, {
    stdin: "null",
  });
  const kill = () => stop(child);
  signal?.addEventListener("abort", kill, { once: true });
  const stderr = collect(child.stderr);
  try {
    for await (const chunk of child.stdout) await write(chunk);
    const status = await child.status;
    signal?.throwIfAborted();
    if (!status.success) throw new PostgresToolError(`pg_dump failed (exit ${status.code}): ${await stderr}`);
  } catch (error) {
    kill();
    await child.status;
    throw error;
  } finally {
    signal?.removeEventListener("abort", kill);
  }
}

export interface RestoreOptions {
  /** Drop and recreate the `public` schema first, in the same transaction (`--force`). */
  replaceSchema: boolean;
}

/**
 * Restores a custom-format archive into the database at `url`, all or nothing:
 * `pg_restore` turns the archive into SQL, which `psql` runs inside one `BEGIN`; the
 * `COMMIT` is sent only once `pg_restore` has finished cleanly. Any error (in the
 * archive, in a statement, or this process dying) leaves the database as it was.
 */
export async function pgRestore(
  url: string,
  archive: AsyncIterable<Uint8Array>,
  options: RestoreOptions,
): Promise<void> {
  const { args, env } = connection(url);
  const restore = spawn("pg_restore", ["--no-owner", "--no-privileges", "--file=-"], env, { stdin: "piped" });
  const psql = spawn(
    "psql",
    ["-X", "--quiet", "--no-password", "-v", "ON_ERROR_STOP=1", ...args, "--file=-"],
    env,
    { stdin: "piped" },
  );
  const restoreErrors = collect(restore.stderr);
  const psqlErrors = collect(psql.stderr);
  const psqlOutput = collect(psql.stdout);
  const sqlIn = psql.stdin.getWriter();
  const encoder = new TextEncoder();
  let fed: unknown;
  const feedArchive = (async () => {
    const archiveIn = restore.stdin.getWriter();
    try {
      for await (const chunk of archive) await archiveIn.write(chunk);
      await archiveIn.close();
    } catch (error) {
      fed = error;
      stop(restore);
    }
  })();
  let failed: Error | undefined;
  try {
    await sqlIn.write(encoder.encode(
      "BEGIN;\n" + (options.replaceSchema ? "DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n" : ""),
    ));
    for await (const chunk of restore.stdout) await sqlIn.write(chunk);
    await feedArchive;
    const restored = await restore.status;
    if (fed || !restored.success) {
      failed = new PostgresToolError(
        `pg_restore could not read the archive (exit ${restored.code}): ${await restoreErrors || String(fed)}`,
      );
    } else {
      await sqlIn.write(encoder.encode("COMMIT;\n"));
    }
  } catch (error) {
    // psql stopped reading: it hit an error (ON_ERROR_STOP) and exited; its stderr says which.
    failed = error instanceof Error ? error : new Error(String(error));
    stop(restore);
    await restore.status;
  } finally {
    // Without a COMMIT, closing psql's input ends its session and rolls everything back.
    await sqlIn.close().catch(() => {});
  }
  const applied = await psql.status;
  await psqlOutput;
  if (!applied.success) {
    throw new PostgresToolError(`psql failed (exit ${applied.code}), nothing was restored: ${await psqlErrors}`);
  }
  if (failed) throw failed;
}

/** Kills `child`; one that already exited (the race every kill has) is fine. */
function stop(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGKILL");
  } catch (error) {
    if (!(error instanceof TypeError)) throw error; // "Child process has already terminated"
  }
}

/** libpq arguments for `url` without its password, and the password in the environment. */
function connection(url: string): { args: string[]; env: Record<string, string> } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PostgresToolError("the database URL is not a valid postgres:// URL");
  }
  const env: Record<string, string> = {};
  if (parsed.password) env.PGPASSWORD = decodeURIComponent(parsed.password);
  parsed.password = "";
  return { args: [`--dbname=${parsed.href}`], env };
}

function spawn(
  tool: string,
  args: string[],
  env: Record<string, string>,
  { stdin }: { stdin: "piped" | "null" },
): Deno.ChildProcess {
  try {
    return new Deno.Command(tool, { args, env, stdin, stdout: "piped", stderr: "piped" }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw missingTool(tool);
    throw error;
  }
}

async function output(tool: string, args: string[]): Promise<{ stdout: string }> {
  try {
    const result = await new Deno.Command(tool, { args, stdin: "null", stdout: "piped", stderr: "piped" }).output();
    if (!result.success) {
      throw new PostgresToolError(`${tool} failed: ${new TextDecoder().decode(result.stderr).trim()}`);
    }
    return { stdout: new TextDecoder().decode(result.stdout) };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw missingTool(tool);
    throw error;
  }
}

function missingTool(tool: string): PostgresToolError {
  return new PostgresToolError(
    `${tool} is not installed: apt-get install postgresql-client (its major version must be ` +
      "the server's or newer)",
  );
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  const text = await new Response(stream).text();
  // Keep messages short enough for a log line; the end is where the reason usually is.
  return text.length > 4000 ? `…${text.slice(-4000).trim()}` : text.trim();
}
