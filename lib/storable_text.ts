/**
 * The one rule for text that comes in from outside: it must be storable as it is.
 * Two things are not, and both are refused rather than silently "fixed":
 *
 * - NUL (`\u0000`): Postgres `text` and `jsonb` cannot hold it; letting it through
 *   turns a typo into a 500.
 * - A lone UTF-16 surrogate (`"\ud800"` in JSON): it is no character at all. UTF-8
 *   cannot encode it, so it would be stored as U+FFFD by one path and refused by
 *   `jsonb` on another. Replacing it would store something the client never sent.
 *
 * Everything else (line breaks, emoji, any script) is the fields' own business: their
 * schemas decide. Pure: no I/O, no imports of ours.
 *
 * @example
 * ```ts
 * unstorableText({ title: "ok", notes: ["a\u0000b"] }); // { "notes.0": "Remove the NUL character (\\u0000) from this text" }
 * unstorableText({ title: "fine" }); // {}
 * ```
 */

/** How deep a body may nest (objects and arrays): our deepest shape is 3. */
export const MAX_BODY_DEPTH = 16;

const NUL_MESSAGE = "Remove the NUL character (\\u0000) from this text";
const SURROGATE_MESSAGE = "This text contains a broken character (a lone UTF-16 surrogate): remove it";
const DEPTH_MESSAGE = `The body nests deeper than ${MAX_BODY_DEPTH} levels: send flat fields`;

/** What is wrong with `text`, or undefined when it can be stored as it is. */
export function unstorableReason(text: string): string | undefined {
  if (text.includes("\u0000")) return NUL_MESSAGE;
  if (!text.isWellFormed()) return SURROGATE_MESSAGE;
  return undefined;
}

/**
 * Every string (values and keys, at any depth) of `value` that cannot be stored, by field
 * path (`"schedule.days.0"`; `"_"` for the value itself), plus a problem for nesting deeper
 * than {@linkcode MAX_BODY_DEPTH}. Empty when all is well. Walks iteratively, so a hostile
 * depth cannot overflow the stack.
 */
export function unstorableText(value: unknown): Record<string, string> {
  const problems: Record<string, string> = {};
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    const field = path.length ? path.join(".") : "_";
    if (typeof value === "string") {
      const reason = unstorableReason(value);
      if (reason) problems[field] ??= reason;
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    if (path.length >= MAX_BODY_DEPTH) {
      problems[field] ??= DEPTH_MESSAGE;
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      const reason = unstorableReason(key);
      // A bad key cannot name itself in a message: report it on its parent.
      if (reason) problems[field] ??= `A field name: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
      else stack.push({ value: child, path: [...path, key] });
    }
  }
  return problems;
}
