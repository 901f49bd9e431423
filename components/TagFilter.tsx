/**
 * The dashboard's tag bar: plain links that filter the dashboard by one tag
 * (`/app?tag=health`) or group the day's habits by tag (`/app?group=tag`). No script: the
 * URL says the view, so it can be kept, shared and opened with JavaScript off.
 *
 * @example
 * ```tsx
 * <TagFilter tags={tagCounts(habits)} selected="health" grouped={false} />
 * ```
 */
import { type TagCount, tagKey } from "@/domain/tags.ts";

export interface TagFilterProps {
  /** Every tag of the user's active habits, with counts. */
  tags: readonly TagCount[];
  /** The tag the dashboard is filtered by, if any. */
  selected: string | null;
  /** True when the day's habits are grouped by tag. */
  grouped: boolean;
}

/** The dashboard URL for a view. */
export function dashboardHref(view: { tag?: string | null; grouped?: boolean }): string {
  const params = new URLSearchParams();
  if (view.tag) params.set("tag", view.tag);
  if (view.grouped) params.set("group", "tag");
  const query = params.toString();
  return query ? `/app?${query}` : "/app";
}

export function TagFilter({ tags, selected, grouped }: TagFilterProps) {
  if (tags.length === 0) return null;
  const current = selected === null ? null : tagKey(selected);
  return (
    <nav class="tag-filter" aria-label="Filter by tag">
      <ul>
        <li>
          <a href={dashboardHref({ grouped })} aria-current={current === null ? "page" : undefined}>All habits</a>
        </li>
        {tags.map((tag) => (
          <li key={tag.name}>
            <a
              href={dashboardHref({ tag: tag.name, grouped })}
              aria-current={current === tagKey(tag.name) ? "page" : undefined}
            >
              {tag.name} <span class="tag-count">({tag.count})</span>
            </a>
          </li>
        ))}
        <li class="tag-group-toggle">
          <a href={dashboardHref({ tag: selected, grouped: !grouped })}>
            {grouped ? "Don't group" : "Group by tag"}
          </a>
        </li>
      </ul>
    </nav>
  );
}
