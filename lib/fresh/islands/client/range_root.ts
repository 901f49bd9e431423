/**
 * A stand-in parent for preact's `hydrate`/`render` that covers only the nodes between
 * two comments, so an island can hydrate in place without a wrapper element (no extra
 * box, no broken `parent > child` selectors, valid inside `<ul>` or `<tbody>`).
 *
 * preact 10 uses exactly these members of the parent it renders into: `firstChild`,
 * `childNodes` and `namespaceURI` when it starts, `insertBefore` to place nodes (with
 * `null` meaning "at the end", which here is just before the closing marker), and an
 * expando for its vnode tree. Removal goes through each node's real `parentNode`;
 * `appendChild`/`removeChild` are here only so that code expecting a node does not crash.
 *
 * @module
 */

/**
 * Returns a parent-like object for the nodes strictly between `start` and `end`
 * (siblings under one parent).
 *
 * @example
 * ```ts
 * hydrate(h(Counter, props), rangeRoot(startComment, endComment) as unknown as Element);
 * ```
 */
export function rangeRoot(start: Comment, end: Comment): object {
  const parent = () => {
    const node = end.parentNode;
    if (!node) throw new Error("an island's closing marker was removed from the document");
    return node;
  };
  return {
    get namespaceURI() {
      return (parent() as Element).namespaceURI;
    },
    get firstChild() {
      const first = start.nextSibling;
      return first === end ? null : first;
    },
    get childNodes() {
      const nodes: ChildNode[] = [];
      for (let n = start.nextSibling; n && n !== end; n = n.nextSibling) nodes.push(n);
      return nodes;
    },
    insertBefore<T extends Node>(node: T, before: Node | null): T {
      return parent().insertBefore(node, before ?? end);
    },
    appendChild<T extends Node>(node: T): T {
      return parent().insertBefore(node, end);
    },
    removeChild<T extends Node>(node: T): T {
      return parent().removeChild(node);
    },
  };
}
