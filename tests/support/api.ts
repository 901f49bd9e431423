/**
 * JSON API calls for route tests: `call` sends a request (JSON body when given), `json`
 * asserts status then content type and returns the parsed body.
 *
 * @example
 * ```ts
 * const { habit } = await json(await call(t.app, alice.bearer, "POST", "/api/habits", { name: "Read" }), 201);
 * ```
 */
import { assertEquals } from "./assert.ts";
import type { startTestApp } from "./app.ts";

export type App = Awaited<ReturnType<typeof startTestApp>>["app"];

export function call(app: App, auth: Record<string, string>, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { ...auth };
  if (body !== undefined) headers["content-type"] = "application/json";
  return app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

// deno-lint-ignore no-explicit-any
export async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  assertEquals(res.status, status, text);
  assertEquals(res.headers.get("content-type"), "application/json");
  return JSON.parse(text);
}
