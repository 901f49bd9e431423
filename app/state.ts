/**
 * The per-request state, typed once for the whole app (Fresh's `utils/state.ts`),
 * and the `define` helpers bound to it.
 */
import type { Config } from "@/lib/config.ts";
import type { Db } from "@/db/client.ts";
import type { AuthUser } from "@/db/users.ts";
import { createDefine } from "fresh";
import type { PushServices } from "@/lib/push/services.ts";

/** Long-lived dependencies, opened once at start-up and shared by every request. */
export interface Services {
  config: Config;
  db: Db;
  kv: Deno.Kv;
  /** `performance.now()` at start-up, for `uptimeS`. */
  startedAt: number;
  /** Push reminders and one-tap links (lib/push/services.ts); absent: both off. */
  push?: PushServices;
}

/** A message for the next page. */
export interface Flash {
  text: string;
  /** `success` (the default) or `error` (a failure that still redirected, e.g. nothing to undo). */
  kind: "success" | "error";
}

export interface State {
  requestId: string;
  /** The CSP nonce of this response's inline script. */
  nonce: string;
  services: Services;
  /** The page's `<title>` (before " · ConsistencyGrid"); handlers set it. */
  title?: string;
  /** The signed-in user, set by the root middleware. */
  user?: AuthUser;
  /** The user's read-cache version as authentication read it (lib/cache/user_cache.ts reuses it). */
  userVersion?: string;
  /** Users this request changed besides the signed-in one; bumped after success (app/cache/invalidate.ts). */
  changedUserIds?: Set<string>;
  /**
   * Set by a handler whose write cannot change the signed-in user's credentials or
   * profile (a check-in): the bump after it may keep this instance's memory of the user
   * (app/cache/invalidate.ts, `keepsSignedInUser`).
   */
  keepsAuth?: boolean;
  /** How the user authenticated: a browser session (CSRF-checked) or a Bearer token. */
  auth?: { kind: "session"; sessionHash: string } | { kind: "token" };
  /** The confirmation left by the previous form action, shown by the layout (app/flash.ts). */
  flash?: Flash;
  /** The confirmation this response leaves for the next page (set with `setFlash`). */
  flashOut?: { flash: Flash; sessionHash?: string };
  /** The signed-in user's unread notifications, for the header; set on page requests (app/notifications_count.ts). */
  unreadNotifications?: number;
}

/** Hono's environment type for this app. */
export interface AppEnv {
  Variables: { state: State };
}

export const define = createDefine<State>();
