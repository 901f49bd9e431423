import { assertEquals } from "@/tests/support/assert.ts";
import { isOwnOrigin, linkOrigin } from "@/lib/auth/own_origin.ts";
import { listeningUrl } from "@/app/server.ts";

const unset = { appOrigin: "http://localhost:8000", acceptLoopbackOrigins: true };
const set = { appOrigin: "https://grid.example", acceptLoopbackOrigins: false };

Deno.test("own origin: APP_ORIGIN unset accepts the loopback origin a request was addressed to", () => {
  const cases: [string, string, boolean][] = [
    ["http://localhost:8000", "http://127.0.0.1:9999/x", true], // the default origin, as before
    ["http://127.0.0.1:8000", "http://127.0.0.1:8000/signup", true],
    ["http://[::1]:8000", "http://[::1]:8000/signup", true],
    ["http://localhost:5123", "http://localhost:5123/signup", true], // a forwarded port reaches us too
    ["http://localhost:3000", "http://localhost:8000/signup", false], // another local server
    ["http://127.0.0.1:8000", "http://[::1]:8000/signup", false], // not the origin addressed
    ["http://rebind.example:8000", "http://rebind.example:8000/signup", false], // DNS rebinding
    ["https://127.0.0.1:8000", "https://127.0.0.1:8000/signup", false],
    ["http://127.0.0.1.example:8000", "http://127.0.0.1.example:8000/", false],
  ];
  for (const [origin, url, expected] of cases) {
    assertEquals(isOwnOrigin(unset, origin, new URL(url)), expected, `${origin} → ${url}`);
  }
});

Deno.test("own origin: APP_ORIGIN set is strict", () => {
  assertEquals(isOwnOrigin(set, "https://grid.example", new URL("http://127.0.0.1:8000/")), true);
  assertEquals(isOwnOrigin(set, "http://127.0.0.1:8000", new URL("http://127.0.0.1:8000/")), false);
  assertEquals(isOwnOrigin(set, "http://localhost:8000", new URL("http://localhost:8000/")), false);
});

Deno.test("links go back to the loopback origin the browser is on, else to APP_ORIGIN", () => {
  assertEquals(linkOrigin(unset, new URL("http://127.0.0.1:8000/upgrade")), "http://127.0.0.1:8000");
  assertEquals(linkOrigin(unset, new URL("http://[::1]:8000/upgrade")), "http://[::1]:8000");
  assertEquals(linkOrigin(unset, new URL("http://grid.lan:8000/upgrade")), "http://localhost:8000");
  assertEquals(linkOrigin(set, new URL("http://127.0.0.1:8000/upgrade")), "https://grid.example");
});

Deno.test("the start-up log names http://localhost:PORT when APP_ORIGIN is unset and localhost reaches the server", () => {
  assertEquals(listeningUrl(unset, "127.0.0.1", 8000), "http://localhost:8000");
  assertEquals(listeningUrl(unset, "0.0.0.0", 8123), "http://localhost:8123");
  assertEquals(listeningUrl(unset, "::1", 8000), "http://localhost:8000");
  assertEquals(listeningUrl(unset, "192.168.1.20", 8000), "http://192.168.1.20:8000");
  assertEquals(listeningUrl(set, "127.0.0.1", 8000), "http://127.0.0.1:8000");
  assertEquals(listeningUrl(set, "::", 8000), "http://[::]:8000");
});
