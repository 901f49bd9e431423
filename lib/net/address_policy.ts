/**
 * Which IP addresses the app may open an outbound connection to on a user's behalf (a
 * webhook): public unicast addresses only. Everything that reaches into the machine,
 * its private network or its cloud provider is refused, each with the reason:
 *
 * - loopback (127/8, ::1), unspecified (0/8, ::), private (RFC 1918), shared/CGNAT
 *   (100.64/10, where Alibaba's metadata service also lives), link-local (169.254/16,
 *   fe80::/10), unique-local (fc00::/7, where AWS's IPv6 metadata fd00:ec2::254 lives),
 *   multicast, broadcast, and the reserved, documentation and benchmarking ranges;
 * - cloud metadata and platform endpoints by name: 169.254.169.254, 169.254.170.2 (ECS),
 *   168.63.129.16 (Azure's platform address: public-looking, but only reachable from
 *   inside Azure, where it answers for the host), 100.100.100.200, fd00:ec2::254;
 * - IPv6 forms that carry an IPv4 address (`::ffff:127.0.0.1`, `::ffff:0:a.b.c.d`, the
 *   NAT64 prefix `64:ff9b::/96`) are judged by the IPv4 address they reach; the older
 *   tunnel forms (6to4 `2002::/16`, Teredo `2001::/32`, IPv4-compatible `::a.b.c.d`)
 *   and anything outside global unicast (`2000::/3`) are refused outright.
 *
 * Our table comes first so the reason is ours; ipaddr.js's own classification
 * (`range() !== "unicast"`) backs it up, so a range it knows and we forgot is refused
 * too. Loopback may be allowed (development, when the app itself runs on localhost);
 * nothing else can be.
 *
 * Pure: no I/O. Addresses come from DNS answers or URL hosts already normalised by the
 * WHATWG URL parser, so only canonical text forms are accepted (no `0x7f.1`).
 *
 * @example
 * ```ts
 * addressRefusal("93.184.215.14"); // undefined: allowed
 * addressRefusal("10.0.0.5")?.reason; // "a private network address (RFC 1918)"
 * addressRefusal("::ffff:169.254.169.254")?.reason; // "an IPv6 form of 169.254.169.254, a cloud metadata address"
 * addressRefusal("127.0.0.1", { allowLoopback: true }); // undefined
 * ```
 *
 * @module
 */
import ipaddr from "ipaddr.js";

/** Why an address is refused: a machine-readable kind and the words for a message. */
export interface AddressRefusal {
  kind: AddressKind;
  /** Completes "… is …" / "… resolves to …": "a loopback address". */
  reason: string;
}

/** The classes of refused addresses. */
export type AddressKind =
  | "not_an_ip"
  | "loopback"
  | "unspecified"
  | "private"
  | "shared"
  | "link_local"
  | "unique_local"
  | "multicast"
  | "broadcast"
  | "metadata"
  | "reserved"
  | "tunnel"
  | "not_global";

/** Options of {@linkcode addressRefusal}. */
export interface AddressPolicyOptions {
  /** Let loopback through: only for development, when the app itself runs on localhost. */
  allowLoopback?: boolean;
}

type Range = readonly [cidr: string, kind: AddressKind, reason: string];

/**
 * Specific addresses first (a metadata address is also link-local, but "metadata" is the
 * reason that matters), then ranges. One table for both families; order matters.
 */
const REFUSED_RANGES: readonly Range[] = [
  ["169.254.169.254/32", "metadata", "a cloud metadata address"],
  ["169.254.170.2/32", "metadata", "a cloud metadata address (container credentials)"],
  ["168.63.129.16/32", "metadata", "a cloud platform address (Azure host services)"],
  ["100.100.100.200/32", "metadata", "a cloud metadata address"],
  ["fd00:ec2::254/128", "metadata", "a cloud metadata address"],
  ["0.0.0.0/8", "unspecified", "an unspecified address (0.0.0.0/8: this host)"],
  ["127.0.0.0/8", "loopback", "a loopback address"],
  ["10.0.0.0/8", "private", "a private network address (RFC 1918)"],
  ["172.16.0.0/12", "private", "a private network address (RFC 1918)"],
  ["192.168.0.0/16", "private", "a private network address (RFC 1918)"],
  ["100.64.0.0/10", "shared", "a shared (carrier-grade NAT) address"],
  ["169.254.0.0/16", "link_local", "a link-local address"],
  ["192.0.0.0/24", "reserved", "a reserved address (IETF protocol assignments)"],
  ["192.0.2.0/24", "reserved", "a reserved address (documentation)"],
  ["198.51.100.0/24", "reserved", "a reserved address (documentation)"],
  ["203.0.113.0/24", "reserved", "a reserved address (documentation)"],
  ["198.18.0.0/15", "reserved", "a reserved address (benchmarking)"],
  ["192.88.99.0/24", "tunnel", "a tunnel relay address (6to4 anycast)"],
  ["224.0.0.0/4", "multicast", "a multicast address"],
  ["255.255.255.255/32", "broadcast", "a broadcast address"],
  ["240.0.0.0/4", "reserved", "a reserved address (240.0.0.0/4)"],
  ["::/128", "unspecified", "an unspecified address (::)"],
  ["::1/128", "loopback", "a loopback address"],
  ["fe80::/10", "link_local", "a link-local address"],
  ["fc00::/7", "unique_local", "a private network address (IPv6 unique local)"],
  ["ff00::/8", "multicast", "a multicast address"],
  ["2002::/16", "tunnel", "a tunnelled IPv4 address (6to4)"],
  ["2001::/32", "tunnel", "a tunnelled IPv4 address (Teredo)"],
  ["64:ff9b:1::/48", "reserved", "a reserved address (local-use IPv4/IPv6 translation)"],
  ["2001:db8::/32", "reserved", "a reserved address (documentation)"],
  ["3fff::/20", "reserved", "a reserved address (documentation)"],
  ["2001:2::/48", "reserved", "a reserved address (benchmarking)"],
  ["::/96", "tunnel", "a deprecated IPv4-compatible IPv6 address"],
];

/** IPv6 prefixes whose last 32 bits are an IPv4 address the network delivers to. */
const IPV4_CARRYING: readonly string[] = ["::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96"];

const parsedRanges = REFUSED_RANGES.map(([cidr, kind, reason]) => ({ range: ipaddr.parseCIDR(cidr), kind, reason }));
const parsedCarrying = IPV4_CARRYING.map((cidr) => ipaddr.parseCIDR(cidr) as [ipaddr.IPv6, number]);
const GLOBAL_UNICAST = ipaddr.parseCIDR("2000::/3") as [ipaddr.IPv6, number];

/**
 * Parses an address in canonical text form: dotted-quad IPv4, or IPv6 (no brackets, no
 * zone id). Undefined for anything else, including legacy IPv4 spellings.
 */
export function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (typeof text !== "string" || text.length > 64) return undefined;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes(":") && !text.includes("%") && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return undefined;
}

/** True for a loopback address (127/8, ::1, or an IPv4-mapped form of 127/8). */
export function isLoopbackAddress(text: string): boolean {
  return addressRefusal(text)?.kind === "loopback";
}

/**
 * Why the app must not connect to `text`, or undefined when it may (a public unicast
 * address, or loopback with `allowLoopback`).
 *
 * @example
 * ```ts
 * addressRefusal("fe80::1")?.kind; // "link_local"
 * addressRefusal("::ffff:10.1.2.3")?.reason; // "an IPv6 form of 10.1.2.3, a private network address (RFC 1918)"
 * ```
 */
export function addressRefusal(text: string, options: AddressPolicyOptions = {}): AddressRefusal | undefined {
  const address = parseAddress(text);
  if (!address) return { kind: "not_an_ip", reason: "not an IP address" };
  const refusal = classify(address);
  if (refusal?.kind === "loopback" && options.allowLoopback) return undefined;
  return refusal;
}

function classify(address: ipaddr.IPv4 | ipaddr.IPv6): AddressRefusal | undefined {
  if (address.kind() === "ipv6") {
    const v6 = address as ipaddr.IPv6;
    const carried = parsedCarrying.find((range) => v6.match(range));
    if (carried) {
      // The last 32 bits, whichever of the prefixes carries them.
      const embedded = ipaddr.fromByteArray(v6.toByteArray().slice(12)) as ipaddr.IPv4;
      const inner = classify(embedded);
      if (!inner) return undefined;
      return { kind: inner.kind, reason: `an IPv6 form of ${embedded.toString()}, ${inner.reason}` };
    }
  }
  for (const { range, kind, reason } of parsedRanges) {
    if (address.kind() === range[0].kind() && address.match(range)) return { kind, reason };
  }
  if (address.kind() === "ipv6" && !(address as ipaddr.IPv6).match(GLOBAL_UNICAST)) {
    return { kind: "not_global", reason: "not a global unicast IPv6 address" };
  }
  // ipaddr.js's table, in case it knows a special range ours does not.
  const range = address.range();
  if (range !== "unicast") return { kind: "reserved", reason: `a special-purpose address (${range})` };
  return undefined;
}
