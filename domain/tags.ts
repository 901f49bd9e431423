/**
 * Habit tags: what a tag may be, how a list of them is cleaned, and how habits are
 * filtered and grouped by them. Pure. The limits are the one source for the API's
 * schema, the form's `maxLength` and the SQL check `habit_tags_are_valid`
 * (sql/013_notes_and_tags.sql), which tests/domain/tags_test.ts checks against them.
 *
 * Tags compare ignoring case ("Health" and "health" are one tag); a habit keeps the
 * spelling it was given.
 *
 * @example
 * ```ts
 * parseInput(tagsSchema, [" Health ", "morning"]); // ["Health", "morning"]
 * tagsFromText("health, morning"); // ["health", "morning"]
 * tagCounts([{ tags: ["Health"] }, { tags: ["health", "Work"] }]); // [{ name: "Health", count: 2 }, { name: "Work", count: 1 }]
 * ```
 */
import { z } from "zod";
import { TAG_LENGTH_MAX, TAGS_MAX } from "./limits.ts";
import { characters } from "./text_rules.ts";

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The key two tags are compared by. */
export function tagKey(tag: string): string {
  return tag.toLowerCase();
}

/** One tag: trimmed, 1–30 characters (as people count them), one line. */
export const tagSchema = z.string({ error: "Send each tag as text" })
  .trim()
  .refine((tag) => tag.length > 0, "A tag cannot be empty")
  .refine((tag) => characters(tag) <= TAG_LENGTH_MAX, `Keep each tag to ${TAG_LENGTH_MAX} characters or fewer`)
  .refine((tag) => !CONTROL.test(tag), "Remove line breaks and control characters from tags")
  .refine((tag) => !tag.includes(","), "A tag cannot contain a comma");

/** A habit's tags: at most {@linkcode TAGS_MAX}, unique ignoring case. */
export const tagsSchema = z.array(tagSchema, { error: "Send tags as a list of text" })
  .max(TAGS_MAX, `A habit can have ${TAGS_MAX} tags at most`)
  .refine((tags) => new Set(tags.map(tagKey)).size === tags.length, "Each tag once (tags ignore case)");

/**
 * The form's one text field ("health, morning") as a list; empty pieces dropped, case
 * duplicates dropped (the first spelling kept). Validate the result with {@linkcode tagsSchema}.
 */
export function tagsFromText(text: string): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const piece of text.split(",")) {
    const tag = piece.trim();
    if (tag && !seen.has(tagKey(tag))) {
      seen.add(tagKey(tag));
      tags.push(tag);
    }
  }
  return tags;
}

/** True when `habit` carries `tag` (ignoring case). */
export function hasTag(habit: { tags: readonly string[] }, tag: string): boolean {
  const key = tagKey(tag);
  return habit.tags.some((t) => tagKey(t) === key);
}

/** One tag and how many habits carry it. */
export interface TagCount {
  name: string;
  count: number;
}

/** Every tag of `habits` with its count, by name (ignoring case); a tag is spelled as its first habit spells it. */
export function tagCounts(habits: readonly { tags: readonly string[] }[]): TagCount[] {
  const counts = new Map<string, TagCount>();
  for (const habit of habits) {
    for (const tag of habit.tags) {
      const entry = counts.get(tagKey(tag));
      if (entry) entry.count++;
      else counts.set(tagKey(tag), { name: tag, count: 1 });
    }
  }
  return [...counts.values()].sort((a, b) => tagKey(a.name) < tagKey(b.name) ? -1 : 1);
}

/**
 * Habits grouped by their first tag (the one listed first on the habit), groups in tag
 * order ignoring case, then the untagged ones (`tag: null`); the habits' order is kept
 * within a group. A habit shows once, so a page can give its row an id.
 */
export function groupByTag<H extends { tags: readonly string[] }>(
  habits: readonly H[],
): { tag: string | null; habits: H[] }[] {
  const groups = new Map<string, { tag: string | null; habits: H[] }>();
  for (const habit of habits) {
    const first = habit.tags[0];
    const key = first === undefined ? "" : tagKey(first);
    const group = groups.get(key) ?? { tag: first ?? null, habits: [] };
    group.habits.push(habit);
    groups.set(key, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === "" ? 1 : b === "" ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([, group]) => group);
}
