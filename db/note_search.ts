/**
 * Full-text search over the notes of one of the user's habits: Postgres
 * `websearch_to_tsquery` against the generated `checkins.note_search` column and its GIN
 * index (sql/013_notes_and_tags.sql), newest day first, a page at a time. The query is
 * scoped to the user and the habit in SQL, so nobody ever searches another user's notes.
 *
 * Matches come back marked with the private-use characters of domain/note_text.ts
 * (stripped from the note first), never with HTML: the page renders `<mark>` itself.
 *
 * @example
 * ```ts
 * const { results, hasMore } = await searchNotes(db, user.id, habit.id, "rain -snooze", 1);
 * results[0]; // { date: "2026-11-20", status: "done", value: null, note: "Ran in the \uE000rain\uE001" }
 * ```
 */
import { MARK_END, MARK_START } from "@/domain/note_text.ts";
import { NOTE_RESULTS_PER_PAGE, type NoteSearchPage } from "@/domain/note_search.ts";
import type { DbQueries } from "./client.ts";
import type { CheckinStatus } from "./checkins.ts";
import { isUuid } from "./habits.ts";

/** The text search configuration of the generated column; the query must use the same one. */
export const NOTE_SEARCH_CONFIG = "english";

export type { NoteMatch, NoteSearchPage } from "@/domain/note_search.ts";

/** Page `page` (1-based) of the habit's notes matching `q`; empty for another user's or an unknown habit. */
export async function searchNotes(
  db: DbQueries,
  userId: string,
  habitId: string,
  q: string,
  page: number,
): Promise<NoteSearchPage> {
  if (!isUuid(habitId) || q === "") return { results: [], hasMore: false };
  const options = `StartSel="${MARK_START}", StopSel="${MARK_END}", HighlightAll=true`;
  // One more row than a page, to know whether another page follows.
  const rows = await db.sql<{ day: string; status: CheckinStatus; value: number | null; note: string }[]>`
    with query as (select websearch_to_tsquery(${NOTE_SEARCH_CONFIG}::regconfig, ${q}::text) as q)
    select c.day, c.status, c.value,
           ts_headline(${NOTE_SEARCH_CONFIG}::regconfig,
                       translate(c.note, ${MARK_START + MARK_END}::text, ''),
                       query.q, ${options}::text) as note
      from checkins c, query
     where c.user_id = ${userId}::uuid and c.habit_id = ${habitId}::uuid
       and c.note_search @@ query.q
     order by c.day desc
     limit ${NOTE_RESULTS_PER_PAGE + 1} offset ${(page - 1) * NOTE_RESULTS_PER_PAGE}`;
  return {
    results: rows.slice(0, NOTE_RESULTS_PER_PAGE).map((row) => ({
      date: row.day,
      status: row.status,
      value: row.value,
      note: row.note,
    })),
    hasMore: rows.length > NOTE_RESULTS_PER_PAGE,
  };
}
