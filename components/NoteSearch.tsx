/**
 * The habit page's note search: a plain GET form (`?q=`, so a search is a link one can
 * keep) and its results, newest first: the day (a link to its check-in form), what was
 * logged, and the whole note with the matched words in `<mark>`; "Newer"/"Older" links
 * page through. Works without JavaScript; every piece of a note is rendered as text.
 *
 * @example
 * ```tsx
 * <NoteSearch action={`/habits/${habit.id}`} habit={habit} search={{ q: "rain", page: 1, problem: null }} found={found} />
 * ```
 */
import type { NoteSearch as NoteSearchQuery, NoteSearchPage } from "@/domain/note_search.ts";
import { NOTE_QUERY_MAX, NOTE_RESULTS_PER_PAGE } from "@/domain/note_search.ts";
import { markedSegments } from "@/domain/note_text.ts";
import { formatDay } from "@/domain/calendar.ts";
import type { Schedule } from "@/domain/completion.ts";
import { checkinLabel } from "@/domain/grid_days.ts";

export interface NoteSearchProps {
  /** The habit page's path: the form's action and the base of the result links. */
  action: string;
  habit: { kind: "boolean" | "numeric"; target: number | null; unit: string | null; schedule: Schedule };
  search: NoteSearchQuery;
  /** Null when nothing was searched. */
  found: NoteSearchPage | null;
}

/** The URL of another page of the same search, landing on the results. */
function pageHref(action: string, q: string, page: number): string {
  const params = new URLSearchParams({ q });
  if (page > 1) params.set("page", String(page));
  return `${action}?${params}#notes-heading`;
}

export function NoteSearch({ action, habit, search, found }: NoteSearchProps) {
  const first = (search.page - 1) * NOTE_RESULTS_PER_PAGE + 1;
  return (
    <>
      <form method="get" action={`${action}#notes-heading`} class="note-search" role="search">
        <label for="note-search-q">Search this habit's notes</label>
        <div class="note-search-row">
          <input
            id="note-search-q"
            name="q"
            type="search"
            value={search.q}
            maxLength={NOTE_QUERY_MAX}
            aria-describedby="note-search-hint"
          />
          <button type="submit" class="button">Search</button>
        </div>
        <p class="muted small" id="note-search-hint">
          Words match their forms ("run" finds "running"); use "quotes" for a phrase, or, and -word to leave one out.
        </p>
      </form>
      {search.problem && <p class="muted">{search.problem}</p>}
      {found && (
        <div class="note-results">
          <p>
            {found.results.length === 0
              ? search.page > 1 ? "No more notes match." : `No note matches “${search.q}”.`
              : `Notes matching “${search.q}”: ${first}–${first + found.results.length - 1}${
                found.hasMore ? ", more on the next page" : ""
              }.`}
          </p>
          {found.results.length > 0 && (
            <ol class="history" start={first}>
              {found.results.map((match) => (
                <li key={match.date} class={`history-item history-${match.status}`}>
                  <a href={`${action}/checkin?date=${match.date}`}>
                    <time dateTime={match.date}>{formatDay(match.date)}</time>
                  </a>
                  <span class="history-status">{checkinLabel(habit, match, match.date)}</span>
                  <p class="history-note">
                    {markedSegments(match.note).map((piece, i) =>
                      piece.marked ? <mark key={i}>{piece.text}</mark> : piece.text
                    )}
                  </p>
                </li>
              ))}
            </ol>
          )}
          {(search.page > 1 || found.hasMore) && (
            <nav class="pager" aria-label="Note search pages">
              {search.page > 1 && <a href={pageHref(action, search.q, search.page - 1)}>Newer matches</a>}
              {found.hasMore && <a href={pageHref(action, search.q, search.page + 1)}>Older matches</a>}
            </nav>
          )}
        </div>
      )}
    </>
  );
}
