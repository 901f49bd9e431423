/**
 * The Fresh-style layer's public surface. Import from here, not from its files, so a
 * later move to real Fresh is a change of this import.
 */
export { createDefine, page } from "./define.ts";
export type { Define } from "./define.ts";
export { HttpError } from "./http_error.ts";
export { MethodNotAllowedError } from "./method_not_allowed.ts";
export { mountRoutes, redirectResponse, safeLocalPath } from "./router.tsx";
export type { Router, RouterOptions } from "./router.tsx";
export { loadStaticFiles, serveStatic } from "./static_files.ts";
export { IN_PROCESS_INFO } from "./types.ts";
export type {
  FreshContext,
  HandlerFn,
  Handlers,
  Manifest,
  Middleware,
  PageOptions,
  PageProps,
  RouteModule,
} from "./types.ts";
