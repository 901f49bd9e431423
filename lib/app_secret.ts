/**
 * `APP_SECRET`: the server's own key for what it signs and later checks itself (the
 * one-tap Done/Skip links of reminders, lib/one_tap.ts). Each use derives its own key
 * from it (HKDF with a purpose label), so one variable serves them all without one
 * signature ever being valid for another purpose.
 *
 * Where it comes from:
 * - `APP_SECRET` in the environment (at least {@linkcode APP_SECRET_MIN_LENGTH}
 *   characters; print one with `deno run -A tasks/secrets.ts`). Every instance of a
 *   deployment must have the same one, or a link signed by one would fail on another.
 * - Embedded mode (no `DATABASE_URL`): generated once and kept in `$DATA_DIR/app_secret`
 *   (mode 0600).
 * - With `DATABASE_URL` and no `APP_SECRET`: none (a reason is returned to log). Nothing
 *   is written (instances would disagree; Deno Deploy has no disk); reminders then go
 *   without one-tap links.
 *
 * Changing it invalidates the links already sent (they are valid 48 hours at most).
 *
 * @example
 * ```ts
 * const app = await resolveAppSecret(get("APP_SECRET"), { dataDir: config.databaseUrl ? undefined : config.dataDir });
 * if (app.secret === null) log.warn("one_tap.off", { reason: app.reason });
 * ```
 */
import { newSecret } from "@/lib/auth/secret.ts";
import { ConfigError } from "./config.ts";
import { readOrCreateSecretFile } from "./secret_file.ts";

/** Fewer characters than this cannot hold the 128 bits a signing key needs, even as random base64. */
export const APP_SECRET_MIN_LENGTH = 32;

/** Where the embedded mode keeps its generated secret, inside `DATA_DIR`. */
export const APP_SECRET_FILE = "app_secret";

/** The secret and where it came from, or why there is none. */
export type AppSecretResult =
  | { secret: string; source: "environment" | "data_dir" }
  | { secret: null; reason: string };

/**
 * The app secret: `value` (the `APP_SECRET` variable) when set, else (when `dataDir` is
 * given: the embedded mode) the one kept under it, generated on first use; else none.
 * Throws a `ConfigError` for a secret too short to be one.
 */
export async function resolveAppSecret(
  value: string | undefined,
  storage: { dataDir: string | undefined },
): Promise<AppSecretResult> {
  if (value !== undefined) {
    checkStrength(value, "APP_SECRET");
    return { secret: value, source: "environment" };
  }
  if (storage.dataDir === undefined) {
    return {
      secret: null,
      reason: "APP_SECRET is unset: reminders go without one-tap Done/Skip links " +
        "(set it to a random string of 32 characters or more, the same on every instance)",
    };
  }
  const path = `${storage.dataDir}/${APP_SECRET_FILE}`;
  const secret = (await readOrCreateSecretFile(path, () => newSecret() + "\n")).trim();
  checkStrength(secret, path);
  return { secret, source: "data_dir" };
}

function checkStrength(secret: string, name: string): void {
  if (secret.length < APP_SECRET_MIN_LENGTH) {
    throw new ConfigError(
      `${name} must be at least ${APP_SECRET_MIN_LENGTH} characters of random text ` +
        "(print one with `deno run -A tasks/secrets.ts`)",
    );
  }
  if (new Set(secret).size < 8) {
    throw new ConfigError(`${name} repeats a few characters: use random text (\`deno run -A tasks/secrets.ts\`)`);
  }
}
