/**
 * The app's configuration, read once from the environment.
 *
 * Every knob of `../shared/API.md`'s environment table lives here, so the rest of
 * the code never reads `Deno.env` itself and tests can build a config by hand.
 *
 * @example
 * ```ts
 * const config = loadConfig();
 * console.log(config.port, config.databaseUrl ?? "embedded");
 * ```
 */

/** Log levels in increasing severity. */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Config {
  port: number;
  host: string;
  /** The public origin: `APP_ORIGIN`, or `http://localhost:$PORT` when it is unset. */
  appOrigin: string;
  /**
   * `APP_ORIGIN` is unset: the server's own loopback origins (`localhost`, `127.0.0.1`,
   * `[::1]` on the port the browser reached it on) count as ours too (lib/auth/own_origin.ts).
   */
  acceptLoopbackOrigins: boolean;
  dataDir: string;
  /** Real Postgres; `undefined` means embedded PGlite under `dataDir`. */
  databaseUrl: string | undefined;
  /** Transaction-pooling safe: no prepared statements. */
  pgBouncer: boolean;
  /**
   * The same database without the pooler, for tools that keep session state
   * (`pg_dump`, `psql` in backups and restores); unset → `databaseUrl` when that is not
   * pooled.
   */
  databaseUrlDirect: string | undefined;
  /** Scheduled daily backups go here (with retention); unset → none scheduled. */
  backupDir: string | undefined;
  pgPoolMax: number;
  /** KV file path, `:memory:`, or a KV Connect URL. */
  kvPath: string;
  logLevel: LogLevel;
  trustProxy: boolean;
  sentryDsn: string | undefined;
  sentryEnvironment: string;
  sentryTracesSampleRate: number;
  /** A short build identifier for health output and error reports. */
  version: string;
  /** True on Deno Deploy, where the file system is read-only. */
  onDeploy: boolean;
  /** Stripe billing: all three set, or none (billing off). */
  stripeSecretKey: string | undefined;
  stripeWebhookSecret: string | undefined;
  /** The Stripe price id of the pro plan. */
  stripePricePro: string | undefined;
  /** Stripe's API at another address (stripe-mock, tests), e.g. `http://127.0.0.1:12111`; unset → Stripe's. */
  stripeApiBase: string | undefined;
  /** Reminder e-mail through this SMTP server (`smtp://user:pass@host:587`, `smtps://…`); unset → in-app only. */
  smtpUrl: string | undefined;
  /** The From of reminder e-mail. */
  mailFrom: string;
  /** `MEMORY_LOG_MS`: log a `memory` line this often (benches); unset → never (lib/memory_log.ts). */
  memoryLogMs: number | undefined;
}

/** Thrown for an environment value the app cannot use; start-up prints it and stops. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/**
 * Reads the configuration from `env` (the process environment by default).
 * Invalid values throw a {@linkcode ConfigError} naming the variable.
 */
export function loadConfig(
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Config {
  const get = (name: string) => {
    const value = env(name)?.trim();
    return value === "" ? undefined : value;
  };
  const port = integer(get("PORT"), "PORT", 8000, 0, 65535);
  const dataDir = get("DATA_DIR") ?? "./data";
  const logLevel = (get("LOG_LEVEL") ?? "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(
      `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`,
    );
  }
  const appOriginSet = get("APP_ORIGIN");
  const appOrigin = appOriginSet ?? `http://localhost:${port}`;
  try {
    const url = new URL(appOrigin);
    if (url.origin !== appOrigin.replace(/\/$/, "")) throw new Error();
  } catch {
    throw new ConfigError(
      `APP_ORIGIN must be an origin such as https://example.com, got "${appOrigin}"`,
    );
  }
  const rate = Number(get("SENTRY_TRACES_SAMPLE_RATE") ?? "0");
  if (!(rate >= 0 && rate <= 1)) {
    throw new ConfigError(
      "SENTRY_TRACES_SAMPLE_RATE must be a number from 0 to 1",
    );
  }
  const stripe = {
    STRIPE_SECRET_KEY: get("STRIPE_SECRET_KEY"),
    STRIPE_WEBHOOK_SECRET: get("STRIPE_WEBHOOK_SECRET"),
    STRIPE_PRICE_PRO: get("STRIPE_PRICE_PRO"),
  };
  const stripeMissing = Object.entries(stripe).filter(([, value]) => value === undefined).map(([name]) => name);
  if (stripeMissing.length > 0 && stripeMissing.length < 3) {
    throw new ConfigError(`${stripeMissing.join(", ")} must be set too: billing needs all three Stripe variables`);
  }
  const backupDir = get("BACKUP_DIR");
  if (backupDir !== undefined && get("DENO_DEPLOYMENT_ID") !== undefined) {
    throw new ConfigError(
      "BACKUP_DIR cannot be used on Deno Deploy (no local files, no pg_dump): use your managed Postgres's " +
        "backups and point-in-time recovery, and unset BACKUP_DIR",
    );
  }
  const kvPath = get("DENO_KV_PATH") ?? `${dataDir}/kv.sqlite3`;
  if (/^https?:/i.test(kvPath)) checkKvConnect(kvPath, get("DENO_KV_ACCESS_TOKEN"));
  const smtpUrl = get("SMTP_URL");
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^/]/.test(smtpUrl)) {
    throw new ConfigError(`SMTP_URL must be an smtp:// or smtps:// URL such as smtp://user:pass@mail.example.com:587`);
  }
  return {
    port,
    host: get("HOST") ?? "127.0.0.1",
    appOrigin: appOrigin.replace(/\/$/, ""),
    acceptLoopbackOrigins: appOriginSet === undefined,
    dataDir,
    databaseUrl: get("DATABASE_URL"),
    pgBouncer: boolean(get("PGBOUNCER"), "PGBOUNCER"),
    databaseUrlDirect: get("DATABASE_URL_DIRECT"),
    backupDir,
    pgPoolMax: integer(get("PG_POOL_MAX"), "PG_POOL_MAX", 10, 1, 1000),
    kvPath,
    logLevel,
    trustProxy: boolean(get("TRUST_PROXY"), "TRUST_PROXY"),
    sentryDsn: get("SENTRY_DSN"),
    sentryEnvironment: get("SENTRY_ENVIRONMENT") ?? "development",
    sentryTracesSampleRate: rate,
    version: get("APP_VERSION") ?? get("DENO_DEPLOYMENT_ID") ?? "dev",
    onDeploy: get("DENO_DEPLOYMENT_ID") !== undefined,
    stripeSecretKey: stripe.STRIPE_SECRET_KEY,
    stripeWebhookSecret: stripe.STRIPE_WEBHOOK_SECRET,
    stripePricePro: stripe.STRIPE_PRICE_PRO,
    stripeApiBase: get("STRIPE_API_BASE"),
    smtpUrl,
    mailFrom: get("MAIL_FROM") ?? `ConsistencyGrid <reminders@${new URL(appOrigin).hostname}>`,
    memoryLogMs: get("MEMORY_LOG_MS") === undefined
      ? undefined
      : integer(get("MEMORY_LOG_MS"), "MEMORY_LOG_MS", 0, 100, 3_600_000),
  };
}

/**
 * A KV Connect URL needs a host and the access token (Deno reads DENO_KV_ACCESS_TOKEN
 * itself; without it every KV call would fail).
 */
function checkKvConnect(url: string, token: string | undefined): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`DENO_KV_PATH must be a file path, :memory: or a URL such as https://kv.example.com`);
  }
  if (!parsed.hostname) throw new ConfigError("DENO_KV_PATH names no host: https://kv.example.com");
  if (parsed.username || parsed.password) {
    throw new ConfigError("DENO_KV_PATH must not carry credentials: put the token in DENO_KV_ACCESS_TOKEN");
  }
  if (!token) {
    throw new ConfigError(
      "DENO_KV_PATH is a KV Connect URL: set DENO_KV_ACCESS_TOKEN to the server's access token " +
        "(denokv's --access-token)",
    );
  }
}

function integer(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(
      `${name} must be a whole number from ${min} to ${max}, got "${value}"`,
    );
  }
  return n;
}

function boolean(value: string | undefined, name: string): boolean {
  if (value === undefined) return false;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true or false, got "${value}"`);
}
