/**
 * Reading the flat fields of a no-JavaScript form (what `parseBody` gives: a string, or a
 * list of strings for a repeated field) into the values the API's schemas expect. Pure.
 *
 * @example
 * ```ts
 * formString(["a", "b"]); // "a"
 * formNumber(" 5 "); // 5
 * formNumber("five"); // "five": the schema then names the field
 * ```
 */

/** The first string of a form field (repeated fields arrive as arrays). */
export function formString(value: unknown): string | undefined {
  if (Array.isArray(value)) return formString(value[0]);
  return typeof value === "string" ? value : undefined;
}

/** A number from a form field; an empty one is `undefined`, a non-number stays text so the schema names it. */
export function formNumber(value: unknown): number | string | undefined {
  const text = formString(value)?.trim();
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}
