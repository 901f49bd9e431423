/**
 * The error a route throws to answer with a status other than 500, with Fresh 2's
 * signature: a status, an optional message and the standard `ErrorOptions` (`cause`).
 * It carries no API code, details or headers: the app's `ApiError` (`app/api_error.ts`)
 * adds those, and its error handler gives a bare one the status's default wording.
 *
 * @example
 * ```ts
 * throw new HttpError(404, "No habit with that id");
 * throw new HttpError(503, "Billing is off", { cause: error });
 * ```
 */
export class HttpError extends Error {
  /** The HTTP status code. */
  status: number;

  /**
   * @param status The HTTP status code.
   * @param message The error message; empty when not given, as in Fresh.
   * @param options The standard error options (`cause`).
   */
  constructor(status: number, message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = this.constructor.name;
    this.status = status;
  }
}
