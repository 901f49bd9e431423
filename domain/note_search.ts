/**
 * What the habit page's note search accepts: `?q=` (words, "quoted phrases", `or`,
 * `-excluded`, as web search engines read them) and `?page=` (1-based). Pure.
 *
 * @example
 * ```ts
 * parseNoteSearch(new URLSearchParams("q=rain&page=2")); // { q: "rain", page: 2, problem: null }
 * parseNoteSearch(new URLSearchParams("")); // { q: "", page: 1, problem: null }
 * ```
 */

import type { CheckinStatus } from "./completion.ts";

/** The longest search a user may type, in characters. */
export const NOTE_QUERY_MAX = 200;
/** Results per page. */
export const NOTE_RESULTS_PER_PAGE = 20;
/** The last page anyone may ask for (a note search never needs more; deep offsets cost). */
export const NOTE_PAGE_MAX = 500;

/** A note search as the page reads it. */
export interface NoteSearch {
  /** Trimmed; empty when there is nothing to search. */
  q: string;
  /** 1-based. */
  page: number;
  /** Why the query was cut or changed, for the page to say (null when it was taken as typed). */
  problem: string | null;
}

// Control characters (NUL included) and lone surrogates cannot reach Postgres text.
// deno-lint-ignore no-control-regex
const UNUSABLE = /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Reads `q` and `page` from a query string. Never throws: a search box should not answer
 * a long or odd query with an error page, so it keeps the first
 * {@linkcode NOTE_QUERY_MAX} characters, drops what Postgres cannot hold, and says so.
 */
export function parseNoteSearch(params: URLSearchParams): NoteSearch {
  const raw = params.get("q") ?? "";
  let q = raw.replace(UNUSABLE, " ").replace(/\s+/g, " ").trim();
  let problem: string | null = null;
  const chars = [...q];
  if (chars.length > NOTE_QUERY_MAX) {
    q = chars.slice(0, NOTE_QUERY_MAX).join("").trim();
    problem = `Searched for the first ${NOTE_QUERY_MAX} characters only.`;
  }
  const pageText = params.get("page") ?? "1";
  const page = /^\d{1,4}$/.test(pageText) ? Math.min(NOTE_PAGE_MAX, Math.max(1, Number(pageText))) : 1;
  return { q, page, problem };
}

/** One day whose note matched (db/note_search.ts). */
export interface NoteMatch {
  date: string;
  status: CheckinStatus;
  value: number | null;
  /** The whole note, its matches wrapped in MARK_START / MARK_END (domain/note_text.ts). */
  note: string;
}

/** One page of matches, and whether there is another after it. */
export interface NoteSearchPage {
  results: NoteMatch[];
  hasMore: boolean;
}
