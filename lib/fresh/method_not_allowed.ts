import { HttpError } from "./http_error.ts";

/**
 * The router's 405: the method has no handler on a route that exists. `allow` lists the
 * methods that do, for the `Allow` header (RFC 9110 §15.5.6); Fresh answers the same way.
 */
export class MethodNotAllowedError extends HttpError {
  /** The route's methods, as the `Allow` header lists them. */
  readonly allow: readonly string[];

  constructor(allow: readonly string[], message?: string) {
    super(405, message);
    this.allow = allow;
  }
}
