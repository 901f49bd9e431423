/**
 * Islands end to end in headless Chromium: bundle the islands, serve pages rendered by
 * renderToHtml on a loopback port, and check hydration in a real browser.
 */
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { launchBrowser, skipBrowserTests } from "@/tests/support/browser.ts";
import { type ComponentChildren, h, type VNode } from "preact";
import { signal } from "@preact/signals";
import type { Page } from "playwright-core";
import { bundleIslands } from "@/lib/fresh/islands/bundle.ts";
import { type IslandAssets, islandEntries, renderToHtml } from "@/lib/fresh/islands/server.ts";
import * as counterModule from "@/tests/lib/fresh/islands/fixtures/Counter.tsx";
import * as boomModule from "@/tests/lib/fresh/islands/fixtures/Boom.tsx";
import * as cardModule from "@/tests/lib/fresh/islands/fixtures/Card.tsx";
import * as sharedModule from "@/tests/lib/fresh/islands/fixtures/Shared.tsx";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const MODULES = {
  "tests/lib/fresh/islands/fixtures/Counter.tsx": counterModule,
  "tests/lib/fresh/islands/fixtures/Boom.tsx": boomModule,
  "tests/lib/fresh/islands/fixtures/Card.tsx": cardModule,
  "tests/lib/fresh/islands/fixtures/Shared.tsx": sharedModule,
};
const ISLANDS = islandEntries(MODULES);
const NONCE = "dGVzdC1ub25jZQ==";
const SINCE = new Date("2026-01-01T00:00:00Z");

const Counter = counterModule.default;
const Card = cardModule.default;
const Boom = boomModule.default;
const { SharedButton, SharedView } = sharedModule;

// deno-lint-ignore no-explicit-any
function htmlPage(...body: ComponentChildren[]): VNode<any> {
  return h(
    "html",
    { lang: "en" },
    h("head", null, h("meta", { charset: "utf-8" }), h("title", null, "islands test")),
    h("body", null, h("main", null, ...body)),
  );
}

/** The pages the test server renders, by path. */
// deno-lint-ignore no-explicit-any
function pages(): Record<string, () => VNode<any>> {
  return {
    "/": () => {
      const shared = signal(10);
      return htmlPage(
        h(Counter, { start: 3, since: SINCE }),
        h(SharedButton, { count: shared }),
        h(SharedView, { count: shared }),
        h(Card, { title: "Slot" }, h("p", { class: "child" }, "static ", h("b", null, "child"))),
      );
    },
    "/broken": () =>
      htmlPage(
        h("p", null, h(Counter, { start: 9, since: SINCE })),
        h(Boom, null),
        h("div", { class: "survivor" }, h(Counter, { start: 1, since: SINCE })),
      ),
    "/static": () => htmlPage(h("p", null, "no islands here")),
  };
}

const CSP = {
  self: `script-src 'self' 'nonce-${NONCE}'`,
  strict: `script-src 'nonce-${NONCE}' 'strict-dynamic'; object-src 'none'; base-uri 'none'`,
};

interface TestServer {
  url: string;
  close(): Promise<void>;
}

function serve(assets: IslandAssets, jsDir: string, csp: string): TestServer {
  const routes = pages();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const { pathname } = new URL(req.url);
    // Chromium asks for one; a 404 would show up as a console error.
    if (pathname === "/favicon.ico") return new Response(null, { status: 204 });
    if (pathname.startsWith("/_fresh/js/")) {
      const name = pathname.slice("/_fresh/js/".length);
      if (!/^[\w.-]+$/.test(name)) return new Response("bad name", { status: 400 });
      try {
        return new Response(await Deno.readFile(`${jsDir}/${name}`), {
          headers: { "content-type": "text/javascript; charset=utf-8" },
        });
      } catch {
        return new Response("not found", { status: 404 });
      }
    }
    const render = routes[pathname];
    if (!render) return new Response("not found", { status: 404 });
    const { html } = withQuietWarnings(() => renderToHtml(render(), { islands: ISLANDS, assets, nonce: NONCE }));
    return new Response("<!DOCTYPE html>" + html, {
      headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": csp },
    });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

/** The /broken page warns on the server by design; keep test output readable. */
function withQuietWarnings<T>(fn: () => T): T {
  const warn = console.warn;
  console.warn = () => {};
  try {
    return fn();
  } finally {
    console.warn = warn;
  }
}

interface Collected {
  errors: string[];
  warnings: string[];
  jsRequests: string[];
}

function collect(page: Page): Collected {
  const collected: Collected = { errors: [], warnings: [], jsRequests: [] };
  page.on("console", (message) => {
    if (message.type() === "error") collected.errors.push(message.text());
    if (message.type() === "warning") collected.warnings.push(message.text());
  });
  page.on("pageerror", (error) => collected.errors.push(String(error)));
  page.on("request", (request) => {
    if (request.resourceType() === "script" || request.url().endsWith(".js")) collected.jsRequests.push(request.url());
  });
  return collected;
}

async function withSetup(
  csp: string,
  fn: (ctx: { server: TestServer; page: Page; collected: Collected }) => Promise<void>,
): Promise<void> {
  const outDir = await Deno.makeTempDir({ prefix: "islands-browser-" });
  let server: TestServer | undefined;
  const browser = await launchBrowser();
  try {
    const assets = await bundleIslands({ root: ROOT, islandFiles: Object.keys(MODULES), outDir });
    server = serve(assets, `${outDir}/js`, csp);
    const page = await browser.newPage();
    const collected = collect(page);
    await fn({ server, page, collected });
  } finally {
    await browser.close();
    await server?.close();
    await Deno.remove(outDir, { recursive: true });
  }
}

Deno.test({
  name: "islands in Chromium: hydrate in place under a nonce CSP, without layout shift",
  ignore: skipBrowserTests(),
  fn: () =>
    withSetup(CSP.self, async ({ server, page, collected }) => {
      // Hold the JavaScript back so the server HTML can be measured before hydration.
      let release!: () => void;
      const gate = new Promise<void>((resolve) => release = resolve);
      await page.route("**/_fresh/js/**", async (route) => {
        await gate;
        await route.continue();
      });
      await page.goto(`${server.url}/`, { waitUntil: "commit" });
      const counter = page.locator(".counter");
      await counter.waitFor();
      const before = await counter.boundingBox();
      await counter.evaluate((element) => ((element as unknown as { probe: number }).probe = 1));
      assertEquals(await page.locator(".counter output").textContent(), "3");

      release();
      await page.locator(".counter button:not([disabled])").waitFor();
      await page.locator(".shared-add:not([disabled])").waitFor();
      await page.locator(".card-toggle:not([disabled])").waitFor();

      assertEquals(await counter.boundingBox(), before, "the island moved or resized when it hydrated");
      assertEquals(
        await counter.evaluate((element) => (element as unknown as { probe?: number }).probe),
        1,
        "hydration replaced the server's element instead of adopting it",
      );
      const shift = await page.evaluate(() =>
        new Promise<number>((resolve) => {
          new PerformanceObserver((list) => {
            resolve(list.getEntries().reduce((sum, entry) => sum + (entry as unknown as { value: number }).value, 0));
          }).observe({ type: "layout-shift", buffered: true });
          setTimeout(() => resolve(0), 200);
        })
      );
      assertEquals(shift, 0, "layout shift measured during hydration");

      await page.click(".counter button");
      await page.click(".counter button");
      assertEquals(await page.locator(".counter output").textContent(), "5");
      assertEquals(await page.locator(".counter time").textContent(), "2026-01-01");

      // One signal on the server, one signal in the browser: both islands see the click.
      await page.click(".shared-add");
      assertEquals(await page.locator(".shared-view").textContent(), "11");

      // The slot keeps the server's children, and rebuilds them after a remount.
      assertEquals(await page.locator(".card-body").innerHTML(), '<p class="child">static <b>child</b></p>');
      await page.click(".card-toggle");
      assertEquals(await page.locator(".card-body").count(), 0);
      await page.click(".card-toggle");
      assertEquals(await page.locator(".card-body").innerHTML(), '<p class="child">static <b>child</b></p>');

      assertEquals(collected.errors, [], "console errors");
      assertEquals(collected.warnings, [], "console warnings");
      assertEquals(collected.jsRequests.filter((url) => url.includes("/_fresh/js/boot-")).length, 1);

      // The CSP is in force: an inline script without the nonce does not run.
      const inlineRan = await page.evaluate(() => {
        const script = document.createElement("script");
        script.textContent = "window.__inlineRan = true";
        document.head.append(script);
        return (window as unknown as { __inlineRan?: boolean }).__inlineRan ?? false;
      });
      assertEquals(inlineRan, false, "the CSP header did not apply");
    }),
});

Deno.test({
  name: "islands in Chromium: a strict-dynamic nonce CSP still lets the boot load its chunks",
  ignore: skipBrowserTests(),
  fn: () =>
    withSetup(CSP.strict, async ({ server, page, collected }) => {
      await page.goto(`${server.url}/`);
      await page.locator(".counter button:not([disabled])").waitFor();
      await page.click(".counter button");
      assertEquals(await page.locator(".counter output").textContent(), "4");
      assertEquals(collected.errors, []);
    }),
});

Deno.test({
  name: "islands in Chromium: a broken island is skipped or reported, the others still hydrate",
  ignore: skipBrowserTests(),
  fn: () =>
    withSetup(CSP.self, async ({ server, page, collected }) => {
      await page.addInitScript(() => {
        const w = window as unknown as { reported: string[]; __cgReportError: (e: unknown) => void };
        w.reported = [];
        w.__cgReportError = (error) => w.reported.push(String(error));
      });
      await page.goto(`${server.url}/broken`);
      await page.locator(".survivor .counter button:not([disabled])").waitFor();
      await page.click(".survivor .counter button");
      assertEquals(await page.locator(".survivor .counter output").textContent(), "2");

      const reported = await page.evaluate(() => (window as unknown as { reported: string[] }).reported);
      assertEquals(reported.length, 1);
      assert(reported[0].includes("boom"), reported[0]);
      assert(collected.errors.some((text) => text.includes("Boom")), collected.errors.join("\n"));
      assert(
        collected.warnings.some((text) => text.includes("Counter") && text.includes("split apart")),
        collected.warnings.join("\n"),
      );
    }),
});

Deno.test({
  name: "islands in Chromium: a page without islands loads no JavaScript",
  ignore: skipBrowserTests(),
  fn: () =>
    withSetup(CSP.self, async ({ server, page, collected }) => {
      await page.goto(`${server.url}/static`);
      assertEquals(await page.locator("p").textContent(), "no islands here");
      assertEquals(collected.jsRequests, []);
      assertEquals(await page.locator("script").count(), 0);
      assertEquals(collected.errors, []);
    }),
});
