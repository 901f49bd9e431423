/**
 * Reads a request body as JSON or as a form, so one handler serves the API (JSON) and
 * the no-JavaScript pages (form posts). Anything else is a 415.
 *
 * @example
 * ```ts
 * const { data } = await readBody(ctx.req);
 * const input = parseInput(schema, data);
 * ```
 */
import { HttpError } from "./fresh/http_error.ts";

export interface Body {
  kind: "json" | "form";
  data: Record<string, unknown>;
}

/**
 * Parses the body. Form fields that repeat (checkboxes) become arrays; a field named
 * `x[]` is always an array. Empty bodies are `{}`.
 */
export async function readBody(req: Request): Promise<Body> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type === "application/json" || type.endsWith("+json")) {
    const text = await req.text();
    if (text.trim() === "") return { kind: "json", data: {} };
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new HttpError(400, "The body is not valid JSON");
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      throw new HttpError(400, "The body must be a JSON object");
    }
    return { kind: "json", data: data as Record<string, unknown> };
  }
  if (type === "application/x-www-form-urlencoded" || type === "multipart/form-data") {
    let form: FormData;
    try {
      form = await req.formData();
    } catch {
      throw new HttpError(400, "The form data could not be read");
    }
    const data: Record<string, unknown> = {};
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
  if (type === "" && (req.headers.get("content-length") ?? "0") === "0" && !req.body) {
    return { kind: "json", data: {} };
  }
  throw new HttpError(415, "Send the body as application/json (or as a form from the pages)");
}
