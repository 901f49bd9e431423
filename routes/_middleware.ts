import { authenticate } from "@/app/auth/authenticate.ts";
import { csrfGuard } from "@/app/auth/csrf.ts";
import { invalidateOnWrite } from "@/app/cache/invalidate.ts";
import { rateLimit } from "@/app/rate_limit/middleware.ts";
import { notificationsCount } from "@/app/notifications_count.ts";
import { flashMessages } from "@/app/flash.ts";
import { define } from "@/app/state.ts";
import { urlGuard } from "@/app/url_guard.ts";

/**
 * Every request: parameters that could never name stored text are refused first (no
 * database work for them), then who is asking, then the CSRF guard for cookie-authenticated writes,
 * then rate limits. CSRF first so a forged cross-site post is refused before it can
 * spend the victim's budget (and costs no KV write); rate limits need the user. Last,
 * every successful write invalidates the user's read cache (app/cache/invalidate.ts), and
 * flash messages cross redirects (app/flash.ts).
 */
export const handler = define.middleware([
  urlGuard,
  authenticate,
  csrfGuard,
  rateLimit,
  invalidateOnWrite,
  notificationsCount,
  flashMessages,
]);
