/**
 * Turns the server-rendered JSX children of an island (the nodes between its slot
 * markers) into vnodes that hydrate onto those same nodes and leave them untouched.
 *
 * Each element becomes `h(tag, attributes, dangerouslySetInnerHTML: its inner HTML)`:
 * preact does not touch inner HTML while hydrating, and later renders reuse the same
 * vnodes, so the HTML stays as the server wrote it. Should the island unmount and remount
 * the children, preact rebuilds them from the same HTML. Text becomes strings.
 * Interactive content inside children is static: islands inside them are not hydrated.
 *
 * @module
 */
import { type ComponentChild, h } from "preact";
import type { MarkerPair } from "./markers.ts";

/**
 * The vnodes for the nodes between a slot's markers.
 *
 * @example
 * ```ts
 * props.children = slotChildren(pair);
 * ```
 */
export function slotChildren({ start, end }: MarkerPair): ComponentChild[] {
  const children: ComponentChild[] = [];
  for (let node = start.nextSibling; node && node !== end; node = node.nextSibling) {
    if (node.nodeType === 3) children.push((node as Text).data);
    else if (node.nodeType === 1) children.push(staticElement(node as Element));
  }
  return children;
}

function staticElement(element: Element): ComponentChild {
  const props: Record<string, unknown> = {};
  for (const { name, value } of Array.from(element.attributes)) {
    // preact treats on* props as listeners; inline handlers cannot be carried over.
    if (!/^on/i.test(name)) props[name] = value;
  }
  props.dangerouslySetInnerHTML = { __html: element.innerHTML };
  return h(element.localName, props);
}
