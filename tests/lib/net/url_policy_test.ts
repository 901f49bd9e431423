/**
 * What a URL itself may say (lib/net/url_policy.ts): the host as DNS will see it
 * (lower case, punycode, no brackets, no trailing dot), the port (the scheme's default
 * when none), and which checks are left for after DNS. The hostile cases run through
 * safeFetch in safe_fetch_test.ts; these are the shapes of what passes.
 */
import { checkOutboundUrl, DEFAULT_ALLOWED_PORTS, type OutboundTarget } from "@/lib/net/url_policy.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";

function target(url: string, options = {}): Omit<OutboundTarget, "url"> & { href: string } {
  const checked = checkOutboundUrl(url, options);
  assert(checked.ok, `${url} should pass: ${!checked.ok && checked.refusal.message}`);
  const { url: parsed, ...rest } = checked.target;
  return { href: parsed.href, ...rest };
}

Deno.test("a passing URL: normalised host, default ports, nothing left to check but DNS", () => {
  assertEquals(target("https://Hooks.Example.COM./cg?a=1#frag"), {
    href: "https://hooks.example.com./cg?a=1#frag",
    hostname: "hooks.example.com",
    port: 443,
    loopbackPortOnly: false,
  });
  assertEquals(target("http://example.com/").port, 80);
  assertEquals(target("http://example.com:443/").port, 443);
  assertEquals(target("https://bücher.example/").hostname, "xn--bcher-kva.example");
  assertEquals(DEFAULT_ALLOWED_PORTS, [80, 443]);
});

Deno.test("a public IP address as host is checked here and needs no DNS", () => {
  assertEquals(target("https://93.184.215.14/x").address, "93.184.215.14");
  assertEquals(target("https://[2606:4700::1111]/").address, "2606:4700::1111");
  assertEquals(target("https://[2606:4700::1111]/").hostname, "2606:4700::1111");
});

Deno.test("development: loopback hosts pass on any port; a name on another port must resolve to loopback only", () => {
  const dev = { allowLoopback: true };
  assertEquals(target("http://127.0.0.1:8123/", dev).address, "127.0.0.1");
  assertEquals(target("http://localhost:8123/", dev).loopbackPortOnly, true);
  assertEquals(target("http://localhost/", dev).loopbackPortOnly, false);
  assertEquals(target("http://receiver.example.test:8123/", dev).loopbackPortOnly, true);
  const publicOnOtherPort = checkOutboundUrl("http://93.184.215.14:8123/", dev);
  assertEquals(publicOnOtherPort.ok ? "passed" : publicOnOtherPort.refusal.code, "port");
});

Deno.test("refusals carry a code and a sentence that says what to do", () => {
  const cases: [string, string, string][] = [
    [
      "http://example.com:8080/",
      "port",
      "Port 8080 cannot be used: use the standard port (443 for https://, 80 for http://), for example behind a reverse proxy",
    ],
    [
      "https://a:b@example.com/",
      "credentials",
      "The URL must not contain a user name or password: the signature identifies us",
    ],
    ["ws://example.com/", "scheme", "Only http:// and https:// URLs can be used, not ws://"],
    [
      "https://intranet/",
      "local_name",
      "intranet is a name without a dot, which is looked up in the server's local search domains: use a public host name",
    ],
    [
      "http://10.0.0.1/",
      "private",
      "10.0.0.1 is a private network address (RFC 1918): only public addresses can be used",
    ],
  ];
  for (const [url, code, message] of cases) {
    const checked = checkOutboundUrl(url);
    assertEquals(checked.ok ? undefined : [checked.refusal.code, checked.refusal.message], [code, message], url);
  }
});
