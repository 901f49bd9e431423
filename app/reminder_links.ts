/**
 * The one-tap Done/Skip links of a habit reminder (lib/one_tap.ts tokens), signed when
 * the reminder is sent (push or e-mail), so each link is valid for 48 hours from the
 * moment it reached the user. Each leads to `/one-tap/<token>`: a confirmation page
 * with one button (opening it changes nothing: mail scanners open links).
 *
 * @example
 * ```ts
 * const links = await reminderLinks(services.push, config.appOrigin, { userId, habitId, localDate });
 * if (links) text += `\nDone: ${links.done}\nSkip: ${links.skip}\n`;
 * ```
 */
import { signOneTap } from "@/lib/one_tap.ts";
import type { PushServices } from "@/lib/push/services.ts";

/** The two links of one reminder. */
export interface ReminderLinks {
  done: string;
  skip: string;
}

/** The page a one-tap token opens, on `origin`. */
export function oneTapUrl(origin: string, token: string): string {
  return `${origin}/one-tap/${token}`;
}

/**
 * Fresh Done and Skip links for `scope` at `now`; null when one-tap is off (no
 * `APP_SECRET` with `DATABASE_URL`).
 */
export async function reminderLinks(
  push: Pick<PushServices, "oneTapKeys"> | undefined,
  origin: string,
  scope: { userId: string; habitId: string; localDate: string },
  now: Date = new Date(),
): Promise<ReminderLinks | null> {
  const key = push?.oneTapKeys?.[0];
  if (!key) return null;
  const [done, skip] = await Promise.all([
    signOneTap(key, { ...scope, action: "done" }, now),
    signOneTap(key, { ...scope, action: "skip" }, now),
  ]);
  return { done: oneTapUrl(origin, done), skip: oneTapUrl(origin, skip) };
}

/**
 * The lines added to a habit reminder's e-mail: the two links and what they do.
 *
 * @example
 * ```ts
 * reminderEmailLinks({ done: "https://…/one-tap/AQ…", skip: "https://…/one-tap/AQ…" });
 * ```
 */
export function reminderEmailLinks(links: ReminderLinks): string {
  return `\nDone already? Mark it done:\n${links.done}\n\nSkipping today? Mark it skipped:\n${links.skip}\n\n` +
    "Each link opens a page where you confirm with one button; it works once, for 48 hours.\n";
}
