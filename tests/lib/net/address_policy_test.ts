/**
 * The outbound address rules (lib/net/address_policy.ts), table-driven: every refused
 * class with its reason, public addresses of both families allowed, IPv6 forms that
 * carry an IPv4 address judged exactly like that address (a property over all IPv4
 * addresses), loopback allowed only on request and nothing else with it.
 */
import fc from "fast-check";
import { addressRefusal, isLoopbackAddress, parseAddress } from "@/lib/net/address_policy.ts";
import { assertEquals } from "@/tests/support/assert.ts";

const REFUSED: [string, string][] = [
  ["0.0.0.0", "unspecified"],
  ["0.255.1.2", "unspecified"],
  ["127.0.0.1", "loopback"],
  ["127.255.255.254", "loopback"],
  ["10.0.0.1", "private"],
  ["10.255.255.255", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["192.168.0.1", "private"],
  ["100.64.0.1", "shared"],
  ["100.127.255.254", "shared"],
  ["169.254.0.1", "link_local"],
  ["169.254.169.254", "metadata"],
  ["169.254.170.2", "metadata"],
  ["168.63.129.16", "metadata"],
  ["100.100.100.200", "metadata"],
  ["192.0.0.192", "reserved"],
  ["192.0.2.1", "reserved"],
  ["198.51.100.7", "reserved"],
  ["203.0.113.9", "reserved"],
  ["198.18.0.1", "reserved"],
  ["198.19.255.255", "reserved"],
  ["192.88.99.1", "tunnel"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["240.0.0.1", "reserved"],
  ["255.255.255.255", "broadcast"],
  ["192.52.193.1", "reserved"], // AMT relay anycast: refused through ipaddr.js's own table
  ["::", "unspecified"],
  ["::1", "loopback"],
  ["fe80::1", "link_local"],
  ["febf:ffff::1", "link_local"],
  ["fc00::1", "unique_local"],
  ["fd12:3456:789a::1", "unique_local"],
  ["fd00:ec2::254", "metadata"],
  ["ff02::1", "multicast"],
  ["ff05::1:3", "multicast"],
  ["2001:db8::1", "reserved"],
  ["3fff::1", "reserved"],
  ["2001:2::1", "reserved"],
  ["64:ff9b:1::a00:1", "reserved"],
  ["2002:c0a8:101::1", "tunnel"],
  ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "tunnel"],
  ["::7f00:1", "tunnel"],
  ["::1:0:0:1", "not_global"],
  ["100::1", "not_global"],
  ["fec0::1", "not_global"],
  ["4000::1", "not_global"],
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:7f00:1", "loopback"],
  ["::ffff:10.0.0.1", "private"],
  ["::ffff:169.254.169.254", "metadata"],
  ["::ffff:0:a9fe:a9fe", "metadata"],
  ["64:ff9b::7f00:1", "loopback"],
  ["64:ff9b::192.168.1.1", "private"],
];

const ALLOWED = [
  "8.8.8.8",
  "1.1.1.1",
  "93.184.215.14",
  "172.32.0.1", // just past 172.16/12
  "100.128.0.1", // just past 100.64/10
  "169.255.0.1",
  "192.169.0.1",
  "223.255.255.254",
  "2606:4700:4700::1111",
  "2a00:1450:4001:82a::200e",
  "2001:4860:4860::8888",
  "::ffff:8.8.8.8",
  "64:ff9b::808:808",
];

Deno.test("every refused class is refused with its kind, and a reason that reads after 'is'", () => {
  for (const [address, kind] of REFUSED) {
    const refusal = addressRefusal(address);
    assertEquals(refusal?.kind, kind, address);
    assertEquals(/^(a|an|not) /.test(refusal!.reason), true, `${address}: "${refusal!.reason}"`);
  }
});

Deno.test("public unicast addresses of both families are allowed", () => {
  for (const address of ALLOWED) assertEquals(addressRefusal(address), undefined, address);
});

Deno.test("reasons name what matters: metadata before link-local, the embedded IPv4 for mapped forms", () => {
  assertEquals(addressRefusal("169.254.169.254")?.reason, "a cloud metadata address");
  assertEquals(addressRefusal("10.1.2.3")?.reason, "a private network address (RFC 1918)");
  assertEquals(
    addressRefusal("::ffff:169.254.169.254")?.reason,
    "an IPv6 form of 169.254.169.254, a cloud metadata address",
  );
  assertEquals(
    addressRefusal("64:ff9b::c0a8:101")?.reason,
    "an IPv6 form of 192.168.1.1, a private network address (RFC 1918)",
  );
});

Deno.test("allowLoopback lets loopback (and only loopback) through", () => {
  for (const address of ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"]) {
    assertEquals(addressRefusal(address, { allowLoopback: true }), undefined, address);
    assertEquals(isLoopbackAddress(address), true, address);
  }
  for (const [address, kind] of REFUSED.filter(([, kind]) => kind !== "loopback")) {
    assertEquals(addressRefusal(address, { allowLoopback: true })?.kind, kind, address);
    assertEquals(isLoopbackAddress(address), false, address);
  }
});

Deno.test("only canonical address text is an address: no legacy IPv4 forms, brackets, zones or names", () => {
  for (
    const text of [
      "0x7f.1",
      "0177.0.0.1",
      "2130706433",
      "127.1",
      "[::1]",
      "fe80::1%eth0",
      "localhost",
      "",
      " 8.8.8.8",
      "8.8.8.8 ",
      "1.2.3.4.5",
      "256.1.1.1",
      "::ffff:1.2.3",
      "x".repeat(100),
    ]
  ) {
    assertEquals(parseAddress(text), undefined, text);
    assertEquals(addressRefusal(text)?.kind, "not_an_ip", text);
  }
});

Deno.test("an IPv6 form carrying an IPv4 address is judged exactly as that address (every IPv4)", () => {
  fc.assert(
    fc.property(fc.ipV4(), (v4) => {
      const expected = addressRefusal(v4)?.kind;
      for (const form of [`::ffff:${v4}`, `::ffff:0:${v4}`, `64:ff9b::${v4}`]) {
        if (addressRefusal(form)?.kind !== expected) return false;
        if (addressRefusal(form, { allowLoopback: true })?.kind !== addressRefusal(v4, { allowLoopback: true })?.kind) {
          return false;
        }
      }
      return true;
    }),
    { numRuns: 2000 },
  );
});

Deno.test("IPv4 ranges hold for any address inside them", () => {
  const inside = (a: number, b: number, c: number, d: number) => `${a}.${b}.${c}.${d}`;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      (x, y, z) => {
        return addressRefusal(inside(10, x, y, z))?.kind === "private" &&
          addressRefusal(inside(172, 16 + (x % 16), y, z))?.kind === "private" &&
          addressRefusal(inside(192, 168, y, z))?.kind === "private" &&
          addressRefusal(inside(127, x, y, z))?.kind === "loopback" &&
          addressRefusal(inside(100, 64 + (x % 64), y, z)) !== undefined &&
          addressRefusal(inside(224 + (x % 16), y, z, 1))?.kind === "multicast";
      },
    ),
  );
});
