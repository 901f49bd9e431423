import { assertEquals } from "@/tests/support/assert.ts";
import { TrieRouter } from "hono/router/trie-router";
import manifest from "@/fresh.gen.ts";
import { routePattern } from "@/lib/fresh/route_path.ts";
import { StaticFirstRouter } from "@/lib/fresh/static_first_router.ts";

/** The app's own route table, plus the middleware and fallback the app registers. */
function patterns(): string[] {
  const files = Object.keys(manifest.routes).filter((file) => !/\/_[^/]*$/.test(file));
  return files.map((file) => routePattern(file.slice("routes/".length)));
}

function both() {
  const trie = new TrieRouter<string>();
  const kept = new StaticFirstRouter<string>();
  const add = (method: string, path: string, handler: string) => {
    trie.add(method, path, handler);
    kept.add(method, path, handler);
  };
  add("ALL", "*", "edge");
  for (const pattern of patterns()) add("ALL", pattern, `route ${pattern}`);
  add("ALL", "*", "not found");
  return { trie, kept, add };
}

const methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"];

Deno.test("StaticFirstRouter answers every route's path, and others, exactly as the trie does", () => {
  const { trie, kept } = both();
  const paths = [
    ...patterns(),
    ...patterns().map((pattern) => pattern.replace(/:[^/]+/g, "x1").replace(/\*$/, "a/b")),
    "/",
    "/nowhere",
    "/api/health/",
    "/api/%68ealth",
    "/api/habits/pin",
    "//api/habits",
  ];
  assertEquals(paths.length > 40, true);
  for (let round = 0; round < 2; round++) { // the second round comes from the kept map
    for (const method of methods) {
      for (const path of paths) assertEquals(kept.match(method, path), trie.match(method, path), `${method} ${path}`);
    }
  }
});

Deno.test("StaticFirstRouter keeps one answer per static path and method, and none for other paths", () => {
  const { kept } = both();
  assertEquals(kept.match("GET", "/api/health") === kept.match("GET", "/api/health"), true);
  assertEquals(kept.match("GET", "/api/health") === kept.match("HEAD", "/api/health"), false);
  // A path no route names literally is matched afresh each time: clients cannot grow the map.
  assertEquals(kept.match("GET", "/nowhere") === kept.match("GET", "/nowhere"), false);
  assertEquals(kept.match("PROPFIND", "/api/health") === kept.match("PROPFIND", "/api/health"), false);
});

Deno.test("StaticFirstRouter forgets its answers when a route is added", () => {
  const { trie, kept, add } = both();
  const before = kept.match("GET", "/api/health");
  add("GET", "/api/*", "late middleware");
  const after = kept.match("GET", "/api/health");
  assertEquals(after, trie.match("GET", "/api/health"));
  assertEquals(after[0].length, before[0].length + 1);
});
