/**
 * Helpers for import tests: a multipart upload, the JSON export of a user, and counts of
 * everything a user has (an import that was refused or rolled back must leave them as
 * they were).
 *
 * @example
 * ```ts
 * const before = await userCounts(t.services.db, alice.id);
 * await t.app.request("/api/import", { method: "POST", headers: alice.bearer, body: upload(zip, "loop.zip") });
 * assertEquals(await userCounts(t.services.db, alice.id), before);
 * ```
 */
import type { Db } from "@/db/client.ts";
import type { App } from "./api.ts";
import { json } from "./api.ts";

/** A form with `file` set to `bytes` named `name`. */
export function upload(bytes: Uint8Array, name: string): FormData {
  const form = new FormData();
  form.set("file", new File([bytes as Uint8Array<ArrayBuffer>], name));
  return form;
}

/** A JSON export document, loosely typed for editing in tests. */
export type Doc = Record<string, unknown> & {
  habits: (Record<string, unknown> & { checkins: Record<string, unknown>[] })[];
  reminders: Record<string, unknown>[];
  pauses: Record<string, unknown>[];
  goals: (Record<string, unknown> & { milestones: Record<string, unknown>[]; subgoals: Record<string, unknown>[] })[];
};

/** The user's JSON export (spends one of their exports). */
export async function exportOf(app: App, auth: Record<string, string>): Promise<Doc> {
  return await json(await app.request("/api/export?format=json", { headers: auth }), 200);
}

/** How many of each thing the user has, and their theme (settings). */
export async function userCounts(db: Db, userId: string): Promise<Record<string, unknown>> {
  const [row] = await db.sql`
    select (select count(*) from habits where user_id = ${userId})::int as habits,
           (select count(*) from habits where user_id = ${userId} and archived_at is not null)::int as archived,
           (select count(*) from checkins where user_id = ${userId})::int as checkins,
           (select count(*) from goals where user_id = ${userId})::int as goals,
           (select count(*) from goal_pins where user_id = ${userId})::int as pins,
           (select count(*) from milestones where user_id = ${userId})::int as milestones,
           (select count(*) from subgoals where user_id = ${userId})::int as subgoals,
           (select count(*) from reminders where user_id = ${userId})::int as reminders,
           (select count(*) from activity where user_id = ${userId} and action <> 'usage.consumed')::int as activity,
           (select theme from users where id = ${userId}) as theme`;
  return { ...row };
}
