/**
 * Child process of {@link ./instances.ts}: one real app instance in its own OS process.
 * It seeds the users named in `SEED_USERS` (idempotently, with fixed ids and API tokens,
 * so the same Bearer token is the same user on every instance even when each instance
 * has its own embedded database), then starts the server exactly as `main.ts` does
 * (`startServer`: migrations, KV from `DENO_KV_PATH`, scheduler, signals) and prints the
 * `server.listening` log line the parent waits for.
 *
 * Environment: what `main.ts` reads (`PORT=0`, `DATA_DIR`, `DATABASE_URL`, `DENO_KV_PATH`,
 * `TRUST_PROXY`…) plus `SEED_USERS`, a JSON array of `{id, email, token}`, and, embedded,
 * `SEED_TEMPLATE`: a migrated database tarball to start `DATA_DIR` from.
 */
import { openDb, openEmbeddedDb } from "@/db/client.ts";
import { migrate } from "@/db/migrate.ts";
import { sha256Hex } from "@/lib/auth/secret.ts";
import { loadConfig } from "@/lib/config.ts";
import { main } from "@/app/server.ts";
import manifest from "@/fresh.gen.ts";

/** A user every instance knows under the same id and token. */
export interface SeedUser {
  id: string;
  email: string;
  /** The API token's secret (sent as `Authorization: Bearer`). */
  token: string;
}

const config = loadConfig();
const template = Deno.env.get("SEED_TEMPLATE");
const users = JSON.parse(Deno.env.get("SEED_USERS") ?? "[]") as SeedUser[];
if (users.length > 0 || template) {
  // Embedded, start from a migrated database: far cheaper than initdb + migrations.
  const db = template && !config.databaseUrl
    ? await openEmbeddedDb({ dataDir: config.dataDir, loadDataDir: (await Deno.readFile(template)).buffer })
    : await openDb(config);
  try {
    await migrate(db);
    for (const user of users) {
      await db.sql`
        insert into users (id, email, password_hash)
        values (${user.id}::uuid, ${user.email}, 'seeded: cannot log in')
        on conflict do nothing`;
      await db.sql`
        insert into api_tokens (user_id, name, token_hash)
        values (${user.id}::uuid, 'seeded', ${await sha256Hex(user.token)})
        on conflict do nothing`;
    }
  } finally {
    await db.close();
  }
}
await main({ manifest });
