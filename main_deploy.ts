/**
 * The entry point on Deno Deploy: the same server as `main.ts`, with reminders ticked
 * by `Deno.cron` instead of an in-process timer (Deploy runs no timers between
 * requests; its cron wakes the app every minute).
 *
 * `Deno.cron` is registered at the top level of this module, unconditionally, while
 * the module is evaluated — before the server listens (`main` first awaits the
 * database): Deploy only picks up crons registered that way (docs/deploy.md).
 */
import { runLoggedTick } from "@/app/scheduler.ts";
import { main } from "@/app/server.ts";
import manifest from "@/fresh.gen.ts";

const started = main({ manifest, cron: true });

// Every minute: deliver the reminders that are due and send the e-mail outbox. The
// claims in Postgres keep each delivery at most once, however many isolates tick.
Deno.cron("consistencygrid-reminders", "* * * * *", async () => {
  const server = await started;
  await runLoggedTick(server.services);
});
