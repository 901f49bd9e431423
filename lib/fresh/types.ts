/**
 * The types of the Fresh-style layer: what route modules export and receive.
 * Names follow Fresh so that a later move to real Fresh changes imports only.
 */
import type { ComponentType, VNode } from "preact";

/** What a page component (and `_app`, `_layout`, `_404`, `_500`) receives. */
export interface PageProps<Data = unknown, State = Record<string, unknown>> {
  data: Data;
  url: URL;
  params: Record<string, string>;
  state: State;
  req: Request;
  /** The wrapped content, for `_app` and `_layout`. */
  Component: ComponentType;
  /** Set on error pages (`_404`, `_500`). */
  error?: unknown;
}

/** The per-request context handlers and middleware get. */
export interface FreshContext<State = Record<string, unknown>> {
  readonly req: Request;
  readonly url: URL;
  readonly params: Record<string, string>;
  /** Per-request state; middleware adds to it. */
  readonly state: State;
  /**
   * Deno's serve info, as in Fresh 2. A request made in process (`app.request()` in
   * tests) has no socket peer: it gets {@linkcode IN_PROCESS_INFO}, whose `remoteAddr`
   * is a Unix address with an empty path (no hostname to key a per-IP budget on).
   */
  readonly info: Deno.ServeHandlerInfo;
  /** The matched route pattern (`/api/habits/:id`), as in Fresh 2; null when no route matched. */
  readonly route: string | null;
  /** Calls the next middleware, or the route handler at the end of the chain. */
  next(): Promise<Response>;
  /**
   * A redirect to a local path; absolute and protocol-relative URLs are refused. 302 by
   * default, as in Fresh: a form handler passes 303 so the browser follows with a GET.
   */
  redirect(path: string, status?: 301 | 302 | 303 | 307 | 308): Response;
  /**
   * Renders `vnode` inside the route's layouts and `_app` to an HTML response, as in
   * Fresh 2. Page data goes through `page(data, init)` returned from the handler.
   */
  render(vnode: VNode | null, init?: ResponseInit): Promise<Response>;
}

/** The serve info of a request made in process, without a socket (see `FreshContext.info`). */
export const IN_PROCESS_INFO: Deno.ServeHandlerInfo = {
  remoteAddr: { transport: "unix", path: "" },
  completed: Promise.resolve(),
};

export interface PageOptions {
  status?: number;
  headers?: HeadersInit;
}

/** What `page(data)` returns: the handler asks for its page to render with `data`. */
export interface PageResult<Data> {
  readonly __page: true;
  readonly data: Data;
  readonly status?: number;
  readonly headers?: HeadersInit;
}

export type HandlerResult<Data> = Response | PageResult<Data>;

/** One handler function. */
export type HandlerFn<Data = unknown, State = Record<string, unknown>> = (
  ctx: FreshContext<State>,
) => HandlerResult<Data> | Promise<HandlerResult<Data>>;

export type Method = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

/** A route's `handler` export: one function for every method, or one per method. */
export type Handlers<Data = unknown, State = Record<string, unknown>> =
  | HandlerFn<Data, State>
  | Partial<Record<Method, HandlerFn<Data, State>>>;

export type Middleware<State = Record<string, unknown>> = (
  ctx: FreshContext<State>,
) => Response | Promise<Response>;

/** A module under `routes/`, as the manifest imports it. */
export interface RouteModule {
  // deno-lint-ignore no-explicit-any
  handler?: Handlers<any, any> | Middleware<any> | Middleware<any>[];
  // Any page component: each route types its own data and state.
  // deno-lint-ignore no-explicit-any
  default?: ComponentType<any> | ((props: any) => VNode | null);
}

/** The generated `fresh.gen.ts`: every route and island module, by file. */
export interface Manifest {
  /** "routes/habits/[id].tsx" → module */
  routes: Record<string, RouteModule>;
  /** "islands/Counter.tsx" → module */
  islands: Record<string, Record<string, unknown>>;
}
