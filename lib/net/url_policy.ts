/**
 * Which URLs the app may send a request to on a user's behalf (a webhook), judged
 * before any DNS lookup: what the URL itself says. The addresses a name resolves to are
 * judged afterwards, by lib/net/address_policy.ts (lib/net/safe_fetch.ts does both).
 *
 * - `http:` or `https:` only, at most {@linkcode MAX_URL_LENGTH} characters, no
 *   `user:password@` (the signature authenticates a delivery; credentials in a URL end
 *   up in logs and on screens).
 * - Ports 80 and 443 only, by default. Other ports on a public host invite cross-protocol
 *   requests to services that were never meant to hear HTTP (SMTP on 25, Redis on 6379,
 *   memcached on 11211) and turn us into a port scanner; a receiver that runs elsewhere
 *   sits behind a proxy on 443 anyway. In development (loopback allowed) a loopback
 *   receiver may use any port, since local test servers do.
 * - Host names that are local by definition are refused without asking DNS, with a
 *   clearer reason than the address would give: `localhost` and `*.localhost`,
 *   single-label names (`http://metadata/` resolves through local search domains),
 *   `.local` (mDNS), `.internal`, `.home.arpa`, `.localdomain`, and the metadata service
 *   names (`metadata.google.internal`, `metadata.goog`). A trailing dot changes nothing.
 * - An IP address as host is judged here, by the address policy.
 *
 * Pure: no I/O. `new URL` has already normalised the host (lower case, punycode,
 * `http://2130706433/` → `127.0.0.1`), which is why the checks read `url.hostname`.
 *
 * @example
 * ```ts
 * const checked = checkOutboundUrl("https://hooks.example.com/cg", {});
 * if (!checked.ok) console.log(checked.refusal.message);
 * checkOutboundUrl("http://localhost:8080/", {}); // refused: "localhost is this server…"
 * ```
 *
 * @module
 */
import { type AddressKind, addressRefusal, isLoopbackAddress, parseAddress } from "./address_policy.ts";

/** Longest URL accepted. */
export const MAX_URL_LENGTH = 2048;
/** Ports allowed by default: the standard ones. */
export const DEFAULT_ALLOWED_PORTS: readonly number[] = [80, 443];

/** Options of {@linkcode checkOutboundUrl} (and of safe fetches). */
export interface OutboundPolicyOptions {
  /**
   * Development only: loopback hosts and addresses (any port) are allowed, nothing else
   * local. Set it when the app itself runs on localhost (`APP_ORIGIN` unset).
   */
  allowLoopback?: boolean;
  /** Ports allowed on non-loopback hosts. Default {@linkcode DEFAULT_ALLOWED_PORTS}. */
  allowedPorts?: readonly number[];
}

/** What kind of refusal: what about the URL, or which class of address. */
export type OutboundRefusalCode =
  | "invalid_url"
  | "scheme"
  | "credentials"
  | "port"
  | "local_name"
  | AddressKind;

/** A refusal and the sentence that explains it. */
export interface OutboundRefusal {
  code: OutboundRefusalCode;
  message: string;
  /** The refused address, when an address was the reason (for logs; messages may omit it). */
  address?: string;
}

/** A URL that passed: where to connect, and what is still to check after DNS. */
export interface OutboundTarget {
  url: URL;
  /** The host as DNS knows it: lower case, no brackets, no trailing dot. */
  hostname: string;
  /** The port to connect to (the scheme's default when the URL names none). */
  port: number;
  /** The host is an IP address (already checked): no DNS lookup. */
  address?: string;
  /**
   * The port is not one of the allowed ones, which is fine only for a loopback receiver in
   * development: every address the name resolves to must then be loopback.
   */
  loopbackPortOnly: boolean;
}

/** The outcome of {@linkcode checkOutboundUrl}. */
export type OutboundUrlCheck = { ok: true; target: OutboundTarget } | { ok: false; refusal: OutboundRefusal };

const LOCAL_SUFFIXES = [".localhost", ".local", ".internal", ".home.arpa", ".localdomain"];
const METADATA_NAMES = new Set(["metadata.google.internal", "metadata.goog"]);

/**
 * Checks what `input` says about where it leads. A passing URL still needs its name's
 * addresses checked (see {@linkcode OutboundTarget}).
 *
 * @example
 * ```ts
 * checkOutboundUrl("ftp://example.com/", {}); // { ok: false, refusal: { code: "scheme", … } }
 * ```
 */
export function checkOutboundUrl(input: string | URL, options: OutboundPolicyOptions = {}): OutboundUrlCheck {
  const text = String(input);
  const refuse = (code: OutboundRefusalCode, message: string, address?: string): OutboundUrlCheck => ({
    ok: false,
    refusal: address === undefined ? { code, message } : { code, message, address },
  });
  if (text.length > MAX_URL_LENGTH) {
    return refuse("invalid_url", `The URL is longer than ${MAX_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse("invalid_url", "This is not a URL: give a full address such as https://example.com/hooks");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return refuse("scheme", `Only http:// and https:// URLs can be used, not ${url.protocol}//`);
  }
  if (url.username || url.password) {
    return refuse("credentials", "The URL must not contain a user name or password: the signature identifies us");
  }
  const hostname = hostnameOf(url);
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  const portAllowed = (options.allowedPorts ?? DEFAULT_ALLOWED_PORTS).includes(port);
  const portRefusal = () =>
    refuse(
      "port",
      `Port ${port} cannot be used: use the standard port (443 for https://, 80 for http://), ` +
        `for example behind a reverse proxy`,
    );

  if (parseAddress(hostname)) {
    const refusal = addressRefusal(hostname, options);
    if (refusal) {
      return refuse(refusal.kind, `${hostname} is ${refusal.reason}: only public addresses can be used`, hostname);
    }
    const loopback = isLoopbackAddress(hostname);
    if (!portAllowed && !loopback) return portRefusal();
    return { ok: true, target: { url, hostname, port, address: hostname, loopbackPortOnly: false } };
  }

  const localName = localNameReason(hostname);
  if (localName === "loopback") {
    if (!options.allowLoopback) {
      return refuse("loopback", `${hostname} is this server: only public addresses can be used`);
    }
    return { ok: true, target: { url, hostname, port, loopbackPortOnly: !portAllowed } };
  }
  if (localName) return refuse("local_name", `${hostname} is ${localName}: use a public host name`);
  if (!portAllowed && !options.allowLoopback) return portRefusal();
  return { ok: true, target: { url, hostname, port, loopbackPortOnly: !portAllowed } };
}

/** The URL's host without IPv6 brackets and without a trailing dot (`localhost.` is `localhost`). */
function hostnameOf(url: URL): string {
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return host.endsWith(".") ? host.slice(0, -1) : host;
}

/** Why a host name is local by definition ("loopback" for localhost names), or undefined. */
function localNameReason(hostname: string): string | undefined {
  if (hostname === "localhost" || hostname.endsWith(".localhost")) return "loopback";
  if (METADATA_NAMES.has(hostname)) return "a cloud metadata service name";
  if (!hostname.includes(".")) {
    return "a name without a dot, which is looked up in the server's local search domains";
  }
  const suffix = LOCAL_SUFFIXES.find((s) => hostname.endsWith(s));
  if (suffix) return `a local network name (${suffix})`;
  return undefined;
}
