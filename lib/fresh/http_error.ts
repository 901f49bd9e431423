/**
 * The one error type a route throws to answer with a status other than 500.
 *
 * @example
 * ```ts
 * throw new HttpError(404, "No habit with that id");
 * throw new HttpError(400, "Check the form", { details: { name: "Required" } });
 * ```
 */
export class HttpError extends Error {
  override name = "HttpError";
  /** Machine-readable code for the JSON envelope; defaults from the status. */
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  /** Extra response headers (`Allow` on 405, `Retry-After` on 429). */
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    message?: string,
    options: { code?: string; details?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } =
      {},
  ) {
    super(message ?? STATUS_TEXT[status] ?? "Error", { cause: options.cause });
    this.code = options.code ?? codeForStatus(status);
    this.details = options.details;
    this.headers = options.headers ?? {};
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

/** The API.md error code for a status (`internal` for anything unlisted ≥ 500). */
export function codeForStatus(status: number): string {
  return CODES[status] ?? (status >= 500 ? "internal" : "bad_request");
}

const STATUS_TEXT: Record<number, string> = {
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
