/**
 * The one spelling of an e-mail address the app stores, looks accounts up by and
 * rate-limits under: trimmed and lower-cased. Log-in, sign-up, password reset and the
 * per-e-mail rate limits all go through it, so a limit keyed on an address is the
 * limit of the account that address reaches. Pure: no I/O, no imports.
 *
 * @example
 * ```ts
 * canonicalEmail("  Ann@Example.COM "); // "ann@example.com"
 * ```
 */
export function canonicalEmail(text: string): string {
  return text.trim().toLowerCase();
}
