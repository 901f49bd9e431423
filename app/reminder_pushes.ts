/**
 * The scheduler's push job: sends the reminder pushes that `deliver_reminders_to_devices`
 * queued (one per device, db/push.ts), each with the reminder's title, a line about its
 * habit, and the Done/Skip buttons (one-tap links signed now), then records each
 * outcome: delivered; retried with backoff; a gone device (404/410) forgotten; and,
 * once no device of a reminder is left trying and none took it, its e-mail queued
 * (the e-mail job of the same tick sends it).
 *
 * A push the push service accepted (2xx) counts as taken: Web Push says no more (the
 * service holds it for an offline device up to its TTL). Pushes carry the reminder's
 * tag (the device shows one notification per reminder and day, even if a push were
 * sent twice after a sender crashed mid-lease) and its topic (a newer one replaces one
 * still waiting at the push service).
 *
 * @example
 * ```ts
 * const result = await sendDuePushes({ db, config, push }, new Date(), { email: true });
 * ```
 */
import { claimDuePushes, type ClaimedPush, finishReminderPush } from "@/db/push.ts";
import type { Config } from "@/lib/config.ts";
import { log } from "@/lib/log.ts";
import { reminderPayload } from "@/lib/push/notification.ts";
import { type PushOutcome, sendPush } from "@/lib/push/send.ts";
import type { PushServices } from "@/lib/push/services.ts";
import type { Db } from "@/db/client.ts";
import { reminderLinks } from "./reminder_links.ts";

/** What one round of sending did. */
export interface PushSendResult {
  delivered: number;
  /** Devices forgotten: their push service answered 404/410. */
  gone: number;
  /** Will be tried again. */
  retried: number;
  /** Given up on (refused, or past the reminder's give-up time). */
  failed: number;
  /** Reminders no device took, whose e-mail was queued. */
  fellBack: number;
  /** Users whose rows changed (devices forgotten, e-mail queued). */
  changedUserIds: string[];
}

/** A push service kept a reminder for an offline device this long: later, it is stale. */
export const REMINDER_PUSH_TTL_S = 4 * 60 * 60;

/**
 * Sends every push due at `now`, batch by batch, all of a batch at once (each bounded
 * by lib/push/send.ts's timeout). With push off (no VAPID keys any more), queued pushes
 * fail at once and their reminders fall back to e-mail.
 */
export async function sendDuePushes(
  services: { db: Db; config: Pick<Config, "appOrigin">; push?: PushServices },
  now: Date,
  routes: { email: boolean },
): Promise<PushSendResult> {
  const result: PushSendResult = { delivered: 0, gone: 0, retried: 0, failed: 0, fellBack: 0, changedUserIds: [] };
  const changed = new Set<string>();
  const seen = new Set<string>();
  while (true) {
    const batch = (await claimDuePushes(services.db, now)).filter((push) => !seen.has(push.id));
    if (batch.length === 0) break;
    await Promise.all(batch.map(async (push) => {
      seen.add(push.id);
      const outcome = await sendOne(services, push, now);
      const emailed = await finishReminderPush(services.db, push, outcome, now, routes);
      if (outcome.kind === "delivered") result.delivered++;
      else if (outcome.kind === "gone") result.gone++;
      else if (outcome.kind === "retry" && now.getTime() < push.giveUpAt.getTime()) result.retried++;
      else result.failed++;
      if (outcome.kind === "gone" || emailed) changed.add(push.userId);
      if (emailed) result.fellBack++;
      if (outcome.kind !== "delivered") {
        log.info("push.not_delivered", {
          pushId: push.id,
          outcome: outcome.kind,
          ...("reason" in outcome ? { reason: outcome.reason } : {}),
          fellBackToEmail: emailed,
        });
      }
    }));
  }
  result.changedUserIds = [...changed];
  return result;
}

async function sendOne(
  services: { config: Pick<Config, "appOrigin">; push?: PushServices },
  push: ClaimedPush,
  now: Date,
): Promise<PushOutcome | { kind: "expired" }> {
  const vapid = services.push?.vapid;
  if (!vapid || now.getTime() >= push.giveUpAt.getTime()) return { kind: "expired" };
  const origin = services.config.appOrigin;
  const links = push.habitId
    ? await reminderLinks(services.push, origin, {
      userId: push.userId,
      habitId: push.habitId,
      localDate: push.localDate,
    }, now)
    : null;
  const payload = reminderPayload({
    title: push.title,
    body: push.habitName ? `Your habit “${push.habitName}” is not done yet today.` : `Your reminder for ${push.time}.`,
    tag: `reminder:${push.reminderId}:${push.localDate}`,
    url: push.habitId ? `${origin}/habits/${push.habitId}` : `${origin}/notifications`,
    timestamp: now.getTime(),
    ...(links
      ? {
        actions: [
          { action: "done", title: "Done", url: links.done },
          { action: "skip", title: "Skip", url: links.skip },
        ],
      }
      : {}),
  });
  try {
    return await sendPush(
      push.subscription,
      {
        payload,
        ttlSeconds: REMINDER_PUSH_TTL_S,
        urgency: "high",
        topic: push.reminderId.replaceAll("-", ""),
      },
      vapid,
      { allowLoopback: services.push?.allowLoopbackEndpoints ?? false },
    );
  } catch (error) {
    // A stored subscription the library cannot encrypt for: nothing will change that.
    return { kind: "refused", status: 0, reason: error instanceof Error ? error.message : String(error) };
  }
}
