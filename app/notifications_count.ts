/**
 * Puts the signed-in user's unread notification count in `ctx.state.unreadNotifications`
 * for page requests, so the layout (which renders synchronously) can show
 * "Notifications (3)" in the header. One count from the partial unread index, kept in
 * the user's read cache (lib/cache/user_cache.ts): every writer of notifications bumps
 * the user's version (the scheduler's jobs report whom they changed; marking read is a
 * signed-in write), so a warm page costs no Postgres round trip for its badge. Skipped
 * for `/api`, static files, writes and signed-out requests, which have no header.
 *
 * @example
 * ```ts
 * export const handler = define.middleware([authenticate, notificationsCount]);
 * ```
 */
import { countUnreadNotifications } from "@/db/notifications.ts";
import type { FreshContext } from "fresh";
import { cachedValue } from "@/lib/cache/user_cache.ts";
import { log } from "@/lib/log.ts";
import type { State } from "./state.ts";

export function notificationsCount(ctx: FreshContext<State>): Promise<Response> {
  // Anonymous requests (probes, the API without a user) have no badge to count.
  if (!ctx.state.user) return ctx.next();
  return countThenNext(ctx);
}

async function countThenNext(ctx: FreshContext<State>): Promise<Response> {
  const { user } = ctx.state;
  const isPage = ctx.req.method === "GET" && !ctx.url.pathname.startsWith("/api/") &&
    !ctx.url.pathname.startsWith("/_fresh/") && !/\.[a-z0-9]+$/i.test(ctx.url.pathname);
  if (user && isPage) {
    try {
      const { value } = await cachedValue(
        ctx,
        user.id,
        ["unread_notifications"],
        () => countUnreadNotifications(ctx.state.services.db, user.id),
      );
      ctx.state.unreadNotifications = value;
    } catch (error) {
      // A badge is not worth failing the page for: the page itself reports an outage.
      log.warn("notifications.count_failed", { error: error instanceof Error ? error.message : String(error) });
    }
  }
  return await ctx.next();
}
