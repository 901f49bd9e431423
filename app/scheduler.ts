/**
 * The reminder scheduler inside the app: every minute, deliver the reminders that are
 * due ({@linkcode runSchedulerTick}) and send the e-mail outbox; also roll back imports
 * whose process died mid-way (db/import.ts).
 *
 * Every instance runs one. That is safe by construction: the claim is one Postgres
 * statement (`deliver_due_reminders`, sql/007_reminders.sql) keyed on (reminder, local
 * day), and outbox rows are leased with `FOR UPDATE SKIP LOCKED`, so instances racing
 * each other deliver each reminder at most once per local day and send each e-mail
 * from one sender at a time. No leader election, no advisory locks (which PgBouncer's
 * transaction mode would not keep).
 *
 * Why an in-process timer rather than `Deno.cron` when self-hosted: a timer starts and
 * stops with the server (shutdown awaits the running tick before the pool closes) and
 * tests drive ticks directly with an injected clock. On Deno Deploy, where instances
 * sleep between requests and timers do not run, `main_deploy.ts` registers
 * `Deno.cron` at the top level instead and calls {@linkcode runLoggedTick}: the same
 * tick.
 *
 * @example
 * ```ts
 * const scheduler = startScheduler(services, { intervalMs: 60_000 });
 * // … on shutdown, before closing the pool:
 * await scheduler.stop();
 * ```
 */
import { sendDueEmails } from "@/db/email_outbox.ts";
import { recoverStaleImports } from "@/db/import.ts";
import { pruneOneTapUses } from "@/db/one_tap.ts";
import { deliverRemindersToDevices } from "@/db/push.ts";
import { ONE_TAP_VALIDITY_MS } from "@/lib/one_tap.ts";
import { reminderEmailLinks, reminderLinks } from "./reminder_links.ts";
import { sendDuePushes } from "./reminder_pushes.ts";
import { invalidateQuietly } from "@/app/cache/invalidate.ts";
import { log } from "@/lib/log.ts";
import { sendDueWebhooks } from "@/app/webhook_sender.ts";
import { pruneDeliveries } from "@/db/webhooks.ts";
import { createMailer, type Mailer } from "@/lib/mail.ts";
import type { Services } from "./state.ts";

/** What one tick did. */
export interface TickResult {
  /** Reminders delivered (a notification each). */
  delivered: number;
  /** E-mails sent and refused by the SMTP server this tick. */
  sent: number;
  failed: number;
  /** Imports left running by a process that died, rolled back (db/import.ts). */
  staleImports: number;
  /** Webhook deliveries taken by their receivers, and failed attempts (app/webhook_sender.ts). */
  webhooksDelivered: number;
  webhooksFailed: number;
  /** Reminder pushes a push service accepted, and those given up on (app/reminder_pushes.ts). */
  pushed: number;
  pushFailed: number;
}

export interface TickOptions {
  /** Sends the outbox; default: one for `config.smtpUrl`, or no e-mail when it is unset. */
  mailer?: Mailer;
}

/** What a job gets: the services it may use, and the tick's mailer (none: no e-mail). */
export interface JobContext {
  services: Pick<Services, "db" | "config" | "push">;
  now: Date;
  mailer: Mailer | undefined;
}

/** What a job did: its share of the {@linkcode TickResult}, and whose rows it changed. */
export interface JobResult {
  counts: Partial<TickResult>;
  /** Every user whose rows the job changed: the tick bumps their cache versions. */
  changedUserIds: Iterable<string>;
}

/**
 * One kind of background work. A job returns the users it changed instead of
 * invalidating them itself, so no job can forget: the tick bumps them in one place
 * (tests/lib/cache/writers_test.ts runs every job and checks each user whose rows
 * changed was reported).
 */
export interface SchedulerJob {
  name: string;
  run(context: JobContext): Promise<JobResult>;
}

/** Every job a tick runs, in order. */
export const SCHEDULER_JOBS: readonly SchedulerJob[] = [
  {
    name: "reminders",
    async run({ services, now, mailer }) {
      let delivered = 0;
      const changed = new Set<string>();
      // A user with devices gets pushes (the next job), others the e-mail (sql/014_push.sql).
      const routes = { email: mailer !== undefined, push: Boolean(services.push?.vapid) };
      // Batches until an empty one: after an outage many reminders may be due at once.
      while (true) {
        const batch = await deliverRemindersToDevices(services.db, now, routes);
        for (const delivery of batch) changed.add(delivery.userId);
        delivered += batch.length;
        if (batch.length === 0) break;
      }
      return { counts: { delivered }, changedUserIds: changed };
    },
  },
  {
    // Before the e-mail: a reminder no device took falls back to e-mail in this tick.
    name: "push",
    async run({ services, now, mailer }) {
      const result = await sendDuePushes(services, now, { email: mailer !== undefined });
      // Used one-tap tokens past their 48 hours guard nothing any more.
      await pruneOneTapUses(services.db, now, ONE_TAP_VALIDITY_MS + 60 * 60_000);
      return {
        counts: { pushed: result.delivered, pushFailed: result.failed + result.gone },
        changedUserIds: result.changedUserIds,
      };
    },
  },
  {
    name: "email",
    async run({ services, now, mailer }) {
      if (!mailer) return { counts: {}, changedUserIds: [] };
      const { sent, failed, changedUserIds } = await sendDueEmails(services.db, mailer, now, {
        // A habit reminder's one-tap links, signed as it is sent.
        async compose(email, message) {
          if (!email.habitReminder || !email.userId) return message;
          const links = await reminderLinks(services.push, services.config.appOrigin, {
            userId: email.userId,
            ...email.habitReminder,
          }, now);
          return links ? { ...message, text: message.text + reminderEmailLinks(links) } : message;
        },
      });
      return { counts: { sent, failed }, changedUserIds };
    },
  },
  {
    // Imports left running by a process that died are rolled back (db/import.ts).
    name: "imports",
    async run({ services }) {
      const rolledBack = await recoverStaleImports(services.db);
      return { counts: { staleImports: rolledBack.length }, changedUserIds: rolledBack };
    },
  },
  {
    // Outgoing webhooks: every due delivery, then finished ones older than 30 days dropped.
    name: "webhooks",
    async run({ services, now }) {
      const { delivered, failed, changedUserIds } = await sendDueWebhooks(services.db, now, {
        allowLoopback: services.config.acceptLoopbackOrigins,
      });
      const pruned = await pruneDeliveries(services.db, now);
      return {
        counts: { webhooksDelivered: delivered, webhooksFailed: failed },
        changedUserIds: [...changedUserIds, ...pruned],
      };
    },
  },
];

/**
 * One round: every job of {@linkcode SCHEDULER_JOBS} in turn (delivers every reminder due
 * at `now`, then sends the due e-mail), then the cache versions of every user they
 * changed are bumped. Each part is safe to run concurrently with other instances' ticks.
 *
 * @example
 * ```ts
 * const result = await runSchedulerTick(services, new Date("2026-01-05T06:30:00Z"));
 * ```
 */
export async function runSchedulerTick(
  services: Pick<Services, "db" | "config" | "kv" | "push">,
  now: Date = new Date(),
  options: TickOptions = {},
): Promise<TickResult> {
  const { config } = services;
  const ownMailer = !options.mailer && config.smtpUrl ? createMailer(config.smtpUrl, config.mailFrom) : undefined;
  const mailer = options.mailer ?? ownMailer;
  const result: TickResult = {
    delivered: 0,
    sent: 0,
    failed: 0,
    staleImports: 0,
    webhooksDelivered: 0,
    webhooksFailed: 0,
    pushed: 0,
    pushFailed: 0,
  };
  try {
    for (const job of SCHEDULER_JOBS) {
      const { counts, changedUserIds } = await job.run({ services, now, mailer });
      for (const [name, n] of Object.entries(counts) as [keyof TickResult, number][]) result[name] += n;
      // After each job, not at the end: a later job failing must not leave these stale.
      await invalidateQuietly(services.kv, changedUserIds, `scheduler.${job.name}`);
    }
    return result;
  } finally {
    ownMailer?.close();
  }
}

/**
 * One tick, logged: `scheduler.tick` when it did something, `scheduler.tick_failed`
 * (and a rejection) when it failed. The timer below and the Deno Deploy entry's
 * `Deno.cron` (main_deploy.ts) both tick through here.
 *
 * @example
 * ```ts
 * Deno.cron("reminders", "* * * * *", () => runLoggedTick(services));
 * ```
 */
export async function runLoggedTick(
  services: Pick<Services, "db" | "config" | "kv" | "push">,
  options: TickOptions = {},
): Promise<TickResult> {
  const started = performance.now();
  try {
    const result = await runSchedulerTick(services, new Date(), options);
    if (Object.values(result).some((n) => n > 0)) {
      log.info("scheduler.tick", { ...result, ms: Math.round(performance.now() - started) });
    }
    return result;
  } catch (error) {
    log.error("scheduler.tick_failed", { error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}

export interface SchedulerOptions {
  /** Time between the end of one tick and the start of the next. Default 60 s. */
  intervalMs?: number;
}

export interface Scheduler {
  /** Stops scheduling and waits for a tick in progress. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Runs {@linkcode runSchedulerTick} every `intervalMs` (first one after `intervalMs`),
 * never two at once in one instance. A failing tick (database down) is logged and the
 * next one tries again.
 *
 * @example
 * ```ts
 * const scheduler = startScheduler(services);
 * ```
 */
export function startScheduler(
  services: Pick<Services, "db" | "config" | "kv" | "push">,
  options: SchedulerOptions = {},
): Scheduler {
  const intervalMs = options.intervalMs ?? 60_000;
  const mailer = services.config.smtpUrl ? createMailer(services.config.smtpUrl, services.config.mailFrom) : undefined;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  let ticking = false;

  const schedule = () => {
    if (stopped) return;
    const id = setTimeout(() => {
      ticking = true;
      running = tick().finally(() => {
        ticking = false;
        schedule();
      });
    }, intervalMs);
    // The timer alone does not keep the process alive; the server does.
    Deno.unrefTimer(id);
    timer = id;
  };

  // Logged inside; a failing tick must not stop the loop.
  const tick = async () => {
    await runLoggedTick(services, { mailer }).catch(() => {});
  };

  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      // Shutdown waits here for a tick in progress (bounded by the query deadlines):
      // say so, so a slow stop is explained in the log.
      if (ticking) log.info("scheduler.stopping", { waitingFor: "tick" });
      await running;
      mailer?.close();
    },
  };
}
