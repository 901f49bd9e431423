/**
 * Page-test helpers: `html` asserts status then content type and returns the page;
 * `fieldError` reads the message `Field` (components/form.tsx) renders next to a field;
 * `gzipSize` measures what a page ships; `flashCookie`/`shownFlash` read a flash message
 * (app/flash.ts) across its redirect.
 *
 * @example
 * ```ts
 * const page = await html(await t.app.request("/habits/new", post(alice, {})), 400);
 * fieldError(page, "name"); // "Enter a name"
 * ```
 */
import { FLASH_COOKIE } from "@/app/flash.ts";
import { assertEquals } from "./assert.ts";

export async function html(res: Response, status: number): Promise<string> {
  const text = await res.text();
  assertEquals(res.status, status, text.slice(0, 500));
  assertEquals(res.headers.get("content-type"), "text/html; charset=utf-8");
  return text;
}

/** The message shown next to a field (`Field` renders `<p id="field-x-error">`). */
export function fieldError(page: string, field: string): string | undefined {
  return new RegExp(`id="field-${field}-error">([^<]*)<`).exec(page)?.[1];
}

/** Gzipped size of `bytes`, as a browser would download them compressed. */
export async function gzipSize(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

/** The `cg_flash=value` a response sets, or undefined. */
export function flashCookie(res: Response): string | undefined {
  for (const header of res.headers.getSetCookie()) {
    if (header.startsWith(`${FLASH_COOKIE}=`)) return header.split(";")[0];
  }
  return undefined;
}

/** The flash paragraph of a page, if any. */
export function shownFlash(page: string): string | undefined {
  return /<p class="flash flash-(?:success|error)" role="status">([^<]*)<\/p>/.exec(page)?.[1];
}
