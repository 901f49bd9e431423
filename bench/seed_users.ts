/**
 * Many bench users written in bulk: each with a session, an API token and one daily
 * yes/no habit. The load mix and the check-in bench drive requests from them.
 *
 * @example
 * ```ts
 * const users = await seedUsers(db, 500);
 * users[0].token; // "cgt_…", a Bearer token
 * ```
 */
import type { Db } from "@/db/client.ts";
import { newSecret, sha256Hex } from "@/lib/auth/secret.ts";

/** One seeded user's credentials and habit. */
export interface SeededUser {
  id: string;
  token: string;
  session: string;
  habitId: string;
}

/** Creates `count` users (in four statements, whatever the count), habits started `habitStartDaysAgo` days ago. */
export async function seedUsers(db: Db, count: number, habitStartDaysAgo = 0): Promise<SeededUser[]> {
  const emails: string[] = [];
  const tokens: string[] = [];
  const sessions: string[] = [];
  const tokenHashes: string[] = [];
  const sessionHashes: string[] = [];
  const run = crypto.randomUUID().slice(0, 8);
  for (let i = 0; i < count; i++) {
    tokens.push(newSecret("cgt_"));
    sessions.push(newSecret());
    emails.push(`load-${run}-${i}@example.test`);
    tokenHashes.push(await sha256Hex(tokens[i]));
    sessionHashes.push(await sha256Hex(sessions[i]));
  }
  const created = await db.sql<{ id: string; n: number }[]>`
    with u as (
      insert into users (email, password_hash)
      select e, 'bench: cannot log in' from unnest(${emails}::text[]) with ordinality as t(e, n)
      returning id, email
    )
    select u.id::text as id, t.n::int as n
    from u join unnest(${emails}::text[]) with ordinality as t(e, n) on t.e = u.email`;
  const ids = new Array<string>(count);
  for (const { id, n } of created) ids[n - 1] = id;
  await db.sql`insert into sessions (id_hash, user_id, expires_at)
    select h, u::uuid, now() + interval '1 day'
    from unnest(${sessionHashes}::text[], ${ids}::text[]) as t(h, u)`;
  await db.sql`insert into api_tokens (user_id, name, token_hash)
    select u::uuid, 'bench', h from unnest(${ids}::text[], ${tokenHashes}::text[]) as t(u, h)`;
  const habits = await db.sql<{ user_id: string; id: string }[]>`
    insert into habits (user_id, name, color, kind, schedule, position, start_date)
    select u::uuid, 'Bench habit', '#16a34a', 'boolean', '{"type":"daily"}'::jsonb, 0, current_date - ${habitStartDaysAgo}::int
    from unnest(${ids}::text[]) as t(u)
    returning user_id::text, id::text`;
  const habitOf = new Map(habits.map((h) => [h.user_id, h.id]));
  return ids.map((id, i) => ({ id, token: tokens[i], session: sessions[i], habitId: habitOf.get(id)! }));
}

/** Deletes the seeded users (and by cascade all they own): a bench on a shared server leaves nothing. */
export async function deleteUsers(db: Db, users: readonly SeededUser[]): Promise<void> {
  await db.sql`delete from users where id = any(${users.map((u) => u.id)}::uuid[])`;
}
