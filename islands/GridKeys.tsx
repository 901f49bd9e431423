/**
 * Arrow keys for a habit's grid (the one whose days are links): where JavaScript runs,
 * the grid becomes one tab stop instead of ~366 (a roving tabindex), and the arrows move
 * between days: ↑/↓ the day before/after, ←/→ the week before/after, Home/End the first
 * and last day that links. Enter follows the link as always. Without JavaScript nothing
 * changes: every day stays a tab stop, with a skip link past them.
 *
 * The grid is this island's children (a slot), so its HTML stays the server's; the island
 * only listens on its wrapper and moves `tabindex` on the links. On load it focuses the
 * day the URL names (`#habit-grid-2026-11-28`, where a check-in comes back to), otherwise
 * today's day takes the tab stop.
 *
 * @example
 * ```tsx
 * <GridKeys gridId="habit-grid"><ConsistencyGrid id="habit-grid" dayHref={…} … /></GridKeys>
 * ```
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

export interface GridKeysProps {
  /** The grid's id: its day links are `#<gridId>-YYYY-MM-DD`. */
  gridId: string;
  children?: ComponentChildren;
}

const DAY_MS = 86_400_000;
/** Days each key moves by. */
const MOVES: Record<string, number> = { ArrowUp: -1, ArrowDown: 1, ArrowLeft: -7, ArrowRight: 7 };

export default function GridKeys({ gridId, children }: GridKeysProps) {
  const wrapper = useRef<HTMLDivElement>(null);

  function links(): HTMLAnchorElement[] {
    return [...(wrapper.current?.querySelectorAll<HTMLAnchorElement>(".cg-days > a") ?? [])];
  }

  function makeCurrent(link: HTMLAnchorElement) {
    for (const other of links()) other.tabIndex = other === link ? 0 : -1;
  }

  useEffect(() => {
    const all = links();
    if (all.length === 0) return;
    const target = location.hash.startsWith(`#${gridId}-`) ? document.getElementById(location.hash.slice(1)) : null;
    const current = target instanceof HTMLAnchorElement && all.includes(target)
      ? target
      : all.find((link) => link.classList.contains("today")) ?? all[all.length - 1];
    makeCurrent(current);
    if (current === target) current.focus({ preventScroll: false });
  }, []);

  function onKeyDown(event: KeyboardEvent) {
    const from = event.target;
    if (!(from instanceof HTMLAnchorElement) || !from.id.startsWith(`${gridId}-`)) return;
    const all = links();
    let to: HTMLElement | null = null;
    if (event.key === "Home") to = all[0];
    else if (event.key === "End") to = all[all.length - 1];
    else if (event.key in MOVES) {
      const date = new Date(`${from.id.slice(-10)}T00:00:00Z`);
      const next = new Date(date.getTime() + MOVES[event.key] * DAY_MS).toISOString().slice(0, 10);
      to = document.getElementById(`${gridId}-${next}`);
    } else return;
    // An arrow never scrolls the page here, even at the grid's edge (a day after today, before the window).
    event.preventDefault();
    if (!(to instanceof HTMLAnchorElement)) return;
    makeCurrent(to);
    to.focus();
  }

  function onFocusIn(event: FocusEvent) {
    // A click or a tap on a day makes it the grid's tab stop too.
    if (event.target instanceof HTMLAnchorElement && event.target.id.startsWith(`${gridId}-`)) {
      makeCurrent(event.target);
    }
  }

  return (
    <div class="cg-keys" ref={wrapper} onKeyDown={onKeyDown} onFocusIn={onFocusIn}>
      {children}
    </div>
  );
}
