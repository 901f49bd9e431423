import { assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { Hono } from "hono";
import {
  type FreshContext,
  HttpError,
  type Manifest,
  MethodNotAllowedError,
  mountRoutes,
  page,
  type PageProps,
} from "fresh";
import { compareRoutePatterns, routePattern } from "@/lib/fresh/route_path.ts";

interface TestState {
  trail: string[];
}

/** A manifest built in code, so each rule is tested without touching routes/. */
function testApp() {
  const manifest: Manifest = {
    routes: {
      "routes/_app.tsx": {
        default: ({ Component, state }: PageProps<unknown, TestState>) => (
          <html>
            <body data-trail={state.trail.join(">")}>
              <Component />
            </body>
          </html>
        ),
      },
      "routes/_layout.tsx": {
        default: ({ Component }: PageProps) => (
          <div class="root-layout">
            <Component />
          </div>
        ),
      },
      "routes/_middleware.ts": {
        handler: async (ctx: { state: TestState; next: () => Promise<Response> }) => {
          ctx.state.trail.push("root");
          const res = await ctx.next();
          res.headers.set("x-trail", ctx.state.trail.join(">"));
          return res;
        },
      },
      "routes/_404.tsx": { default: ({ url }: PageProps) => <h1>missing {url.pathname}</h1> },
      "routes/_500.tsx": {
        default: ({ error }: PageProps) => <h1>failed: {error instanceof HttpError ? error.message : "?"}</h1>,
      },
      "routes/index.tsx": { default: () => <p>home</p> },
      "routes/habits/_middleware.ts": {
        handler: [
          (ctx: { state: TestState; next: () => Promise<Response> }) => {
            ctx.state.trail.push("habits-a");
            return ctx.next();
          },
          (ctx: { state: TestState; next: () => Promise<Response> }) => {
            ctx.state.trail.push("habits-b");
            return ctx.next();
          },
        ],
      },
      "routes/twice/_middleware.ts": {
        handler: async (ctx: { state: TestState; next: () => Promise<Response> }) => {
          const res = await ctx.next();
          const again = await ctx.next().then(() => "ran again", (error: Error) => error.message);
          res.headers.set("x-again", again);
          return res;
        },
      },
      "routes/twice/index.ts": {
        handler: (ctx: { state: TestState }) => {
          ctx.state.trail.push("handler");
          return new Response(ctx.state.trail.join(">"));
        },
      },
      "routes/habits/_layout.tsx": {
        default: ({ Component }: PageProps) => (
          <section class="habits-layout">
            <Component />
          </section>
        ),
      },
      "routes/habits/new.tsx": { default: () => <p>new habit form</p> },
      "routes/habits/[id].tsx": {
        handler: {
          GET: (ctx: { params: Record<string, string> }) => page({ id: ctx.params.id }),
          DELETE: () => new Response(null, { status: 204 }),
        },
        default: ({ data }: PageProps<{ id: string }>) => <p>habit {data.id}</p>,
      },
      "routes/habits/[...rest].tsx": {
        handler: (ctx: { params: Record<string, string> }) => new Response(`rest=${ctx.params.rest}`),
      },
      "routes/(marketing)/about.tsx": { default: () => <p>about us</p> },
      "routes/boom.tsx": {
        handler: () => {
          throw new HttpError(418, "<b>teapot</b>");
        },
      },
      "routes/go.ts": {
        handler: (ctx: { url: URL; redirect: (p: string, status?: 303) => Response }) =>
          ctx.redirect(ctx.url.searchParams.get("to")!, 303),
      },
      "routes/go-default.ts": {
        handler: (ctx: { redirect: (p: string) => Response }) => ctx.redirect("/habits"),
      },
    },
    islands: {},
  };
  const app = new Hono<{ Variables: { state: TestState } }>();
  app.use(async (c, next) => {
    c.set("state", { trail: [] });
    await next();
  });
  const router = mountRoutes(app, { manifest, assets: null, state: (c) => c.get("state"), nonce: () => "n0nce" });
  app.onError((error, c) => {
    const status = error instanceof HttpError ? error.status : 500;
    const headers = error instanceof MethodNotAllowedError ? { Allow: error.allow.join(", ") } : undefined;
    return router.renderError(c, status, error, headers);
  });
  return { app, router };
}

Deno.test("route paths: groups vanish, params and catch-alls map to Hono patterns", () => {
  assertEquals(routePattern("index.tsx"), "/");
  assertEquals(routePattern("habits/[id]/edit.tsx"), "/habits/:id/edit");
  assertEquals(routePattern("(app)/settings/index.tsx"), "/settings");
  assertEquals(routePattern("docs/[...path].tsx"), "/docs/*");
  const sorted = ["/habits/*", "/habits/:id", "/habits/new", "/:slug", "/about"].sort(compareRoutePatterns);
  assertEquals(sorted, ["/about", "/habits/new", "/habits/:id", "/habits/*", "/:slug"]);
});

Deno.test("static segments win over params, which win over catch-alls", async () => {
  const { app } = testApp();
  assertStringIncludes(await (await app.request("/habits/new")).text(), "new habit form");
  assertStringIncludes(await (await app.request("/habits/42")).text(), "habit 42");
  assertEquals(await (await app.request("/habits/42/log/x")).text(), "rest=42/log/x");
  assertStringIncludes(await (await app.request("/about")).text(), "about us");
});

Deno.test("methods: undeclared → 405 with Allow, OPTIONS → 204, HEAD falls back to GET with no body", async () => {
  const { app } = testApp();
  const post = await app.request("/habits/42", { method: "POST" });
  assertEquals(post.status, 405);
  assertEquals(post.headers.get("allow"), "GET, HEAD, DELETE, OPTIONS");
  assertEquals((await app.request("/habits/42", { method: "DELETE" })).status, 204);
  const options = await app.request("/habits/42", { method: "OPTIONS" });
  assertEquals(options.status, 204);
  assertEquals(options.headers.get("allow"), "GET, HEAD, DELETE, OPTIONS");
  const head = await app.request("/habits/42", { method: "HEAD" });
  assertEquals(head.status, 200);
  assertEquals(head.headers.get("content-type"), "text/html; charset=utf-8");
  assertEquals(await head.text(), "");
  // A page without a handler has an implicit GET only.
  assertEquals((await app.request("/habits/new", { method: "PUT" })).status, 405);
});

Deno.test("middleware runs root → leaf; layouts nest root → leaf inside _app", async () => {
  const { app } = testApp();
  const res = await app.request("/habits/7");
  assertEquals(res.headers.get("x-trail"), "root>habits-a>habits-b");
  const html = await res.text();
  assertMatch(html, /^<!DOCTYPE html><html><body data-trail="root>habits-a>habits-b">/);
  assertMatch(html, /<div class="root-layout"><section class="habits-layout"><p>habit 7<\/p><\/section><\/div>/);
  // Outside habits/, only the root middleware and layout apply.
  const home = await app.request("/");
  assertEquals(home.headers.get("x-trail"), "root");
  assertEquals((await home.text()).includes("habits-layout"), false);
});

Deno.test("a middleware that calls ctx.next() twice gets a rejection; the rest of the chain runs once", async () => {
  const { app } = testApp();
  const res = await app.request("/twice");
  assertEquals(await res.text(), "root>handler");
  assertEquals(res.headers.get("x-again"), "ctx.next() called twice in one middleware");
});

Deno.test("unknown paths render _404 (through the root middleware) and errors render _500 escaped", async () => {
  const { app } = testApp();
  const missing = await app.request("/nope/<script>");
  assertEquals(missing.status, 404);
  const missingHtml = await missing.text();
  assertStringIncludes(missingHtml, 'data-trail="root"');
  assertStringIncludes(missingHtml, "missing /nope/%3Cscript%3E");
  const boom = await app.request("/boom");
  assertEquals(boom.status, 418);
  const html = await boom.text();
  assertStringIncludes(html, "failed: &lt;b>teapot&lt;/b>");
  assertStringIncludes(html, '<div class="root-layout">');
});

Deno.test("redirects go to local paths only", async () => {
  const { app } = testApp();
  for (
    const [to, location] of [
      ["/habits/1", "/habits/1"],
      ["//evil.example", "/"],
      ["https://evil.example", "/"],
      ["/\\evil", "/"],
      ["/\t/evil.example", "/"],
      ["/a\u007fb", "/"],
      // A Location header carries bytes: past ASCII is percent-encoded, never a 500.
      ["/／／", "/%EF%BC%8F%EF%BC%8F"],
      ["/habits?q=é ü", "/habits?q=%C3%A9%20%C3%BC"],
      ["/%EF%BC%8F", "/%EF%BC%8F"],
    ]
  ) {
    const res = await app.request(`/go?to=${encodeURIComponent(to)}`);
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), location, to);
  }
});

Deno.test("ctx.redirect defaults to 302, as Fresh's does", async () => {
  const { app } = testApp();
  const res = await app.request("/go-default");
  assertEquals(res.status, 302);
  assertEquals(res.headers.get("location"), "/habits");
});

Deno.test("two route files for one pattern are refused at start-up", () => {
  const app = new Hono();
  let message = "";
  try {
    mountRoutes(app, {
      manifest: {
        routes: { "routes/a.tsx": { default: () => null }, "routes/(g)/a.tsx": { default: () => null } },
        islands: {},
      },
      assets: null,
      state: () => ({}),
      nonce: () => "",
    });
  } catch (error) {
    message = (error as Error).message;
  }
  assertStringIncludes(message, "both map to /a");
});

Deno.test("ctx.route is the matched pattern, ctx.info is set in process, ctx.render(vnode) renders inside the layouts", async () => {
  const manifest: Manifest = {
    routes: {
      "routes/_layout.tsx": {
        default: ({ Component }: PageProps) => (
          <main class="layout">
            <Component />
          </main>
        ),
      },
      "routes/habits/[id].tsx": {
        handler: (ctx: FreshContext) => new Response(`${ctx.route} ${"path" in ctx.info.remoteAddr}`),
      },
      "routes/hello.tsx": { handler: (ctx: FreshContext) => ctx.render(<h1>hello</h1>, { status: 201 }) },
    },
    islands: {},
  };
  const app = new Hono();
  mountRoutes(app, { manifest, assets: null, state: () => ({}), nonce: () => "n" });
  assertEquals(await (await app.request("/habits/7")).text(), "/habits/:id true");
  const hello = await app.request("/hello");
  assertEquals(hello.status, 201);
  assertStringIncludes(await hello.text(), '<main class="layout"><h1>hello</h1></main>');
});
