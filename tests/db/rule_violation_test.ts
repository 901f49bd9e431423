/**
 * One constraint → rule mapper (`db/rule_violation.ts`): every CHECK and unique
 * constraint (and unique index) of the migrated schema is classified — a rule with words
 * for the user, or internal with a reason — read from `pg_constraint`/`pg_index` of a real
 * database, so a new migration's constraint cannot slip through as a 500. And real
 * violations, raised by Postgres, come back as the table's rule.
 */
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";
import { createHabit } from "@/db/habits.ts";
import { setHabitTags } from "@/db/habit_tags.ts";
import { CONSTRAINT_RULES, INTERNAL_CONSTRAINTS, ruleViolationOf } from "@/db/rule_violation.ts";
import { RuleViolation } from "@/domain/rules.ts";

Deno.test("rule violations: every CHECK and unique constraint of the schema is classified, none twice, none stale", async () => {
  await using t = await openTestDb();
  const rows = await t.db.sql<{ name: string }[]>`
    select c.conname as name
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace
     where n.nspname = 'public' and c.contype in ('c', 'u', 'x')
    union
    -- A unique index with no constraint behind it (e.g. on lower(email), or partial).
    select ic.relname
      from pg_index i join pg_class ic on ic.oid = i.indexrelid join pg_namespace n on n.oid = ic.relnamespace
     where n.nspname = 'public' and i.indisunique and not i.indisprimary
       and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`;
  const inSchema = rows.map((row) => row.name).sort();
  const mapped = Object.keys(CONSTRAINT_RULES);
  const internal = Object.keys(INTERNAL_CONSTRAINTS);
  assertEquals(mapped.filter((name) => internal.includes(name)), [], "a constraint is both a rule and internal");
  assertEquals(
    inSchema.filter((name) => !mapped.includes(name) && !internal.includes(name)),
    [],
    "constraints with no rule: add each to CONSTRAINT_RULES (or INTERNAL_CONSTRAINTS, with why)",
  );
  assertEquals(
    [...mapped, ...internal].filter((name) => !inSchema.includes(name)),
    [],
    "names no longer in the schema",
  );
  for (const [name, rule] of Object.entries(CONSTRAINT_RULES)) assert(rule.message.length > 10, name);
  for (const [name, why] of Object.entries(INTERNAL_CONSTRAINTS)) assert(why.length > 10, name);
});

/** The error `run` throws (it must throw). */
async function thrown(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

Deno.test("rule violations: what Postgres raises maps through the table, the rest is left alone", async () => {
  await using t = await openTestDb();
  const { db } = t;
  const [user] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash) values ('Rules@Example.com', 'x') returning id::text`;

  // unique index on lower(email): a race past the sign-up check is a 409, not a 500.
  const taken = ruleViolationOf(
    await thrown(() =>
      db.sql`
    insert into users (email, password_hash) values ('rules@example.COM', 'x')`
    ),
  );
  assertEquals([taken?.kind, taken?.message], ["conflict", CONSTRAINT_RULES.users_email_lower_key.message]);

  // A check that the request schemas would have caught, reached anyway (here straight through SQL).
  const habit = await createHabit(db, user.id, { name: "Read" }, "2026-01-01");
  const color = ruleViolationOf(
    await thrown(() => db.sql`update habits set color = 'red' where id = ${habit.id}::uuid`),
  );
  assertEquals([color?.kind, color?.message], ["invalid", "Pick a color as #rrggbb"]);

  // Through a db/ function, which rethrows the rule itself.
  const tags = await thrown(() => setHabitTags(db, user.id, habit.id, Array.from({ length: 11 }, (_, i) => `t${i}`)));
  assert(tags instanceof RuleViolation, String(tags));
  assertEquals([tags.kind, tags.message], ["invalid", CONSTRAINT_RULES.habits_tags_check.message]);

  // A partial unique index: a second running import.
  await db.sql`insert into imports (user_id, source) values (${user.id}::uuid, 'json')`;
  const running = ruleViolationOf(
    await thrown(() =>
      db.sql`
    insert into imports (user_id, source) values (${user.id}::uuid, 'json')`
    ),
  );
  assertEquals(running?.kind, "conflict");

  // A rule a function raised keeps its own kind and words.
  const raised = ruleViolationOf(
    await thrown(() =>
      db.sql`
    do $$ begin raise exception 'No habit with that id' using errcode = 'CG404'; end $$`
    ),
  );
  assertEquals([raised?.kind, raised?.message], ["not_found", "No habit with that id"]);

  // An internal constraint, or no constraint at all, is not the user's mistake: left for the 500.
  const internal = await thrown(() => db.sql`update plans set max_pauses = -1 where id = 'free'`);
  assertEquals(ruleViolationOf(internal), undefined);
  assertEquals(ruleViolationOf(new Error("boom")), undefined);
  assertEquals(ruleViolationOf({ code: "23514", constraint_name: "constructor" }), undefined);
  assertEquals(ruleViolationOf(null), undefined);
});
