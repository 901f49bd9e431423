/**
 * Identity helpers that only add types, as in Fresh: `define.page`, `define.handlers`,
 * `define.middleware`. Create one per app with the app's `State`.
 *
 * @example
 * ```ts
 * export const define = createDefine<State>();
 * export const handler = define.handlers({ GET: () => page({ n: 1 }) });
 * export default define.page<typeof handler>(({ data }) => <p>{data.n}</p>);
 * ```
 */
import type { ComponentType } from "preact";
import type {
  HandlerFn,
  HandlerResult,
  Handlers,
  Method,
  Middleware,
  PageOptions,
  PageProps,
  PageResult,
} from "./types.ts";

/** Asks the route's page to render with `data`. */
export function page<Data>(data: Data, options: PageOptions = {}): PageResult<Data> {
  return { __page: true, data, status: options.status, headers: options.headers };
}

/** True for what {@linkcode page} returns. */
export function isPageResult(value: unknown): value is PageResult<unknown> {
  return typeof value === "object" && value !== null && (value as { __page?: unknown }).__page === true;
}

type DataOf<H> = unknown extends H ? unknown
  : H extends HandlerFn<infer D, never> ? D
  : H extends Partial<Record<Method, (...args: never[]) => unknown>> ? {
      [K in keyof H]: H[K] extends (...args: never[]) => infer R ? Awaited<R> extends HandlerResult<infer D> ? D : never
        : never;
    }[keyof H]
  : never;

export interface Define<State> {
  handlers<H extends Handlers<unknown, State>>(handlers: H): H;
  page<H = unknown, Data = DataOf<H>>(
    component: ComponentType<PageProps<Data, State>>,
  ): ComponentType<PageProps<Data, State>>;
  middleware(middleware: Middleware<State> | Middleware<State>[]): Middleware<State> | Middleware<State>[];
}

export function createDefine<State>(): Define<State> {
  return {
    handlers: (handlers) => handlers,
    page: (component) => component,
    middleware: (middleware) => middleware,
  };
}
