/**
 * The SSRF-safe fetch (lib/net/safe_fetch.ts) against real local receivers, http and
 * https: loopback reached only when allowed; hostile URLs and hostile DNS answers
 * refused with their reason before anything connects; the connection pinned to the
 * address that was checked (a name only our resolver knows still arrives, and DNS is
 * asked once per hop); TLS still verifies the URL's name; redirects followed by hand,
 * each hop checked again, at most 3, never from https to http; the response capped; the
 * deadline and the caller's signal honoured.
 */
import {
  type Resolver,
  resolveTarget,
  resolveWithDns,
  safeFetch,
  SafeFetchError,
  type SafeFetchOptions,
} from "@/lib/net/safe_fetch.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@/tests/support/assert.ts";
import { neverAnswer, type Receiver, selfSignedCertificate, startReceiver } from "@/tests/support/http_receiver.ts";

/** A resolver that knows only `names`, counting its lookups; other names fail the test. */
function fakeDns(names: Record<string, string[] | Error>) {
  const calls: string[] = [];
  const resolve: Resolver = (hostname) => {
    calls.push(hostname);
    const answer = names[hostname];
    if (answer === undefined) return Promise.reject(new Error(`unexpected lookup of ${hostname}`));
    if (answer instanceof Error) return Promise.reject(answer);
    return Promise.resolve(answer);
  };
  return { resolve, calls };
}

const noDns: Resolver = (hostname) => Promise.reject(new Error(`DNS must not be asked (asked for ${hostname})`));

/** The SafeFetchError `promise` rejects with. */
async function refusal(promise: Promise<unknown>): Promise<SafeFetchError> {
  const error = await assertRejects(() => promise);
  assert(error instanceof SafeFetchError, `expected a SafeFetchError, got ${error}`);
  return error;
}

Deno.test("a loopback receiver is reached when loopback is allowed: method, body, headers and the answer", async () => {
  await using receiver = startReceiver((request) =>
    new Response(`got ${request.text}`, { status: 201, headers: { "x-receiver": "yes" } })
  );
  const response = await safeFetch(`${receiver.origin}/hook?x=1`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-cg-signature": "t=1,v1=ab", host: "evil.example" },
    body: '{"type":"ping"}',
    allowLoopback: true,
    resolve: noDns,
  });
  assertEquals(response.status, 201);
  assertEquals(new TextDecoder().decode(response.body), 'got {"type":"ping"}');
  assertEquals(response.headers.get("x-receiver"), "yes");
  assertEquals(response.truncated, false);
  assertEquals(response.address, "127.0.0.1");
  assertEquals(receiver.requests.length, 1);
  const [request] = receiver.requests;
  assertEquals(request.method, "POST");
  assertEquals(request.path, "/hook?x=1");
  assertEquals(request.text, '{"type":"ping"}');
  assertEquals(request.headers.get("content-type"), "application/json");
  assertEquals(request.headers.get("x-cg-signature"), "t=1,v1=ab");
  // A Host header of the caller's is not sent: the URL's host is.
  assertEquals(request.headers.get("host"), `127.0.0.1:${receiver.port}`);
});

Deno.test("the same loopback receiver is refused when loopback is not allowed, and never contacted", async () => {
  await using receiver = startReceiver();
  for (
    const url of [receiver.origin, `http://localhost:${receiver.port}/`, `http://[::ffff:127.0.0.1]:${receiver.port}/`]
  ) {
    const error = await refusal(safeFetch(url, { resolve: noDns }));
    assertEquals(error.code, "loopback", url);
    assertEquals(error.refused, true);
    assertStringIncludes(error.message, "only public addresses can be used");
  }
  assertEquals(receiver.requests.length, 0);
});

Deno.test("hostile URLs are refused with their reason before any DNS lookup or connection", async () => {
  const cases: [string, string, string][] = [
    ["http://10.0.0.1/", "private", "10.0.0.1 is a private network address (RFC 1918)"],
    ["http://172.16.5.4/", "private", "172.16.5.4 is a private network address (RFC 1918)"],
    ["http://192.168.1.1/", "private", "192.168.1.1 is a private network address (RFC 1918)"],
    ["http://169.254.169.254/latest/meta-data/", "metadata", "169.254.169.254 is a cloud metadata address"],
    ["http://[fd00:ec2::254]/", "metadata", "fd00:ec2::254 is a cloud metadata address"],
    ["http://168.63.129.16/", "metadata", "168.63.129.16 is a cloud platform address"],
    ["http://100.100.100.200/", "metadata", "100.100.100.200 is a cloud metadata address"],
    ["http://169.254.10.10/", "link_local", "169.254.10.10 is a link-local address"],
    ["http://[fe80::1]/", "link_local", "fe80::1 is a link-local address"],
    ["http://[fd12:3456::1]/", "unique_local", "fd12:3456::1 is a private network address (IPv6 unique local)"],
    ["http://100.64.0.1/", "shared", "100.64.0.1 is a shared (carrier-grade NAT) address"],
    ["http://127.0.0.1/", "loopback", "127.0.0.1 is a loopback address"],
    ["http://127.1.2.3/", "loopback", "127.1.2.3 is a loopback address"],
    ["http://[::1]/", "loopback", "::1 is a loopback address"],
    // The URL parser turns the legacy spellings into the address they mean.
    ["http://2130706433/", "loopback", "127.0.0.1 is a loopback address"],
    ["http://0x7f.1/", "loopback", "127.0.0.1 is a loopback address"],
    ["http://0177.0.0.1/", "loopback", "127.0.0.1 is a loopback address"],
    ["http://0/", "unspecified", "0.0.0.0 is an unspecified address"],
    ["http://[::]/", "unspecified", ":: is an unspecified address"],
    ["http://[::ffff:127.0.0.1]/", "loopback", "::ffff:7f00:1 is an IPv6 form of 127.0.0.1, a loopback address"],
    ["http://[::ffff:a9fe:a9fe]/", "metadata", "is an IPv6 form of 169.254.169.254, a cloud metadata address"],
    ["http://[::ffff:0:a00:1]/", "private", "is an IPv6 form of 10.0.0.1, a private network address"],
    ["http://[64:ff9b::c0a8:1]/", "private", "is an IPv6 form of 192.168.0.1, a private network address"],
    ["http://[::127.0.0.1]/", "tunnel", "a deprecated IPv4-compatible IPv6 address"],
    ["http://[2002:7f00:1::1]/", "tunnel", "a tunnelled IPv4 address (6to4)"],
    ["http://224.0.0.1/", "multicast", "224.0.0.1 is a multicast address"],
    ["http://[ff02::1]/", "multicast", "ff02::1 is a multicast address"],
    ["http://255.255.255.255/", "broadcast", "255.255.255.255 is a broadcast address"],
    ["http://192.0.2.10/", "reserved", "192.0.2.10 is a reserved address (documentation)"],
    ["http://localhost/", "loopback", "localhost is this server"],
    ["http://LOCALHOST./", "loopback", "localhost is this server"],
    ["http://api.localhost/", "loopback", "api.localhost is this server"],
    ["http://metadata.google.internal/computeMetadata/v1/", "local_name", "a cloud metadata service name"],
    ["http://metadata.goog/", "local_name", "a cloud metadata service name"],
    ["http://metadata/", "local_name", "a name without a dot"],
    ["http://printer.local/", "local_name", "a local network name (.local)"],
    ["http://db.corp.internal/", "local_name", "a local network name (.internal)"],
    ["http://nas.home.arpa./", "local_name", "a local network name (.home.arpa)"],
    ["ftp://example.com/", "scheme", "Only http:// and https:// URLs can be used, not ftp://"],
    ["file:///etc/passwd", "scheme", "not file://"],
    ["gopher://example.com:70/", "scheme", "not gopher://"],
    ["javascript:alert(1)", "scheme", "not javascript://"],
    ["https://user:secret@example.com/", "credentials", "must not contain a user name or password"],
    ["https://example.com:8443/", "port", "Port 8443 cannot be used"],
    ["http://example.com:25/", "port", "Port 25 cannot be used"],
    ["http://93.184.215.14:6379/", "port", "Port 6379 cannot be used"],
    ["not a url", "invalid_url", "This is not a URL"],
    ["https://\u0000.example.com/", "invalid_url", "This is not a URL"],
    [`https://example.com/${"a".repeat(3000)}`, "invalid_url", "longer than 2048 characters"],
  ];
  for (const [url, code, message] of cases) {
    const error = await refusal(safeFetch(url, { resolve: noDns }));
    assertEquals(error.code, code, url);
    assertStringIncludes(error.message, message, url);
    assertEquals(error.refused, true, url);
  }
});

Deno.test("hostile DNS answers are refused naming the reason: every answer is checked, not just the first", async () => {
  const dns = fakeDns({
    "private.example.com": ["10.1.2.3"],
    "mixed.example.com": ["93.184.215.14", "192.168.0.10"],
    "mapped.example.com": ["::ffff:169.254.169.254"],
    "meta6.example.com": ["2606:4700::1111", "fd00:ec2::254"],
    "cgnat.example.com": ["100.100.100.200"],
    "loop.example.com": ["127.0.0.1"],
  });
  const cases: [string, string, string, string][] = [
    ["private.example.com", "private", "resolves to a private network address (RFC 1918)", "10.1.2.3"],
    ["mixed.example.com", "private", "resolves to a private network address (RFC 1918)", "192.168.0.10"],
    ["mapped.example.com", "metadata", "resolves to an IPv6 form of 169.254.169.254", "::ffff:169.254.169.254"],
    ["meta6.example.com", "metadata", "resolves to a cloud metadata address", "fd00:ec2::254"],
    ["cgnat.example.com", "metadata", "resolves to a cloud metadata address", "100.100.100.200"],
    ["loop.example.com", "loopback", "resolves to a loopback address", "127.0.0.1"],
  ];
  for (const [name, code, message, address] of cases) {
    const error = await refusal(safeFetch(`https://${name}/hook`, { resolve: dns.resolve }));
    assertEquals([error.code, error.address, error.refused], [code, address, true], name);
    assertStringIncludes(error.message, `${name} ${message}`);
  }
});

Deno.test("a name without an address, or a failing lookup, is a DNS failure (not a refusal)", async () => {
  const dns = fakeDns({ "gone.example.com": [], "broken.example.com": new Error("SERVFAIL") });
  const none = await refusal(safeFetch("https://gone.example.com/", { resolve: dns.resolve }));
  assertEquals([none.code, none.refused, none.message], ["dns", false, "gone.example.com has no IP address in DNS"]);
  const broken = await refusal(safeFetch("https://broken.example.com/", { resolve: dns.resolve }));
  assertEquals([broken.code, broken.refused], ["dns", false]);
  assertEquals(broken.message, "broken.example.com could not be looked up in DNS");
});

Deno.test("the connection goes to the checked address: a name only our resolver knows arrives, DNS asked once", async () => {
  // "rebind.example.test" exists in no real DNS: if anything but our one answer were
  // used to connect (a second lookup, the system resolver), the request could not arrive.
  await using receiver = startReceiver();
  const dns = fakeDns({ "rebind.example.test": ["127.0.0.1"] });
  const response = await safeFetch(`http://rebind.example.test:${receiver.port}/pinned`, {
    allowLoopback: true,
    resolve: dns.resolve,
  });
  assertEquals(response.status, 200);
  assertEquals(response.address, "127.0.0.1");
  assertEquals(dns.calls, ["rebind.example.test"]);
  assertEquals(receiver.requests.map((r) => [r.path, r.headers.get("host")]), [
    ["/pinned", `rebind.example.test:${receiver.port}`],
  ]);
});

Deno.test("an IPv6 loopback receiver: bracketed host, Host header and pinning work for IPv6 too", async () => {
  await using receiver = startReceiver(undefined, { hostname: "::1" });
  const viaLiteral = await safeFetch(`${receiver.origin}/six`, { allowLoopback: true, resolve: noDns });
  assertEquals([viaLiteral.status, viaLiteral.address], [200, "::1"]);
  const dns = fakeDns({ "six.example.test": ["::1"] });
  const viaName = await safeFetch(`http://six.example.test:${receiver.port}/`, {
    allowLoopback: true,
    resolve: dns.resolve,
  });
  assertEquals(viaName.status, 200);
  assertEquals(receiver.requests.map((r) => r.headers.get("host")), [
    `[::1]:${receiver.port}`,
    `six.example.test:${receiver.port}`,
  ]);
});

Deno.test("loopback allowance is loopback only: private and metadata addresses stay refused in development", async () => {
  const dns = fakeDns({ "lan.example.com": ["192.168.1.20"], "both.example.com": ["127.0.0.1", "10.0.0.2"] });
  const options: SafeFetchOptions = { allowLoopback: true, resolve: dns.resolve };
  assertEquals((await refusal(safeFetch("http://192.168.1.20/", options))).code, "private");
  assertEquals((await refusal(safeFetch("http://169.254.169.254/", options))).code, "metadata");
  assertEquals((await refusal(safeFetch("http://lan.example.com/", options))).code, "private");
  assertEquals((await refusal(safeFetch("http://both.example.com/", options))).code, "private");
});

Deno.test("other ports: any port on loopback in development, never on a public host", async () => {
  const dns = fakeDns({ "public.example.com": ["93.184.215.14"], "local.example.test": ["127.0.0.1", "::1"] });
  const error = await refusal(
    safeFetch("http://public.example.com:8080/", { allowLoopback: true, resolve: dns.resolve }),
  );
  assertEquals([error.code, error.refused], ["port", true]);
  const target = await resolveTarget("http://local.example.test:8080/", { allowLoopback: true, resolve: dns.resolve });
  assertEquals([target.port, target.addresses], [8080, ["127.0.0.1", "::1"]]);
  // Without the development allowance a non-standard port is refused before DNS.
  assertEquals((await refusal(safeFetch("http://public.example.com:8080/", { resolve: noDns }))).code, "port");
  // An operator may widen the ports.
  const widened = await resolveTarget("https://public.example.com:8443/", {
    allowedPorts: [443, 8443],
    resolve: dns.resolve,
  });
  assertEquals(widened.addresses, ["93.184.215.14"]);
});

Deno.test("resolveTarget: what a registration checks, with the checked addresses", async () => {
  const dns = fakeDns({
    "hooks.example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "93.184.215.14"],
  });
  const target = await resolveTarget("https://Hooks.Example.com./cg", { resolve: dns.resolve });
  assertEquals(target.hostname, "hooks.example.com");
  assertEquals(target.port, 443);
  assertEquals(target.addresses, ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]);
});

Deno.test("redirects are followed by hand up to 3, each hop's DNS asked again; a 4th is refused", async () => {
  await using receiver = startReceiver((request) => {
    const hop = Number(new URL(request.path, "http://x").searchParams.get("hop") ?? "0");
    const max = Number(new URL(request.path, "http://x").searchParams.get("max"));
    if (hop < max) {
      return new Response(null, { status: 302, headers: { location: `/r?hop=${hop + 1}&max=${max}` } });
    }
    return new Response(`arrived after ${hop}`);
  });
  const dns = fakeDns({ "hooks.example.test": ["127.0.0.1"] });
  const base = `http://hooks.example.test:${receiver.port}`;
  const three = await safeFetch(`${base}/r?hop=0&max=3`, { allowLoopback: true, resolve: dns.resolve });
  assertEquals([three.status, new TextDecoder().decode(three.body), three.redirects], [200, "arrived after 3", 3]);
  assertEquals(three.url, `${base}/r?hop=3&max=3`);
  assertEquals(dns.calls.length, 4, "one lookup per hop");
  const four = await refusal(safeFetch(`${base}/r?hop=0&max=4`, { allowLoopback: true, resolve: dns.resolve }));
  assertEquals([four.code, four.message, four.refused], ["too_many_redirects", "More than 3 redirects", true]);
  const manual = await safeFetch(`${base}/r?hop=0&max=1`, {
    allowLoopback: true,
    resolve: dns.resolve,
    redirect: "manual",
  });
  assertEquals([manual.status, manual.headers.get("location")], [302, "/r?hop=1&max=1"]);
});

Deno.test("a redirect to a forbidden place is refused at that hop, whatever the first URL was", async () => {
  const dns = fakeDns({ "start.example.test": ["127.0.0.1"], "inside.example.com": ["10.20.30.40"] });
  await using receiver = startReceiver((request) =>
    new Response(null, {
      status: 307,
      headers: {
        location: request.path === "/to-metadata"
          ? "http://169.254.169.254/latest/meta-data/iam/"
          : request.path === "/to-name"
          ? "https://inside.example.com/admin"
          : "file:///etc/passwd",
      },
    })
  );
  const options: SafeFetchOptions = { allowLoopback: true, resolve: dns.resolve, method: "POST", body: "{}" };
  const base = `http://start.example.test:${receiver.port}`;
  const metadata = await refusal(safeFetch(`${base}/to-metadata`, options));
  assertEquals([metadata.code, metadata.url], ["metadata", "http://169.254.169.254/latest/meta-data/iam/"]);
  const inside = await refusal(safeFetch(`${base}/to-name`, options));
  assertEquals([inside.code, inside.address], ["private", "10.20.30.40"]);
  assertEquals((await refusal(safeFetch(`${base}/to-file`, options))).code, "scheme");
  assertEquals(receiver.requests.length, 3);
});

Deno.test("redirect methods as fetch does them: 307/308 keep POST and body, 303 and 302-after-POST become GET", async () => {
  await using receiver = startReceiver((request) => {
    const status = Number(request.path.slice(1, 4));
    if (status >= 300) return new Response(null, { status, headers: { location: "/end" } });
    return new Response(`${request.method} ${request.text}`);
  });
  const options: SafeFetchOptions = {
    allowLoopback: true,
    resolve: noDns,
    method: "POST",
    body: "payload",
    headers: { "content-type": "text/plain" },
  };
  for (
    const [status, expected] of [[307, "POST payload"], [308, "POST payload"], [303, "GET "], [302, "GET "], [
      301,
      "GET ",
    ]]
  ) {
    const response = await safeFetch(`${receiver.origin}/${status}`, options);
    assertEquals(new TextDecoder().decode(response.body), expected, String(status));
  }
});

Deno.test("a redirect to another origin drops Authorization, Cookie and the headers named for it", async () => {
  await using receiver = startReceiver((request) =>
    request.path === "/start"
      ? new Response(null, { status: 307, headers: { location: `http://localhost:${receiver.port}/moved` } })
      : new Response("ok")
  );
  await safeFetch(`${receiver.origin}/start`, {
    allowLoopback: true,
    resolve: fakeDns({ localhost: ["127.0.0.1"] }).resolve,
    method: "POST",
    body: "{}",
    headers: { authorization: "Bearer x", cookie: "a=b", "x-cg-signature": "t=1,v1=00", "x-kept": "yes" },
    dropOnCrossOrigin: ["X-CG-Signature"],
  });
  const [first, second] = receiver.requests;
  assertEquals(first.headers.get("authorization"), "Bearer x");
  assertEquals(first.headers.get("x-cg-signature"), "t=1,v1=00");
  assertEquals(
    ["authorization", "cookie", "x-cg-signature", "x-kept"].map((name) => second.headers.get(name)),
    [null, null, null, "yes"],
  );
});

Deno.test("https: the connection is pinned while TLS verifies the URL's name; https never redirects to http", async () => {
  const certificate = await selfSignedCertificate("hooks.example.test");
  await using receiver = startReceiver(
    (request) =>
      request.path === "/downgrade"
        ? new Response(null, { status: 302, headers: { location: `http://hooks.example.test:${receiver.port}/plain` } })
        : new Response(`tls ${request.headers.get("host")}`),
    { tls: certificate },
  );
  const dns = fakeDns({ "hooks.example.test": ["127.0.0.1"], "other.example.test": ["127.0.0.1"] });
  const options: SafeFetchOptions = { allowLoopback: true, resolve: dns.resolve, caCerts: [certificate.cert] };
  const response = await safeFetch(`https://hooks.example.test:${receiver.port}/`, options);
  assertEquals(new TextDecoder().decode(response.body), `tls hooks.example.test:${receiver.port}`);
  // The same address under a name the certificate does not carry: refused by TLS.
  const wrongName = await refusal(safeFetch(`https://other.example.test:${receiver.port}/`, options));
  assertEquals([wrongName.code, wrongName.refused], ["connect", false]);
  assertStringIncludes(wrongName.message, "certificate of other.example.test could not be verified");
  // Without trusting the test certificate: refused too (verification is on).
  const untrusted = await refusal(
    safeFetch(`https://hooks.example.test:${receiver.port}/`, { ...options, caCerts: undefined }),
  );
  assertStringIncludes(untrusted.message, "could not be verified");
  const downgrade = await refusal(safeFetch(`https://hooks.example.test:${receiver.port}/downgrade`, options));
  assertEquals(downgrade.code, "redirect_downgrade");
});

Deno.test("the response body is capped: the rest is not read, even from an endless stream", async () => {
  await using receiver = startReceiver(() =>
    new Response(
      new ReadableStream({
        pull(controller) {
          controller.enqueue(new Uint8Array(16 * 1024).fill(120));
        },
      }),
    )
  );
  const response = await safeFetch(`${receiver.origin}/endless`, {
    allowLoopback: true,
    resolve: noDns,
    maxResponseBytes: 1000,
  });
  assertEquals([response.status, response.body.byteLength, response.truncated], [200, 1000, true]);
  assertEquals(response.body.every((byte) => byte === 120), true);
});

Deno.test("a server that does not answer in time: a timeout, not a hang", async () => {
  await using receiver = startReceiver(neverAnswer);
  const error = await refusal(
    safeFetch(`${receiver.origin}/slow`, { allowLoopback: true, resolve: noDns, timeoutMs: 300 }),
  );
  assertEquals([error.code, error.refused, error.message], ["timeout", false, "The server took too long to answer"]);
});

Deno.test("a body that drips slower than the deadline: a timeout too", async () => {
  await using receiver = startReceiver((_request, signal) =>
    new Response(
      new ReadableStream({
        async pull(controller) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          if (signal.aborted) controller.close();
          else controller.enqueue(new Uint8Array([1]));
        },
      }),
    )
  );
  const error = await refusal(
    safeFetch(`${receiver.origin}/drip`, { allowLoopback: true, resolve: noDns, timeoutMs: 400 }),
  );
  assertEquals(error.code, "timeout");
});

Deno.test("a DNS lookup that hangs is cut by the same deadline", async () => {
  const hanging: Resolver = (_hostname, signal) =>
    new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
  const error = await refusal(safeFetch("https://slow-dns.example.com/", { resolve: hanging, timeoutMs: 200 }));
  assertEquals(error.code, "timeout");
});

Deno.test("the caller's signal cancels the request", async () => {
  await using receiver = startReceiver(neverAnswer);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const error = await refusal(
    safeFetch(`${receiver.origin}/slow`, { allowLoopback: true, resolve: noDns, signal: controller.signal }),
  );
  assertEquals([error.code, error.refused], ["aborted", false]);
});

Deno.test("a closed port is a connection failure to retry, not a refusal", async () => {
  const receiver: Receiver = startReceiver();
  const url = receiver.origin;
  await receiver.close();
  const error = await refusal(safeFetch(url, { allowLoopback: true, resolve: noDns, timeoutMs: 2000 }));
  assertEquals([error.code, error.refused], ["connect", false]);
});

Deno.test("the system resolver (Deno.resolveDns, A and AAAA): localhost resolves to loopback and is reached in development", async () => {
  assertEquals((await resolveWithDns("localhost", AbortSignal.timeout(5000))).includes("127.0.0.1"), true);
  await using receiver = startReceiver();
  const response = await safeFetch(`http://localhost:${receiver.port}/dev`, { allowLoopback: true });
  assertEquals([response.status, receiver.requests[0]?.headers.get("host")], [200, `localhost:${receiver.port}`]);
});

Deno.test("answers without a body (204, HEAD) and error statuses are responses, not failures", async () => {
  await using receiver = startReceiver((request) =>
    request.path === "/gone" ? new Response("no such hook", { status: 410 }) : new Response(null, { status: 204 })
  );
  const options: SafeFetchOptions = { allowLoopback: true, resolve: noDns };
  const empty = await safeFetch(`${receiver.origin}/ok`, { ...options, method: "POST", body: "{}" });
  assertEquals([empty.status, empty.body.byteLength], [204, 0]);
  const head = await safeFetch(`${receiver.origin}/ok`, { ...options, method: "HEAD" });
  assertEquals(head.status, 204);
  const gone = await safeFetch(`${receiver.origin}/gone`, options);
  assertEquals([gone.status, new TextDecoder().decode(gone.body)], [410, "no such hook"]);
});
