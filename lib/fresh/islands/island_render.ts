/**
 * Server-side island rendering: renders a vnode tree with preact-render-to-string and,
 * through preact's `options` hooks, wraps each island's output in marker comments and
 * encodes its props.
 *
 * How it hooks in: render-to-string calls `options.__b` (preact's `_diff`) on every
 * vnode before reading its `type`, after setting its parent pointer (`__`), and
 * `options.diffed` once the vnode's subtree is rendered. When `__b` meets an island's
 * component outside any other island, it turns that vnode into a Fragment of
 * `[<!--frsh:island:N-->, <Island …props/>, <!--/frsh:island:N-->]`; `diffed` marks the
 * island complete and puts the vnode back as it was (vnodes may be reused by the next
 * render, or twice in this one).
 *
 * Render state: the hooks are installed once, and act only while
 * {@linkcode renderWithIslands} runs. renderToString is synchronous, so the render that
 * is running is the only one that can reach the hooks; its state lives in `active` for
 * exactly that call (saved and restored, so a render nested inside a component also
 * works) and nothing is left behind for the next request.
 *
 * @module
 */
import { type ComponentChildren, type ComponentType, Fragment, h, options, type VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { nestingProblem } from "./html_nesting.ts";
import { ISLAND_END, ISLAND_START, SLOT_END, SLOT_START } from "./protocol.ts";
import { isJsx, PropsEncoder } from "./serialize.ts";
import type { IslandEntry } from "./types.ts";

/** One island instance found while rendering. */
export interface RenderedIsland {
  /** The N of its markers. */
  id: number;
  entry: IslandEntry;
  /** "Counter (islands/Counter.tsx)", for messages. */
  name: string;
  /** Encoded props, without JSX children. */
  props: Record<string, unknown>;
  /** True when its JSX children were rendered into a slot. */
  slot: boolean;
  /** False when its render threw (and an error boundary rendered something else). */
  done: boolean;
}

/** The result of {@linkcode renderWithIslands}. */
export interface IslandRender {
  html: string;
  /** Every island met, by id (see {@linkcode RenderedIsland.done}). */
  islands: RenderedIsland[];
  /** Encoded signal values referenced from the islands' props. */
  signals: unknown[];
}

/** The fields of preact's internal vnode this module reads and writes. */
interface InternalVNode {
  type: unknown;
  props: Record<string, unknown>;
  /** Parent vnode, set by the renderer before `__b`. */
  __?: InternalVNode | null;
}

interface Swap {
  island: RenderedIsland;
  type: unknown;
  props: Record<string, unknown>;
}

interface RenderState {
  registry: ReadonlyMap<unknown, IslandEntry>;
  encoder: PropsEncoder;
  islands: RenderedIsland[];
  /** The island each vnode inside an island belongs to. */
  owner: WeakMap<InternalVNode, RenderedIsland>;
  /** Island vnodes currently turned into marker Fragments. */
  swapped: Map<InternalVNode, Swap>;
  warned: Set<string>;
}

let active: RenderState | undefined;

installHooks();

/**
 * Renders `vnode` to HTML; components found in `registry` become islands.
 *
 * @example
 * ```ts
 * const registry = new Map(entries.map((e) => [e.component, e]));
 * const { html, islands } = renderWithIslands(<Page />, registry);
 * ```
 */
export function renderWithIslands(
  // deno-lint-ignore no-explicit-any
  vnode: VNode<any>,
  registry: ReadonlyMap<unknown, IslandEntry>,
): IslandRender {
  const state: RenderState = {
    registry,
    encoder: new PropsEncoder(),
    islands: [],
    owner: new WeakMap(),
    swapped: new Map(),
    warned: new Set(),
  };
  const previous = active;
  active = state;
  try {
    const html = renderToString(vnode);
    return { html, islands: state.islands, signals: state.encoder.signals };
  } finally {
    active = previous;
    // A render that threw skipped some `diffed` calls; put those vnodes back too.
    for (const [vnode, swap] of state.swapped) restore(vnode, swap);
  }
}

function installHooks(): void {
  const hooks = options as unknown as {
    __b?: (vnode: InternalVNode) => void;
    diffed?: (vnode: InternalVNode) => void;
  };
  const previousDiff = hooks.__b;
  hooks.__b = (vnode) => {
    if (active) beforeDiff(active, vnode);
    previousDiff?.(vnode);
  };
  const previousDiffed = hooks.diffed;
  hooks.diffed = (vnode) => {
    if (active) afterDiff(active, vnode);
    previousDiffed?.(vnode);
  };
}

function beforeDiff(state: RenderState, vnode: InternalVNode): void {
  const parent = vnode.__;
  let owner = parent ? state.owner.get(parent) : undefined;
  const type = vnode.type;
  if (typeof type === "function") {
    if (!owner) {
      const entry = state.registry.get(type);
      if (entry) owner = openIsland(state, vnode, entry);
    }
  } else if (owner && typeof type === "string") {
    warnOnBadNesting(state, owner, vnode, type);
  }
  if (owner) state.owner.set(vnode, owner);
  // The same vnode object may render inside and outside an island in one render.
  else if (state.islands.length > 0) state.owner.delete(vnode);
}

function afterDiff(state: RenderState, vnode: InternalVNode): void {
  const swap = state.swapped.get(vnode);
  if (!swap) return;
  swap.island.done = true;
  restore(vnode, swap);
  state.swapped.delete(vnode);
}

function openIsland(state: RenderState, vnode: InternalVNode, entry: IslandEntry): RenderedIsland {
  const id = state.islands.length;
  const name = islandName(entry);
  const { children, ...rest } = vnode.props;
  const slot = isJsx(children);
  const island: RenderedIsland = {
    id,
    entry,
    name,
    props: state.encoder.encodeProps(slot ? rest : vnode.props, name),
    slot,
    done: false,
  };
  state.islands.push(island);
  state.swapped.set(vnode, { island, type: vnode.type, props: vnode.props });
  const innerProps = slot
    ? { ...vnode.props, children: [comment(SLOT_START + id), children as ComponentChildren, comment(SLOT_END + id)] }
    : vnode.props;
  vnode.type = Fragment;
  vnode.props = {
    children: [comment(ISLAND_START + id), h(entry.component, innerProps), comment(ISLAND_END + id)],
  };
  return island;
}

function restore(vnode: InternalVNode, swap: Swap): void {
  vnode.type = swap.type;
  vnode.props = swap.props;
}

/** render-to-string writes a Fragment with `UNSTABLE_comment` as `<!--text-->`. */
function comment(text: string): VNode {
  return h(Fragment as ComponentType<{ UNSTABLE_comment: string }>, { UNSTABLE_comment: text }) as VNode;
}

function warnOnBadNesting(
  state: RenderState,
  island: RenderedIsland,
  vnode: InternalVNode,
  tag: string,
): void {
  const ancestors: string[] = [];
  for (let v = vnode.__; v; v = v.__) {
    if (typeof v.type === "string") ancestors.push(v.type);
  }
  const problem = nestingProblem(tag, ancestors);
  if (!problem) return;
  const key = `${island.id} ${problem}`;
  if (state.warned.has(key)) return;
  state.warned.add(key);
  console.warn(
    `Island ${island.name} is rendered with ${problem}. The browser's HTML parser restructures ` +
      "that, so the page's DOM will not match the server's HTML and the island will not hydrate. " +
      "Fix the nesting (for example, render the island outside the <p>, or use a <span>).",
  );
}

/** "Counter (islands/Counter.tsx)". */
export function islandName(entry: IslandEntry): string {
  const component = entry.component as { displayName?: string; name?: string };
  const stem = entry.file.replace(/^.*\//, "").replace(/\.[^.]*$/, "");
  const name = entry.exportName === "default" ? component.displayName || component.name || stem : entry.exportName;
  return `${name} (${entry.file})`;
}
