/**
 * File-system routing on Hono: every module of the manifest's `routes/` becomes one
 * `app.all(pattern)` entry, registered most specific first, running its folders'
 * `_middleware` chain (root → leaf) around the handler/page contract.
 *
 * @example
 * ```ts
 * const app = new Hono();
 * const fresh = mountRoutes(app, { manifest, assets, state: (c) => c.get("state"), nonce: (c) => c.get("state").nonce });
 * app.onError((err, c) => fresh.renderError(c, 500, err));
 * ```
 */
import type { Context, Hono } from "hono";
import type { ComponentType, VNode } from "preact";
import { isPageResult } from "./define.ts";
import { HttpError } from "./http_error.ts";
import { MethodNotAllowedError } from "./method_not_allowed.ts";
import { type IslandAssets, islandEntries } from "./islands/server.ts";
import { renderDocument } from "./render.ts";
import { catchAllName, compareRoutePatterns, folderChain, isSpecialFile, routePattern } from "./route_path.ts";
import {
  type FreshContext,
  type HandlerFn,
  IN_PROCESS_INFO,
  type Manifest,
  type Method,
  type Middleware,
  type PageOptions,
  type PageProps,
  type RouteModule,
} from "./types.ts";

// deno-lint-ignore no-explicit-any
type AnyContext = Context<any>;

const METHODS: readonly Method[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

export interface RouterOptions<State> {
  manifest: Manifest;
  assets: IslandAssets | null;
  /** The request's state object, created by the app's pipeline before routing. */
  state(c: AnyContext): State;
  /** The CSP nonce for this request's inline script. */
  nonce(c: AnyContext): string;
}

export interface Router {
  /** Renders `_404` (404) or `_500` (anything else) as an HTML response with `headers` (`Allow`, `Retry-After`). */
  renderError(c: AnyContext, status: number, error: unknown, headers?: HeadersInit): Response;
  /** The registered patterns in match order (for tests and the route table in logs). */
  patterns: string[];
}

// deno-lint-ignore no-explicit-any
type AnyPage = ComponentType<PageProps<any, any>>;

interface Route {
  file: string;
  pattern: string;
  module: RouteModule;
  middlewares: Middleware<unknown>[];
  layouts: AnyPage[];
  rest: string | undefined;
  /** `ctx.render(vnode)` for this route, made once (not a closure per request). */
  renderVNode: VNodeRenderer;
}

/** Renders `vnode` for the request of `c` as `ctx.render` does. */
type VNodeRenderer = (
  c: AnyContext,
  ctx: FreshContext<unknown>,
  vnode: VNode | null,
  init: ResponseInit | undefined,
) => Response;

/** Registers the manifest's routes on `app` and returns the error renderer. */
// deno-lint-ignore no-explicit-any
export function mountRoutes<State>(app: Hono<any>, options: RouterOptions<State>): Router {
  const { manifest } = options;
  const islands = islandEntries(manifest.islands);
  const special = (name: string) => manifest.routes[`routes/${name}`];
  const appShell = (special("_app.tsx") ?? special("_app.ts"))?.default as AnyPage | undefined;
  const page404 = (special("_404.tsx") ?? special("_404.ts"))?.default as AnyPage | undefined;
  const page500 = (special("_500.tsx") ?? special("_error.tsx") ?? special("_500.ts"))?.default as
    | AnyPage
    | undefined;

  const inFolder = (folder: string, name: string) => {
    const prefix = folder === "" ? "routes/" : `routes/${folder}/`;
    return manifest.routes[`${prefix}${name}.tsx`] ?? manifest.routes[`${prefix}${name}.ts`];
  };
  const middlewaresFor = (folders: string[]) =>
    folders.flatMap((folder) => {
      const handler = inFolder(folder, "_middleware")?.handler;
      if (!handler) return [];
      return (Array.isArray(handler) ? handler : [handler]) as Middleware<unknown>[];
    });

  const routes: Route[] = Object.entries(manifest.routes)
    .filter(([file]) => !isSpecialFile(file))
    .map(([file, module]) => {
      const relative = file.slice("routes/".length);
      const folders = folderChain(relative);
      return {
        file,
        pattern: routePattern(relative),
        module,
        middlewares: middlewaresFor(folders),
        layouts: folders.map((folder) => inFolder(folder, "_layout")?.default as AnyPage | undefined)
          .filter((layout): layout is AnyPage => layout !== undefined),
        rest: catchAllName(relative),
      };
    })
    .map((route): Route => ({
      ...route,
      renderVNode: (c, ctx, vnode, init) => renderVNode(c, route, ctx, vnode, init),
    }))
    .sort((a, b) => compareRoutePatterns(a.pattern, b.pattern));

  const seen = new Map<string, string>();
  for (const route of routes) {
    const other = seen.get(route.pattern);
    if (other) throw new Error(`${route.file} and ${other} both map to ${route.pattern}: rename one of them`);
    seen.set(route.pattern, route.file);
  }

  const render = (
    c: AnyContext,
    route: { layouts: AnyPage[] },
    Page: AnyPage,
    props: Omit<PageProps, "Component">,
    init: PageOptions = {},
  ) => {
    const html = renderDocument({
      app: appShell,
      layouts: route.layouts,
      page: Page,
      props,
      islands,
      assets: options.assets,
      nonce: options.nonce(c),
    });
    const headers = new Headers(init.headers);
    if (!headers.has("content-type")) headers.set("content-type", "text/html; charset=utf-8");
    return new Response(c.req.method === "HEAD" ? null : html, { status: init.status ?? 200, headers });
  };

  for (const route of routes) {
    app.all(route.pattern, (c) => {
      const params = { ...c.req.param() } as Record<string, string>;
      const ctx: FreshContext<unknown> = new RouteContext(
        c,
        route.pattern,
        params,
        options.state(c) as unknown,
        route.renderVNode,
      );
      if (route.rest) params[route.rest] = decodeURIComponent(ctx.url.pathname.slice(route.pattern.length - 1));
      return runStep({ ctx, middlewares: route.middlewares, last: runRoute, c, route }, 0);
    });
  }

  /** The end of a matched route's chain: its handler or page. */
  function runRoute({ c, route, ctx }: Chain): Promise<Response> {
    const handler = pickHandler(route!.module, c.req.method);
    if (handler === "page") return Promise.resolve(renderPage(c, route!, ctx, undefined));
    if (handler === "options") {
      return Promise.resolve(
        new Response(null, { status: 204, headers: { Allow: allowed(route!.module).join(", ") } }),
      );
    }
    if (!handler) {
      throw new MethodNotAllowedError(allowed(route!.module), `${c.req.method} is not allowed on ${route!.pattern}`);
    }
    return Promise.resolve(handler(ctx as FreshContext<never>)).then((result) => {
      if (result instanceof Response) return stripHeadBody(c.req.method, result);
      if (isPageResult(result)) return renderPage(c, route!, ctx, result.data, result);
      throw new Error(`${route!.file}: the handler must return a Response or page(data), got ${typeof result}`);
    });
  }

  // Unmatched paths still run the middleware of the static folders they fall under
  // (so a 404 page knows the signed-in user), then become a 404.
  const folderSet = new Set(routes.flatMap((route) => folderChain(route.file.slice("routes/".length))));
  app.all("*", (c) => {
    const ctx = new RouteContext(c, null, {}, options.state(c) as unknown, noPageRender);
    const path = ctx.url.pathname;
    const parts = path.split("/").filter(Boolean);
    const folders = [""];
    for (let i = 1; i <= parts.length; i++) {
      const folder = parts.slice(0, i).join("/");
      if (!folderSet.has(folder)) break;
      folders.push(folder);
    }
    return runStep({ ctx, middlewares: middlewaresFor(folders), last: noPage, c, route: undefined }, 0);
  });

  function renderPage(
    c: AnyContext,
    route: Route,
    ctx: FreshContext<unknown>,
    data: unknown,
    init: PageOptions = {},
  ) {
    const Page = route.module.default as AnyPage | undefined;
    if (!Page) throw new Error(`${route.file} returned page(data) but has no default page component`);
    return render(
      c,
      route,
      Page,
      { data, url: ctx.url, params: ctx.params, state: ctx.state as never, req: ctx.req },
      init,
    );
  }

  /** Fresh 2's `ctx.render(vnode)`: the element stands where the page would, inside layouts and `_app`. */
  function renderVNode(
    c: AnyContext,
    route: { layouts: AnyPage[] },
    ctx: FreshContext<unknown>,
    vnode: VNode | null,
    init: ResponseInit = {},
  ) {
    return render(
      c,
      route,
      () => vnode,
      { data: undefined, url: ctx.url, params: ctx.params, state: ctx.state as never, req: ctx.req },
      { status: init.status, headers: init.headers },
    );
  }

  return {
    patterns: routes.map((route) => route.pattern),
    renderError(c, status, error, headers) {
      const Page = (status === 404 ? page404 : page500) ?? page500 ?? DefaultError;
      const rootLayout = inFolder("", "_layout")?.default as AnyPage | undefined;
      const layouts = rootLayout ? [rootLayout] : [];
      return render(c, { layouts }, Page, {
        data: undefined,
        error,
        url: new URL(c.req.url),
        params: {},
        state: options.state(c) as never,
        req: c.req.raw,
      }, { status, headers });
    },
  };
}

function DefaultError({ error }: PageProps) {
  return <p>{error instanceof HttpError ? error.message : "Something went wrong"}</p>;
}

function pickHandler(module: RouteModule, method: string): HandlerFn<unknown, never> | "options" | "page" | undefined {
  const handler = module.handler;
  if (typeof handler === "function") return handler as HandlerFn<unknown, never>;
  if (handler && typeof handler === "object" && !Array.isArray(handler)) {
    const byMethod = handler as Partial<Record<Method, HandlerFn<unknown, never>>>;
    const fn = byMethod[method as Method] ?? (method === "HEAD" ? byMethod.GET : undefined);
    if (fn) return fn;
  }
  if (method === "OPTIONS") return "options";
  if (!handler && module.default && (method === "GET" || method === "HEAD")) return "page";
  return undefined;
}

function allowed(module: RouteModule): string[] {
  const handler = module.handler;
  if (typeof handler === "function") return [...METHODS];
  const methods = handler && typeof handler === "object" && !Array.isArray(handler)
    ? Object.keys(handler) as Method[]
    : module.default
    ? ["GET" as Method]
    : [];
  const out = new Set<Method>(methods);
  if (out.has("GET")) out.add("HEAD");
  out.add("OPTIONS");
  return METHODS.filter((method) => out.has(method));
}

function stripHeadBody(method: string, response: Response): Response {
  if (method !== "HEAD" || response.body === null) return response;
  return new Response(null, { status: response.status, headers: response.headers });
}

const noNext = () => Promise.reject(new Error("ctx.next() is only available in middleware"));

/**
 * The Fresh context of one request. A class rather than an object literal: the literal
 * made three closures per request (`next`, `redirect`, `render`); here they are methods,
 * and the renderer is the route's, made once.
 */
class RouteContext<State> implements FreshContext<State> {
  readonly req: Request;
  readonly url: URL;
  next: () => Promise<Response> = noNext;
  readonly #c: AnyContext;
  readonly #render: VNodeRenderer;
  #info: Deno.ServeHandlerInfo | undefined = undefined;

  constructor(
    c: AnyContext,
    readonly route: string | null,
    readonly params: Record<string, string>,
    readonly state: State,
    render: VNodeRenderer,
  ) {
    this.#c = c;
    this.#render = render;
    this.req = c.req.raw;
    this.url = new URL(c.req.url);
  }

  /** Read on first use: Deno's `remoteAddr` is a call into the runtime, and most requests never ask. */
  get info(): Deno.ServeHandlerInfo {
    return this.#info ??= (this.#c.env as { remoteAddr?: unknown } | undefined)?.remoteAddr
      ? this.#c.env as Deno.ServeHandlerInfo
      : IN_PROCESS_INFO;
  }

  redirect(path: string, status: 301 | 302 | 303 | 307 | 308 = 302): Response {
    return redirectResponse(path, status);
  }

  render(vnode: VNode | null, init?: ResponseInit): Promise<Response> {
    try {
      return Promise.resolve(this.#render(this.#c, this as FreshContext<unknown>, vnode, init));
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

/** A redirect to a local path; anything else (absolute, `//host`, `/\host`) goes to "/". */
export function redirectResponse(path: string, status = 302): Response {
  return new Response(null, { status, headers: { Location: safeLocalPath(path) } });
}

/**
 * `path` when it is a path on this origin, otherwise "/": the guard against open
 * redirects. The result is always fit for a `Location` header, which carries bytes, not
 * text: characters past ASCII come back percent-encoded as UTF-8 (`/／` → `/%EF%BC%8F`),
 * as a browser would send them; text that has no UTF-8 form (a lone surrogate) is refused.
 */
export function safeLocalPath(path: string | null | undefined): string {
  if (!path || !path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return "/";
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(path) || !path.isWellFormed()) return "/";
  return path.replace(/[^\x21-\x7e]+/g, (run) => encodeURI(run));
}

/** One request's walk along its middleware chain. */
interface Chain {
  ctx: FreshContext<unknown>;
  middlewares: Middleware<unknown>[];
  /** What runs past the last middleware: a module- or router-level function, not a per-request closure. */
  last: (chain: Chain) => Promise<Response>;
  c: AnyContext;
  /** The matched route; undefined for a path no route matched. */
  route: Route | undefined;
}

/** The end of the chain where no route matched: a 404. */
function noPage(chain: Chain): never {
  throw new HttpError(404, `No page at ${chain.ctx.url.pathname}`);
}

/** `ctx.render` where no route matched: a 404 too. */
function noPageRender(_c: AnyContext, ctx: FreshContext<unknown>): never {
  throw new HttpError(404, `No page at ${ctx.url.pathname}`);
}

/**
 * Runs middleware `i` of the chain (or its `last` past the end), with `ctx.next` set to
 * run `i + 1`, once.
 *
 * The `next` closures are made here, at module level, closing over the chain and an
 * index only. Made inside a per-request function (as they were), each one held that
 * function's whole scope, and storing it into the request's context kept V8's scavenger
 * from freeing whole requests: about a quarter of all young allocations survived into
 * the old generation until the next full collection (+90 MB RSS and a third less
 * throughput on `GET /api/health`, measured with --trace-gc-nvp; docs/performance.md).
 */
function runStep(chain: Chain, i: number): Promise<Response> {
  if (i >= chain.middlewares.length) return chain.last(chain);
  (chain.ctx as { next: () => Promise<Response> }).next = nextAfter(chain, i);
  return Promise.resolve(chain.middlewares[i](chain.ctx));
}

function nextAfter(chain: Chain, i: number): () => Promise<Response> {
  let called = false;
  return () => {
    if (called) return Promise.reject(new Error("ctx.next() called twice in one middleware"));
    called = true;
    return runStep(chain, i + 1);
  };
}
