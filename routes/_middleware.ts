import { authenticate } from "../lib/auth/authenticate.ts";
import { csrfGuard } from "../lib/auth/csrf.ts";
import { invalidateOnWrite } from "../lib/cache/invalidate.ts";
import { rateLimit } from "../lib/rate_limit/middleware.ts";
import { notificationsCount } from "../lib/notifications_count.ts";
import { flashMessages } from "../lib/flash.ts";
import { define } from "../lib/state.ts";
import { urlGuard } from "../lib/url_guard.ts";

/**
 * Every request: parameters that could never name stored text are refused first (no
 * database work for them), then who is asking, then the CSRF guard for cookie-authenticated writes,
 * then rate limits. CSRF first so a forged cross-site post is refused before it can
 * spend the victim's budget (and costs no KV write); rate limits need the user. Last,
 * every successful write invalidates the user's read cache (lib/cache/invalidate.ts), and
 * flash messages cross redirects (lib/flash.ts).
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
