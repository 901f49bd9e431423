/**
 * How a check-in's note is shown where space is short (a grid cell's name and tooltip,
 * the history list) and how a search result's marked matches are read. Pure.
 *
 * - {@linkcode notePreview} cuts a note to a number of characters as people count them
 *   (grapheme clusters: an emoji or a letter with its accent is never split), on one line,
 *   with "…" when it was cut, so the whole note stays one click away.
 * - {@linkcode markedSegments} splits a search headline whose matches are wrapped in
 *   {@linkcode MARK_START} / {@linkcode MARK_END} (two private-use characters that
 *   db/note_search.ts strips from the note first) into plain and marked pieces, so the page
 *   renders `<mark>` itself and every piece stays escaped.
 *
 * @example
 * ```ts
 * notePreview("Ran 5 km\nin the rain", 12); // { text: "Ran 5 km in…", cut: true }
 * markedSegments("Ran in the \uE000rain\uE001"); // [{ text: "Ran in the ", marked: false }, { text: "rain", marked: true }]
 * ```
 */

/** Wraps the start of a match in a search headline (Unicode private use: never shown). */
export const MARK_START = "\uE000";
/** Wraps the end of a match. */
export const MARK_END = "\uE001";

/** How many characters of a note a grid cell's name and tooltip carry. */
export const NOTE_LABEL_CHARS = 100;
/** How many characters of a note the history shows before "Read the whole note". */
export const NOTE_HISTORY_CHARS = 160;

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/** The note on one line (line breaks and runs of spaces become one space), cut to `max` characters. */
export function notePreview(note: string, max: number): { text: string; cut: boolean } {
  const line = note.replace(/\s+/g, " ").trim();
  const pieces: string[] = [];
  for (const { segment } of graphemes.segment(line)) {
    if (pieces.length === max) return { text: `${pieces.join("").trimEnd()}…`, cut: true };
    pieces.push(segment);
  }
  return { text: line, cut: false };
}

/** One piece of a search headline. */
export interface MarkedSegment {
  text: string;
  marked: boolean;
}

/** The pieces of a headline marked with {@linkcode MARK_START}/{@linkcode MARK_END} (see the module doc). */
export function markedSegments(headline: string): MarkedSegment[] {
  const segments: MarkedSegment[] = [];
  let marked = false;
  let text = "";
  for (const char of headline) {
    if (char === MARK_START || char === MARK_END) {
      if (text) segments.push({ text, marked });
      text = "";
      marked = char === MARK_START;
    } else text += char;
  }
  if (text) segments.push({ text, marked });
  return segments;
}
