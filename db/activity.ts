/**
 * A user's activity history, newest first, a page at a time with a keyset cursor over
 * `(created_at, id)` — the order of the index `activity_user_created_idx (user_id,
 * created_at desc, id desc)`, so every page is one index range scan however deep it is
 * (never OFFSET, which reads and drops every earlier row). Rows are written only by the
 * SQL function `log_activity`, inside each mutation's transaction.
 *
 * The cursor is opaque to clients: base64url of the last row's `created_at` (as
 * Postgres prints it, to the microsecond — a JS Date would round to milliseconds and
 * skip or repeat rows) and its id.
 *
 * @example
 * ```ts
 * const first = await listActivity(db, user.id, { limit: 20 });
 * const next = first.nextCursor ? await listActivity(db, user.id, { cursor: first.nextCursor }) : null;
 * ```
 */
import { ACTIVITY_DEFAULT_LIMIT, ACTIVITY_MAX_LIMIT, decodeCursor, encodeCursor } from "@/domain/activity_input.ts";
import type { DbQueries } from "./client.ts";

/** One thing the user (or the system on their behalf) did. */
export interface ActivityItem {
  /** Unique and increasing; a string, as ids are in the API. */
  id: string;
  /** What happened, `object.verb`: `habit.created`, `checkin.saved`, `data.imported`… */
  action: string;
  /** The kind of object it happened to (`habit`, `user`, `usage`…). */
  objectType: string;
  objectId: string | null;
  /** Action-specific facts (a habit's name, a check-in's date). */
  details: Record<string, unknown>;
  createdAt: Date;
}

/** One page, and the cursor of the next (null on the last page). */
export interface ActivityPage {
  items: ActivityItem[];
  nextCursor: string | null;
}

export { ACTIVITY_DEFAULT_LIMIT, ACTIVITY_MAX_LIMIT, decodeCursor, encodeCursor };

interface ActivityRow {
  id: number;
  action: string;
  object_type: string;
  object_id: string | null;
  details: Record<string, unknown>;
  created_at: Date;
  created_at_text: string;
}

/**
 * A page of the user's activity, newest first (ties on the timestamp broken by id, so
 * rows written in one transaction page correctly). `cursor` must come from a previous
 * page's `nextCursor`; an invalid one throws `RangeError` (validate with
 * {@linkcode decodeCursor} first).
 *
 * @example
 * ```ts
 * const { items, nextCursor } = await listActivity(db, user.id, { limit: 50 });
 * ```
 */
export async function listActivity(
  db: DbQueries,
  userId: string,
  options: { cursor?: string | null; limit?: number } = {},
): Promise<ActivityPage> {
  const limit = Math.min(Math.max(options.limit ?? ACTIVITY_DEFAULT_LIMIT, 1), ACTIVITY_MAX_LIMIT);
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  if (options.cursor && !after) throw new RangeError("invalid activity cursor");
  // One row more than asked tells whether there is a next page without a count.
  const rows = after
    ? await db.sql<ActivityRow[]>`
        select id, action, object_type, object_id, details, created_at, created_at::text as created_at_text
          from activity
         where user_id = ${userId}::uuid
           and (created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::bigint)
         order by created_at desc, id desc
         limit ${limit + 1}`
    : await db.sql<ActivityRow[]>`
        select id, action, object_type, object_id, details, created_at, created_at::text as created_at_text
          from activity
         where user_id = ${userId}::uuid
         order by created_at desc, id desc
         limit ${limit + 1}`;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      id: String(row.id),
      action: row.action,
      objectType: row.object_type,
      objectId: row.object_id,
      details: row.details,
      createdAt: row.created_at,
    })),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.created_at_text, id: last.id }) : null,
  };
}
