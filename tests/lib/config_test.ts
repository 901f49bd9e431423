import { assertEquals, assertRejects } from "../support/assert.ts";
import { ConfigError, loadConfig } from "../../lib/config.ts";

const env = (values: Record<string, string>) => (name: string) => values[name];

Deno.test("config defaults run the embedded app with no environment", () => {
  const config = loadConfig(env({}));
  assertEquals(config.port, 8000);
  assertEquals(config.host, "127.0.0.1");
  assertEquals(config.appOrigin, "http://localhost:8000");
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
