/**
 * A message from the server as text, with the app's own pages it names turned into
 * links: the plan-limit error ends "…or upgrade to pro at /upgrade.", and a person
 * should be able to follow that. Only the paths listed in `LINKED_PAGES` become links;
 * everything else stays text (and Preact escapes it).
 *
 * @example
 * ```tsx
 * <MessageText text="Your free plan allows 10 active habits. … at /upgrade." />
 * // → …at <a href="/upgrade">/upgrade</a>.
 * ```
 */
import type { JSX } from "preact";

/** Pages a server message may name. */
export const LINKED_PAGES: readonly string[] = ["/upgrade", "/habits/archived", "/settings", "/export"];

/** A path at a word boundary, not followed by more path: "/upgrade." matches, "/upgrade/x" does not. */
const PAGE_PATH = new RegExp(
  `(^|[\\s(])(${LINKED_PAGES.map((path) => path.replace(/[/]/g, "\\/")).join("|")})(?![\\w/-])`,
  "g",
);

export function MessageText({ text }: { text: string }) {
  const parts: (string | JSX.Element)[] = [];
  let last = 0;
  for (const match of text.matchAll(PAGE_PATH)) {
    const start = match.index + match[1].length;
    parts.push(text.slice(last, start), <a href={match[2]}>{match[2]}</a>);
    last = start + match[2].length;
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}
