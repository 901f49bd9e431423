/**
 * Flash messages: the one-line confirmation ("Habit “Read” created.") a form action leaves
 * for the page its redirect leads to. No JavaScript needed: a short-lived cookie carries
 * it across the redirect, the next rendered page shows it (`role="status"`, escaped like
 * any text, in `routes/_layout.tsx`) and clears it in the same response.
 *
 * Why it is safe:
 * - The cookie is `HttpOnly; SameSite=Lax; Path=/` (and `Secure` over https), lives 60 s, and is signed with an
 *   HMAC keyed by the session's hash (the server-side secret of this browser's
 *   session): another session, another user on the same browser, or a cookie planted by
 *   someone else shows nothing.
 * - It is read per request and only the HTML of that response carries it (with
 *   `Cache-Control: no-store`); cached data (the dashboard's, in KV) never holds it.
 * - A redirect (or a JSON answer) passes it on untouched, so it survives a chain of
 *   redirects; any rendered page (an error page too) shows and clears it: it is shown once.
 *
 * Use from a form route (the middleware `flashMessages` in routes/_middleware.ts does the
 * cookie work):
 *
 * @example
 * ```ts
 * // in a POST handler, after the change succeeded:
 * setFlash(ctx, `Habit “${habit.name}” created.`);
 * return ctx.redirect("/app", 303);
 *
 * // a response that starts a new session (sign-up, log-in) names it, since
 * // ctx.state.auth still describes the old one:
 * setFlash(ctx, "Welcome!", { sessionHash: await sha256Hex(newSecret) });
 * ```
 */
import type { FreshContext } from "fresh";
import type { Flash, State } from "./state.ts";

export type { Flash };

/** The cookie's name; not `__Host-` prefixed because it must also work over plain http in development. */
export const FLASH_COOKIE = "cg_flash";
/** Seconds the cookie lives: long enough for a redirect, short enough not to turn up much later. */
export const FLASH_MAX_AGE_S = 60;
/** Longest message kept (characters); longer ones are cut with an ellipsis, so the cookie stays small. */
export const FLASH_MAX_CHARS = 300;

/** Options of {@linkcode setFlash}. */
export interface SetFlashOptions {
  kind?: Flash["kind"];
  /** The session the message is for, when it is not the request's own (a response that signs in). */
  sessionHash?: string;
}

/**
 * Leaves `text` for the next page this browser renders. Without a browser session (an
 * API token, nobody signed in) there is nobody to show it to, and it is dropped.
 */
export function setFlash(ctx: FreshContext<State>, text: string, options: SetFlashOptions = {}): void {
  if (SAFE_METHODS.has(ctx.req.method)) {
    throw new Error(`setFlash is for the POST that redirects, not a ${ctx.req.method} (flashMessages skips those)`);
  }
  ctx.state.flashOut = {
    flash: { text: clip(text), kind: options.kind ?? "success" },
    sessionHash: options.sessionHash,
  };
}

/**
 * The middleware: reads this request's flash into `ctx.state.flash` (for the layout),
 * then writes the one a handler set, or clears the one a rendered page showed.
 */
export function flashMessages(ctx: FreshContext<State>): Promise<Response> {
  // A flash is left by a form's POST (setFlash refuses a safe method): a GET without the
  // cookie has nothing to read, clear or write, so it passes on without an async frame
  // (the common case: API reads, probes, pages with no message waiting).
  if (SAFE_METHODS.has(ctx.req.method) && !hasFlashCookie(ctx.req.headers.get("cookie"))) return ctx.next();
  return flashAround(ctx);
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function hasFlashCookie(header: string | null): boolean {
  return header !== null && header.includes(`${FLASH_COOKIE}=`);
}

async function flashAround(ctx: FreshContext<State>): Promise<Response> {
  const sessionHash = ctx.state.auth?.kind === "session" ? ctx.state.auth.sessionHash : undefined;
  const incoming = readCookie(ctx.req.headers.get("cookie"), FLASH_COOKIE);
  if (incoming && sessionHash) ctx.state.flash = await verifyFlash(incoming, sessionHash);
  let response: Response;
  try {
    response = await ctx.next();
  } catch (error) {
    // The error page renders after this middleware is gone and could not clear the
    // cookie: keep the message for the next page instead of showing it twice.
    ctx.state.flash = undefined;
    throw error;
  }
  const out = ctx.state.flashOut;
  const key = out?.sessionHash ?? sessionHash;
  const secure = ctx.state.services.config.appOrigin.startsWith("https:");
  if (out && key) return withHeaders(response, [["Set-Cookie", cookie(await signFlash(out.flash, key), secure)]]);
  // Only a page shows it: a redirect passes it on, a JSON answer (an island's fetch) leaves it.
  const rendered = response.headers.get("content-type")?.startsWith("text/html") ?? false;
  if (incoming && rendered) {
    const headers: [string, string][] = [["Set-Cookie", cookie("", secure, 0)]];
    if (ctx.state.flash) headers.push(["Cache-Control", "no-store"]);
    return withHeaders(response, headers);
  }
  return response;
}

/** The signed cookie value of `flash` for the session whose hash is `sessionHash`. */
export async function signFlash(flash: Flash, sessionHash: string): Promise<string> {
  const payload = toBase64Url(encoder.encode(JSON.stringify({ t: flash.text, k: flash.kind })));
  return `${payload}.${toBase64Url(await hmac(sessionHash, payload))}`;
}

/** The flash in a cookie value, when it is well formed and signed for this session; otherwise undefined. */
export async function verifyFlash(value: string, sessionHash: string): Promise<Flash | undefined> {
  const [payload, signature, extra] = value.split(".");
  if (!payload || !signature || extra !== undefined || value.length > 2_000) return undefined;
  const expected = toBase64Url(await hmac(sessionHash, payload));
  if (!timingSafeEqual(expected, signature)) return undefined;
  try {
    const { t, k } = JSON.parse(new TextDecoder().decode(fromBase64Url(payload)));
    if (typeof t !== "string" || (k !== "success" && k !== "error")) return undefined;
    return { text: clip(t), kind: k };
  } catch {
    return undefined;
  }
}

const encoder = new TextEncoder();

function clip(text: string): string {
  const chars = [...text];
  return chars.length <= FLASH_MAX_CHARS ? text : `${chars.slice(0, FLASH_MAX_CHARS - 1).join("")}…`;
}

function cookie(value: string, secure: boolean, maxAge = FLASH_MAX_AGE_S): string {
  return `${FLASH_COOKIE}=${value}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

async function hmac(key: string, data: string): Promise<Uint8Array> {
  const imported = await crypto.subtle.importKey(
    "raw",
    encoder.encode(`flash:${key}`),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", imported, encoder.encode(data)));
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=") || undefined;
  }
  return undefined;
}

/** `response` with `headers` appended (copied first when its headers are immutable). */
function withHeaders(response: Response, headers: [string, string][]): Response {
  try {
    for (const [name, value] of headers) {
      if (name === "Set-Cookie") response.headers.append(name, value);
      else response.headers.set(name, value);
    }
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [name, value] of headers) {
      if (name === "Set-Cookie") copy.headers.append(name, value);
      else copy.headers.set(name, value);
    }
    return copy;
  }
}
