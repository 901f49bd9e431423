/**
 * An outbound HTTP request that a user's URL cannot turn against us (server-side
 * request forgery): the fetch behind webhooks.
 *
 * Each hop (the URL, then every redirect) goes through the same steps:
 * 1. the URL's own rules (lib/net/url_policy.ts: scheme, port, credentials, local names);
 * 2. DNS, once: every A and AAAA answer must pass the address rules
 *    (lib/net/address_policy.ts), or the hop is refused naming the reason;
 * 3. the connection goes to one of exactly those checked addresses. This is what defeats
 *    DNS rebinding (a name that answers with a public address for the check and a private
 *    one a moment later for the connect): nothing resolves the name a second time.
 *
 * How the address is pinned. Deno's `fetch` resolves names itself, and
 * `Deno.createHttpClient`'s `proxy: { transport: "tcp", hostname, port }` pins the socket
 * but then speaks plain HTTP even to an `https:` URL (tried on Deno 2.9: the TLS server
 * sees cleartext), so it cannot carry webhooks. `node:http`/`node:https` take a `lookup`
 * function instead of DNS, and Deno's implementation honours it: we hand it the checked
 * addresses, while the URL's host name still drives TLS (SNI, certificate check) and the
 * `Host` header. `fetch` would also obey `HTTP(S)_PROXY` from the environment, which hands
 * the name to a proxy to resolve; `node:http` uses no proxy. Each request has its own
 * connection (`agent: false`), so no pooled socket outlives its check.
 *
 * Limits: redirects are followed by hand, each hop checked again, at most
 * {@linkcode DEFAULT_MAX_REDIRECTS}; `https:` never redirects to `http:`; one deadline
 * ({@linkcode DEFAULT_TIMEOUT_MS}) covers DNS, connect, every hop and the body; the body
 * is read up to {@linkcode DEFAULT_MAX_RESPONSE_BYTES} and the rest dropped (`truncated`).
 *
 * What remains (see docs/webhooks.md, "What the app will not connect to"): a public
 * address may itself forward to a private network (an open proxy on the internet); the
 * checks cannot see past it. And the pinning relies on `node:http`'s `lookup` option,
 * which tests/lib/net/safe_fetch_test.ts holds Deno to (a name our resolver alone knows
 * must reach the address it gave).
 *
 * @example
 * ```ts
 * const response = await safeFetch("https://hooks.example.com/cg", {
 *   method: "POST",
 *   headers: { "content-type": "application/json", "x-cg-signature": signature },
 *   body,
 *   allowLoopback: config.acceptLoopbackOrigins, // APP_ORIGIN unset: development
 * });
 * response.status; // 204
 * ```
 *
 * @module
 */
import http from "node:http";
import https from "node:https";
import type { LookupAddress, LookupOptions } from "node:dns";
import { rootCertificates } from "node:tls";
import { addressRefusal, isLoopbackAddress } from "./address_policy.ts";
import { checkOutboundUrl, type OutboundPolicyOptions, type OutboundRefusalCode } from "./url_policy.ts";

/** Redirects followed at most, by default. */
export const DEFAULT_MAX_REDIRECTS = 3;
/** The whole exchange (DNS, connect, every hop, the body) ends after this, by default. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Response body bytes kept, by default; the rest is not read. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
/** Addresses of one name that are checked and may be connected to; more is not a web server. */
const MAX_ADDRESSES = 32;

/**
 * Resolves a host name to its IP addresses (A and AAAA). Throwing means the lookup
 * failed; an empty list means the name has no address.
 */
export type Resolver = (hostname: string, signal: AbortSignal) => Promise<string[]>;

/** Options of {@linkcode safeFetch}. */
export interface SafeFetchOptions extends OutboundPolicyOptions {
  /** Default `GET`. */
  method?: string;
  /** A `Host` header is ignored: the URL's host is the one sent. */
  headers?: HeadersInit;
  body?: string | Uint8Array;
  /** `follow` (default): up to `maxRedirects`, each hop checked. `manual`: return the 3xx. */
  redirect?: "follow" | "manual";
  /** Default {@linkcode DEFAULT_MAX_REDIRECTS}. */
  maxRedirects?: number;
  /** Default {@linkcode DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Default {@linkcode DEFAULT_MAX_RESPONSE_BYTES}. */
  maxResponseBytes?: number;
  /** Request headers not carried to another origin on a redirect (besides Authorization and Cookie). */
  dropOnCrossOrigin?: readonly string[];
  signal?: AbortSignal;
  /** DNS; default {@linkcode resolveWithDns}. Tests give their own. */
  resolve?: Resolver;
  /** Extra trusted root certificates (PEM), added to the usual ones: for tests with a local TLS receiver. */
  caCerts?: readonly string[];
}

/** What came back. */
export interface SafeResponse {
  /** The URL that answered (after redirects). */
  url: string;
  status: number;
  statusText: string;
  headers: Headers;
  /** The body, up to `maxResponseBytes`. */
  body: Uint8Array;
  /** The body was longer than `maxResponseBytes`: the rest was not read. */
  truncated: boolean;
  /** The address that was connected to. */
  address: string;
  /** Redirects followed. */
  redirects: number;
}

/** Why a safe fetch failed: a refusal of ours, or the network's failure. */
export type SafeFetchErrorCode =
  | OutboundRefusalCode
  | "dns"
  | "connect"
  | "timeout"
  | "aborted"
  | "too_many_redirects"
  | "redirect_downgrade"
  | "bad_redirect";

/**
 * A request that was refused or failed, with a sentence for the user (`message`) and a
 * code for programs. `refused` is true when our rules said no (a 4xx when a user gave
 * the URL), false when the network failed (a delivery to retry later).
 */
export class SafeFetchError extends Error {
  override name = "SafeFetchError";
  /** What went wrong, for programs. */
  readonly code: SafeFetchErrorCode;
  /** Our rules refused the URL (as opposed to the network failing). */
  readonly refused: boolean;
  /** The URL of the hop that failed. */
  readonly url: string;
  /** The refused address, when an address was the reason. */
  readonly address?: string;

  constructor(
    code: SafeFetchErrorCode,
    message: string,
    url: string,
    options: { address?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.url = url;
    this.address = options.address;
    this.refused = !NETWORK_FAILURES.has(code);
  }
}

const NETWORK_FAILURES = new Set<SafeFetchErrorCode>(["dns", "connect", "timeout", "aborted"]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A URL that passed every check, with the addresses it may be reached at. */
export interface ResolvedTarget {
  url: URL;
  hostname: string;
  port: number;
  /** The checked addresses; the connection goes to one of these and nowhere else. */
  addresses: string[];
}

/**
 * The URL's rules, then its name's addresses: what a request to `input` would connect
 * to, or a {@linkcode SafeFetchError}. For checking a URL when a user registers it; every
 * request checks again (DNS answers change).
 *
 * @example
 * ```ts
 * try {
 *   await resolveTarget(body.url, { allowLoopback: config.acceptLoopbackOrigins });
 * } catch (error) {
 *   if (error instanceof SafeFetchError) return badRequest({ url: error.message });
 *   throw error;
 * }
 * ```
 */
export async function resolveTarget(
  input: string | URL,
  options: OutboundPolicyOptions & { resolve?: Resolver; signal?: AbortSignal } = {},
): Promise<ResolvedTarget> {
  const checked = checkOutboundUrl(input, options);
  const text = String(input);
  if (!checked.ok) {
    throw new SafeFetchError(checked.refusal.code, checked.refusal.message, text, { address: checked.refusal.address });
  }
  const { url, hostname, port, address, loopbackPortOnly } = checked.target;
  if (address !== undefined) return { url, hostname, port, addresses: [address] };

  const signal = options.signal ?? AbortSignal.timeout(DEFAULT_TIMEOUT_MS);
  let answers: string[];
  try {
    answers = await (options.resolve ?? resolveWithDns)(hostname, signal);
  } catch (error) {
    if (signal.aborted) throw abortError(signal, text);
    throw new SafeFetchError("dns", `${hostname} could not be looked up in DNS`, text, { cause: error });
  }
  const addresses = [...new Set(answers)].slice(0, MAX_ADDRESSES);
  if (addresses.length === 0) throw new SafeFetchError("dns", `${hostname} has no IP address in DNS`, text);
  // Every answer, not just the first: which one a connection uses is not ours to choose,
  // and a name that mixes public and private answers is an attack, not a web server.
  for (const candidate of addresses) {
    const refusal = addressRefusal(candidate, options);
    if (refusal) {
      throw new SafeFetchError(
        refusal.kind,
        `${hostname} resolves to ${refusal.reason}: only public addresses can be used`,
        text,
        { address: candidate },
      );
    }
  }
  if (loopbackPortOnly && !addresses.every(isLoopbackAddress)) {
    throw new SafeFetchError(
      "port",
      `Port ${port} cannot be used: use the standard port (443 for https://, 80 for http://), ` +
        `for example behind a reverse proxy`,
      text,
    );
  }
  return { url, hostname, port, addresses };
}

/**
 * Sends one request under the rules of this module (see its header) and reads the
 * response, following redirects by hand. Throws {@linkcode SafeFetchError} for a refused
 * URL or a failed exchange; any HTTP status is a response, not an error.
 */
export async function safeFetch(input: string | URL, options: SafeFetchOptions = {}): Promise<SafeResponse> {
  const deadline = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const dropOnCrossOrigin = ["authorization", "cookie", ...(options.dropOnCrossOrigin ?? [])];
  let method = (options.method ?? "GET").toUpperCase();
  let body = options.body;
  const headers = new Headers(options.headers);
  headers.delete("host");
  let url = String(input);
  for (let redirects = 0;; redirects++) {
    const target = await resolveTarget(url, { ...options, signal });
    const response = await request(target, { method, headers, body, signal, options, redirects });
    const location = response.headers.get("location");
    if (options.redirect === "manual" || !REDIRECTS.has(response.status) || location === null) return response;
    if (redirects >= maxRedirects) {
      throw new SafeFetchError("too_many_redirects", `More than ${maxRedirects} redirects`, url);
    }
    let next: URL;
    try {
      next = new URL(location, target.url);
    } catch {
      throw new SafeFetchError("bad_redirect", "The server redirected to something that is not a URL", url);
    }
    if (target.url.protocol === "https:" && next.protocol === "http:") {
      throw new SafeFetchError("redirect_downgrade", "The server redirected from https:// to plain http://", url);
    }
    // As fetch does: 303 (and 301/302 after a POST) continue as a GET without the body.
    if ((response.status === 303 && method !== "HEAD") || (response.status <= 302 && method === "POST")) {
      method = "GET";
      body = undefined;
      headers.delete("content-type");
    }
    if (next.origin !== target.url.origin) { for (const name of dropOnCrossOrigin) headers.delete(name); }
    url = next.href;
  }
}

/** One exchange with one checked target. */
function request(
  target: ResolvedTarget,
  hop: {
    method: string;
    headers: Headers;
    body: string | Uint8Array | undefined;
    signal: AbortSignal;
    options: SafeFetchOptions;
    redirects: number;
  },
): Promise<SafeResponse> {
  const { url, hostname, port, addresses } = target;
  const maxBytes = hop.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const payload = typeof hop.body === "string" ? new TextEncoder().encode(hop.body) : hop.body;
  const headers: Record<string, string> = { "user-agent": "ConsistencyGrid", connection: "close" };
  for (const [name, value] of hop.headers) headers[name] = value;
  if (payload !== undefined) headers["content-length"] = String(payload.byteLength);
  const isIp = addresses.length === 1 && addresses[0] === hostname;
  const transport = url.protocol === "https:" ? https : http;

  return new Promise<SafeResponse>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: SafeResponse | SafeFetchError) => {
      if (settled) return;
      settled = true;
      hop.signal.removeEventListener("abort", onAbort);
      if (outcome instanceof SafeFetchError) reject(outcome);
      else resolve(outcome);
    };
    const fail = (code: SafeFetchErrorCode, message: string, cause?: unknown) =>
      finish(new SafeFetchError(code, message, url.href, { cause }));
    const onAbort = () => {
      const error = abortError(hop.signal, url.href);
      req.destroy(error);
      finish(error);
    };

    const req = transport.request({
      protocol: url.protocol,
      hostname,
      port,
      path: `${url.pathname}${url.search}`,
      method: hop.method,
      headers,
      agent: false,
      lookup: pinnedLookup(addresses),
      // An IP address is not a TLS server name.
      servername: isIp ? undefined : hostname,
      ca: hop.options.caCerts ? [...rootCertificates, ...hop.options.caCerts] : undefined,
    }, (res) => {
      const chunks: Uint8Array[] = [];
      let size = 0;
      let truncated = false;
      const done = () =>
        finish({
          url: url.href,
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? "",
          headers: responseHeaders(res.rawHeaders),
          body: concat(chunks, size),
          truncated,
          address: res.socket?.remoteAddress ?? addresses[0],
          redirects: hop.redirects,
        });
      res.on("data", (chunk: Uint8Array) => {
        if (settled) return;
        const room = maxBytes - size;
        if (chunk.byteLength > room) {
          chunks.push(chunk.subarray(0, room));
          size += room;
          truncated = true;
          done();
          req.destroy();
          return;
        }
        chunks.push(chunk);
        size += chunk.byteLength;
      });
      res.on("end", done);
      res.on("error", (error) => fail("connect", `The response from ${hostname} broke off`, error));
      res.on("close", () => fail("connect", `The response from ${hostname} broke off`));
    });
    req.on("error", (error) => fail("connect", connectMessage(hostname, error), error));
    // Deno's node:http can close a refused connection without an "error" event.
    req.on("close", () => fail("connect", `The connection to ${hostname} closed before an answer`));
    if (hop.signal.aborted) return onAbort();
    hop.signal.addEventListener("abort", onAbort, { once: true });
    req.end(payload);
  });
}

/**
 * A `lookup` for node:net that answers with the checked addresses only (never DNS).
 * `all: true` gets them all, so the connection may try each (happy eyeballs).
 */
function pinnedLookup(addresses: readonly string[]) {
  return (
    _hostname: string,
    options: LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
    const entries = addresses
      .map((address) => ({ address, family: address.includes(":") ? 6 : 4 }))
      .filter((entry) => wanted === undefined || entry.family === wanted);
    if (entries.length === 0) {
      callback(Object.assign(new Error("No checked address of that family"), { code: "ENOTFOUND" }), "");
    } else if (options.all) callback(null, entries);
    else callback(null, entries[0].address, entries[0].family);
  };
}

/**
 * The system resolver's A and AAAA answers (`Deno.resolveDns`). A type with no record
 * is fine; both failing otherwise is a lookup failure.
 */
export async function resolveWithDns(hostname: string, signal: AbortSignal): Promise<string[]> {
  const [a, aaaa] = await Promise.allSettled([
    Deno.resolveDns(hostname, "A", { signal }),
    Deno.resolveDns(hostname, "AAAA", { signal }),
  ]);
  const noRecords = (result: PromiseSettledResult<string[]>) =>
    result.status === "rejected" && result.reason instanceof Deno.errors.NotFound;
  if (a.status === "rejected" && aaaa.status === "rejected" && !(noRecords(a) && noRecords(aaaa))) {
    throw a.reason instanceof Deno.errors.NotFound ? aaaa.reason : a.reason;
  }
  return [...(a.status === "fulfilled" ? a.value : []), ...(aaaa.status === "fulfilled" ? aaaa.value : [])];
}

function abortError(signal: AbortSignal, url: string): SafeFetchError {
  const timedOut = signal.reason instanceof DOMException && signal.reason.name === "TimeoutError";
  return timedOut
    ? new SafeFetchError("timeout", "The server took too long to answer", url)
    : new SafeFetchError("aborted", "The request was cancelled", url, { cause: signal.reason });
}

function connectMessage(hostname: string, error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (code === "ECONNREFUSED") return `${hostname} refused the connection`;
  if (typeof code === "string" && code.startsWith("ERR_TLS") || /certificate/i.test(String(error))) {
    return `The TLS certificate of ${hostname} could not be verified`;
  }
  return `Could not connect to ${hostname}`;
}

function responseHeaders(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i], raw[i + 1]);
    } catch {
      // A header value Headers refuses (a stray control character): not ours to repair.
    }
  }
  return headers;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
