import { assertEquals, assertRejects } from "@/tests/support/assert.ts";
import { ConfigError, loadConfig } from "@/lib/config.ts";

const env = (values: Record<string, string>) => (name: string) => values[name];

Deno.test("config defaults run the embedded app with no environment", () => {
  const config = loadConfig(env({}));
  assertEquals(config.port, 8000);
  assertEquals(config.host, "127.0.0.1");
  assertEquals(config.appOrigin, "http://localhost:8000");
  assertEquals(config.acceptLoopbackOrigins, true);
  assertEquals(config.databaseUrl, undefined);
  assertEquals(config.kvPath, "./data/kv.sqlite3");
  assertEquals(config.pgPoolMax, 10);
  assertEquals(config.pgBouncer, false);
});

Deno.test("config reads every variable and derives dependent defaults", () => {
  const config = loadConfig(env({
    PORT: "9000",
    DATA_DIR: "/srv/cg",
    DATABASE_URL: "postgres://u@h/db",
    PGBOUNCER: "true",
    PG_POOL_MAX: "4",
    APP_ORIGIN: "https://grid.example/",
    LOG_LEVEL: "warn",
  }));
  assertEquals(config.appOrigin, "https://grid.example");
  assertEquals(config.acceptLoopbackOrigins, false);
  assertEquals(config.kvPath, "/srv/cg/kv.sqlite3");
  assertEquals([config.port, config.pgBouncer, config.pgPoolMax, config.logLevel], [9000, true, 4, "warn"]);
});

Deno.test("bad values stop start-up with a message naming the variable", async () => {
  for (
    const [name, value] of [["PORT", "eighty"], ["PG_POOL_MAX", "0"], ["PGBOUNCER", "maybe"], [
      "LOG_LEVEL",
      "loud",
    ], ["APP_ORIGIN", "https://x.example/path"]]
  ) {
    const error = await assertRejects(() => Promise.resolve().then(() => loadConfig(env({ [name]: value }))));
    assertEquals(error instanceof ConfigError, true, name);
    assertEquals((error as Error).message.startsWith(name), true, (error as Error).message);
  }
});

Deno.test("Stripe billing: off by default, on with all three variables, refused with some", async () => {
  const off = loadConfig(env({}));
  assertEquals([off.stripeSecretKey, off.stripeWebhookSecret, off.stripePricePro], [undefined, undefined, undefined]);
  const on = loadConfig(env({
    STRIPE_SECRET_KEY: "sk_test_1",
    STRIPE_WEBHOOK_SECRET: "whsec_1",
    STRIPE_PRICE_PRO: "price_1",
  }));
  assertEquals([on.stripeSecretKey, on.stripeWebhookSecret, on.stripePricePro], ["sk_test_1", "whsec_1", "price_1"]);
  const error = await assertRejects(() =>
    Promise.resolve().then(() => loadConfig(env({ STRIPE_SECRET_KEY: "sk_test_1" })))
  );
  assertEquals(error instanceof ConfigError, true);
  assertEquals((error as Error).message.startsWith("STRIPE_WEBHOOK_SECRET, STRIPE_PRICE_PRO"), true);
});

Deno.test("reminder e-mail: off without SMTP_URL, a From derived from APP_ORIGIN, bad URLs refused", async () => {
  const off = loadConfig(env({ APP_ORIGIN: "https://grid.example.com" }));
  assertEquals([off.smtpUrl, off.mailFrom], [undefined, "ConsistencyGrid <reminders@grid.example.com>"]);
  const on = loadConfig(env({ SMTP_URL: "smtp://u:p@mail.example.com:587", MAIL_FROM: "Grid <hi@example.com>" }));
  assertEquals([on.smtpUrl, on.mailFrom], ["smtp://u:p@mail.example.com:587", "Grid <hi@example.com>"]);
  const error = await assertRejects(() =>
    Promise.resolve().then(() => loadConfig(env({ SMTP_URL: "mail.example.com" })))
  );
  assertEquals(error instanceof ConfigError, true);
  assertEquals((error as Error).message.startsWith("SMTP_URL must be"), true);
});

Deno.test("MEMORY_LOG_MS: off by default, a period in ms when set, nonsense refused", async () => {
  assertEquals(loadConfig(env({})).memoryLogMs, undefined);
  assertEquals(loadConfig(env({ MEMORY_LOG_MS: "500" })).memoryLogMs, 500);
  for (const value of ["often", "0", "1.5"]) {
    const error = await assertRejects(() => Promise.resolve().then(() => loadConfig(env({ MEMORY_LOG_MS: value }))));
    assertEquals(error instanceof ConfigError, true, value);
    assertEquals((error as Error).message.startsWith("MEMORY_LOG_MS"), true, (error as Error).message);
  }
});
