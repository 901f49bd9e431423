/**
 * The API's error: Fresh's `HttpError` plus what API.md's envelope carries — a
 * machine-readable `code` (from the status unless given), the status's default wording
 * when no message is given, `details` (`fields`, `upgradeUrl`…) and extra response
 * headers (`Retry-After`, `Allow`, the rate-limit headers). Throw it where any of those
 * matter; a bare `HttpError` is fine otherwise, and a 400 that only names fields is a
 * `ValidationError` (`lib/validate.ts`, which infrastructure below `app/` can throw too).
 * `toApiError` (error_response.ts) turns anything thrown into one of these.
 *
 * @example
 * ```ts
 * throw new ApiError(402, "Your plan allows 3 habits", { details: { upgradeUrl: "/upgrade" } });
 * throw new ApiError(503, undefined, { headers: { "Retry-After": "5" }, cause: error });
 * ```
 */
import { HttpError } from "fresh";

/** What an {@linkcode ApiError} carries beyond Fresh's `ErrorOptions`. */
export interface ApiErrorOptions extends ErrorOptions {
  /** The envelope's `code`; {@linkcode codeForStatus} of the status when absent. */
  code?: string;
  /** The envelope's `details`. */
  details?: Record<string, unknown>;
  /** Extra response headers, on the JSON envelope and the HTML error page alike. */
  headers?: Record<string, string>;
}

/** An {@linkcode HttpError} with API.md's code, details and headers. */
export class ApiError extends HttpError {
  /** Machine-readable code for the JSON envelope. */
  readonly code: string;
  /** The envelope's `details`, when there are any. */
  readonly details: Record<string, unknown> | undefined;
  /** Extra response headers; mutable so a middleware can add its own on the way out. */
  readonly headers: Record<string, string>;

  constructor(status: number, message?: string, options: ApiErrorOptions = {}) {
    const { code, details, headers, ...errorOptions } = options;
    super(status, message || defaultMessage(status), "cause" in errorOptions ? errorOptions : undefined);
    this.code = code ?? codeForStatus(status);
    this.details = details;
    this.headers = headers ?? {};
  }
}

const CODES: Record<number, string> = {
  400: "validation_failed",
  401: "unauthorized",
  402: "plan_limit",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
  503: "unavailable",
};

/** The API.md error code for a status (`internal` for anything unlisted ≥ 500, else `bad_request`). */
export function codeForStatus(status: number): string {
  return CODES[status] ?? (status >= 500 ? "internal" : "bad_request");
}

const DEFAULT_MESSAGES: Record<number, string> = {
  400: "The request is not valid",
  401: "Sign in to continue",
  402: "Your plan's limit is reached",
  403: "This request is not allowed",
  404: "Nothing here",
  405: "This method is not allowed here",
  409: "This conflicts with the current state",
  413: "The request body is too large",
  415: "Send the body as application/json",
  429: "Too many requests: slow down",
  500: "Something went wrong on our side",
  503: "The service is unavailable right now: try again shortly",
};

/** The wording a person sees for a status when the thrower gave none. */
export function defaultMessage(status: number): string {
  return DEFAULT_MESSAGES[status] ?? "Error";
}
