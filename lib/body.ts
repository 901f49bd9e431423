/**
 * Reads a request body as JSON or as a form, so one handler serves the API (JSON) and
 * the no-JavaScript pages (form posts). This is the ONE body parser: the rate limiter
 * reads the log-in e-mail through it too, and gets the very same parse (it is
 * remembered per request), so it always keys on what the handler then authenticates.
 *
 * What it accepts, decided here for every route that reads a body this way:
 * - JSON: `application/json` and any `application/*+json` (RFC 6839 suffix, e.g.
 *   `application/merge-patch+json`), in any letter case, with no charset or `utf-8`
 *   (RFC 8259: JSON on the wire is UTF-8). The body must be one JSON object.
 * - Forms: `application/x-www-form-urlencoded` and `multipart/form-data`, any case.
 *   Repeated fields (checkboxes) become arrays; a field named `x[]` is always an array.
 * - No body and no Content-Type: `{}`. Anything else: 415.
 *
 * And for any body: every string must be storable ({@linkcode unstorableText}: no NUL,
 * no lone surrogate, nesting at most 16 deep), else a 400 naming each bad field, before
 * any handler sees it.
 *
 * @example
 * ```ts
 * const { data } = await readBody(ctx.req);
 * const input = parseInput(schema, data);
 * ```
 */
import { unstorableText } from "./storable_text.ts";
import { HttpError } from "fresh";
import { ValidationError } from "./validate.ts";

export interface Body {
  kind: "json" | "form";
  /** The fields; a null-prototype object, so `__proto__` and friends are plain keys. */
  data: Record<string, unknown>;
}

/** What a Content-Type names, by the rules above; undefined for anything else. */
export type BodyKind = "json" | "form" | "multipart";

/**
 * The body kind a Content-Type header value names (media types are case-insensitive;
 * parameters other than a UTF-8 `charset` make a JSON type unacceptable).
 *
 * @example
 * ```ts
 * bodyKindOf("Application/JSON; charset=UTF-8"); // "json"
 * bodyKindOf("application/vnd.api+json");        // "json"
 * bodyKindOf("application/json; charset=latin1"); // undefined
 * ```
 */
export function bodyKindOf(contentType: string | null): BodyKind | undefined {
  if (!contentType) return undefined;
  const [essence, ...params] = contentType.split(";").map((part) => part.trim().toLowerCase());
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(essence)) return undefined;
  if (essence === "application/x-www-form-urlencoded") return "form";
  if (essence === "multipart/form-data") return "multipart";
  if (essence === "application/json" || /^application\/[a-z0-9!#$&^_.-]+\+json$/.test(essence)) {
    const charset = params.find((param) => param.startsWith("charset="))?.slice("charset=".length).replace(/"/g, "");
    return charset === undefined || charset === "utf-8" || charset === "utf8" ? "json" : undefined;
  }
  return undefined;
}

/** The message of the 415 every body-reading route answers for a type it does not take. */
export const UNSUPPORTED_BODY = "Send the body as application/json (or as a form from the pages)";

const parsed = new WeakMap<Request, Promise<Body>>();

/**
 * Parses the body once per request: a second call (the handler after the rate limiter)
 * gets the same result, or the same error.
 */
export function readBody(req: Request): Promise<Body> {
  let body = parsed.get(req);
  if (!body) {
    body = parse(req);
    parsed.set(req, body);
  }
  return body;
}

async function parse(req: Request): Promise<Body> {
  const body = await parseUnchecked(req);
  const problems = unstorableText(body.data);
  if (Object.keys(problems).length > 0) throw new ValidationError(problems);
  return body;
}

async function parseUnchecked(req: Request): Promise<Body> {
  const contentType = req.headers.get("content-type");
  const kind = bodyKindOf(contentType);
  if (kind === "json") {
    const text = await readText(req);
    if (text.trim() === "") return { kind: "json", data: Object.create(null) };
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new HttpError(400, "The body is not valid JSON");
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      throw new HttpError(400, "The body must be a JSON object");
    }
    // JSON.parse makes `__proto__` an own key already; only the top level's prototype is swapped.
    return { kind: "json", data: Object.assign(Object.create(null), data) };
  }
  if (kind === "form" || kind === "multipart") {
    let form: FormData;
    try {
      form = await req.formData();
    } catch {
      throw new HttpError(400, "The form data could not be read");
    }
    const data: Record<string, unknown> = Object.create(null);
    for (const [rawKey, value] of form) {
      if (typeof value !== "string") continue; // no uploads on these routes
      const isList = rawKey.endsWith("[]");
      const key = isList ? rawKey.slice(0, -2) : rawKey;
      const current = data[key];
      if (current === undefined) data[key] = isList ? [value] : value;
      else if (Array.isArray(current)) current.push(value);
      else data[key] = [current, value];
    }
    return { kind: "form", data };
  }
  if (!contentType?.trim() && (req.headers.get("content-length") ?? "0") === "0" && !req.body) {
    return { kind: "json", data: Object.create(null) };
  }
  throw new HttpError(415, UNSUPPORTED_BODY);
}

/** The body as UTF-8 text; bytes that are not UTF-8 are a 400, not U+FFFD in the data. */
async function readText(req: Request): Promise<string> {
  const bytes = new Uint8Array(await req.arrayBuffer());
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new HttpError(400, "The body is not valid UTF-8");
  }
}
