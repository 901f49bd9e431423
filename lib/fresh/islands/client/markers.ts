/**
 * Finds the island and slot marker comments of a page, and checks each pair is intact.
 *
 * @module
 */
import { ISLAND_END, ISLAND_START, SLOT_END, SLOT_START } from "../protocol.ts";

/** An opening and a closing marker under the same parent, in order. */
export interface MarkerPair {
  start: Comment;
  end: Comment;
}

/** The markers of one page, by island id. */
export interface PageMarkers {
  islands: Map<number, MarkerPair | string>;
  slots: Map<number, MarkerPair | string>;
}

/**
 * Walks every comment under `root` once. A pair is returned as a {@linkcode MarkerPair},
 * or as a string saying what is wrong with it (missing, or split apart by the HTML
 * parser, e.g. a `<div>` rendered inside a `<p>`).
 *
 * @example
 * ```ts
 * const found = findMarkers(document);
 * const pair = found.islands.get(0); // MarkerPair | string | undefined
 * ```
 */
export function findMarkers(root: Node): PageMarkers {
  const opened = { islands: new Map<number, Comment>(), slots: new Map<number, Comment>() };
  const closed = { islands: new Map<number, Comment>(), slots: new Map<number, Comment>() };
  const doc = root.ownerDocument ?? (root as Document);
  const walker = doc.createTreeWalker(root, 128 /* NodeFilter.SHOW_COMMENT */);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = (node as Comment).data;
    if (text.startsWith(ISLAND_START)) record(opened.islands, text, ISLAND_START, node as Comment);
    else if (text.startsWith(ISLAND_END)) record(closed.islands, text, ISLAND_END, node as Comment);
    else if (text.startsWith(SLOT_START)) record(opened.slots, text, SLOT_START, node as Comment);
    else if (text.startsWith(SLOT_END)) record(closed.slots, text, SLOT_END, node as Comment);
  }
  return {
    islands: pairUp(opened.islands, closed.islands),
    slots: pairUp(opened.slots, closed.slots),
  };
}

function record(into: Map<number, Comment>, text: string, prefix: string, node: Comment): void {
  const id = Number(text.slice(prefix.length));
  // First one wins: a component that renders its children twice repeats the slot markers.
  if (Number.isInteger(id) && !into.has(id)) into.set(id, node);
}

function pairUp(
  opened: Map<number, Comment>,
  closed: Map<number, Comment>,
): Map<number, MarkerPair | string> {
  const pairs = new Map<number, MarkerPair | string>();
  for (const id of new Set([...opened.keys(), ...closed.keys()])) {
    const start = opened.get(id);
    const end = closed.get(id);
    if (!start || !end) pairs.set(id, `its ${start ? "closing" : "opening"} marker is missing`);
    else if (start.parentNode !== end.parentNode || !follows(start, end)) {
      pairs.set(
        id,
        "its markers were split apart by the browser's HTML parser (invalid nesting, such as a <div> inside a <p>)",
      );
    } else pairs.set(id, { start, end });
  }
  return pairs;
}

function follows(start: Node, end: Node): boolean {
  for (let n = start.nextSibling; n; n = n.nextSibling) if (n === end) return true;
  return false;
}
