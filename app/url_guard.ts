/**
 * The URL half of the storable-text rule (lib/storable_text.ts; lib/body.ts applies it
 * to bodies): before anything reads the database, a route parameter that no stored text
 * can equal (a NUL, say: `DELETE /api/tokens/%00`) is a 404, as any unknown id is, and a
 * query parameter that could not be stored is a 400 naming it. Without this, such a value
 * reached Postgres, which refused the statement: a 500.
 *
 * @example
 * ```ts
 * // routes/_middleware.ts, first in the chain
 * export const handler = define.middleware([urlGuard, authenticate, csrfGuard, rateLimit]);
 * ```
 */
import type { FreshContext } from "fresh";
import type { State } from "./state.ts";
import { unstorableReason } from "@/lib/storable_text.ts";
import { HttpError } from "fresh";
import { ValidationError } from "@/lib/validate.ts";

/** Root middleware: refuses unstorable route and query parameters (404 / 400). */
export function urlGuard(ctx: FreshContext<State>): Promise<Response> {
  for (const value of Object.values(ctx.params)) {
    if (unstorableReason(value)) throw new HttpError(404, `No page at ${ctx.url.pathname}`);
  }
  // No query string: nothing to check, and no URLSearchParams to build.
  if (ctx.url.search === "") return ctx.next();
  const fields: Record<string, string> = {};
  for (const [name, value] of ctx.url.searchParams) {
    const badName = unstorableReason(name);
    const reason = badName ?? unstorableReason(value);
    if (reason) {
      fields[badName ? "_" : name] ??= `The query parameter: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
    }
  }
  const count = Object.keys(fields).length;
  if (count > 0) {
    throw new ValidationError(
      fields,
      count === 1 ? "One query parameter needs attention" : `${count} query parameters need attention`,
    );
  }
  return ctx.next();
}
