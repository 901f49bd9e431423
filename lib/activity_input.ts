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
import { ACTIVITY_DEFAULT_LIMIT, ACTIVITY_MAX_LIMIT, decodeCursor } from "../db/activity.ts";

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
