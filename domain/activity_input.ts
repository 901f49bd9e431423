/**
 * `GET /api/activity` and `/activity`: `?cursor&limit` (1–100, default 50). A cursor is
 * only ever one a previous page returned; anything else is a 400 on `cursor`.
 *
 * @example
 * ```ts
 * const { cursor, limit } = parseInput(activityQuerySchema, Object.fromEntries(ctx.url.searchParams));
 * ```
 */
import { z } from "zod";
import { isValidDate } from "./calendar.ts";

export const ACTIVITY_DEFAULT_LIMIT = 50;
export const ACTIVITY_MAX_LIMIT = 100;

/** A decoded cursor: the last row seen. */
interface CursorKey {
  createdAt: string;
  id: number;
}

const TIMESTAMP_TEXT = /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?[+-](\d{2})(?::(\d{2}))?$/;

/**
 * True for a timestamp as Postgres prints it that also names an instant that exists:
 * a well-formed `2024-02-30 …` or month 13 would make Postgres refuse the query (a 500).
 */
function isRealTimestamp(text: string): boolean {
  const m = TIMESTAMP_TEXT.exec(text);
  if (!m) return false;
  const [, date, hours, minutes, seconds, , offsetHours, offsetMinutes = "00"] = m;
  return isValidDate(date) && Number(hours) <= 23 && Number(minutes) <= 59 && Number(seconds) <= 59 &&
    Number(offsetHours) <= 15 && Number(offsetMinutes) <= 59;
}

/** The opaque cursor for a row: base64url of `created_at|id`. */
export function encodeCursor(key: CursorKey): string {
  const bytes = new TextEncoder().encode(`${key.createdAt}|${key.id}`);
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * The row a cursor names, or null when it is not one this module made (the route
 * answers 400 then).
 *
 * @example
 * ```ts
 * decodeCursor(encodeCursor({ createdAt: "2026-03-03 10:00:00.123456+00", id: 7 })); // the same key
 * decodeCursor("garbage"); // null
 * ```
 */
export function decodeCursor(cursor: string): CursorKey | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return null;
  let text: string;
  try {
    text = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return null;
  }
  const [createdAt, id, extra] = text.split("|");
  if (extra !== undefined || !isRealTimestamp(createdAt ?? "") || !/^\d{1,15}$/.test(id ?? "")) return null;
  return { createdAt, id: Number(id) };
}

const LIMIT_MESSAGE = `limit is a whole number from 1 to ${ACTIVITY_MAX_LIMIT}`;

export const activityQuerySchema = z.object({
  cursor: z.string().refine(
    (cursor) => decodeCursor(cursor) !== null,
    "This cursor is not one a page returned: start again without it",
  )
    .optional(),
  limit: z.string().regex(/^\d{1,3}$/, LIMIT_MESSAGE).transform(Number)
    .pipe(z.int().min(1, LIMIT_MESSAGE).max(ACTIVITY_MAX_LIMIT, LIMIT_MESSAGE))
    .default(ACTIVITY_DEFAULT_LIMIT),
});
