/**
 * The per-device opt-in on the settings page, in headless Chromium, end to end as far
 * as a test machine allows:
 *
 * Chromium's own push service (Firebase Cloud Messaging) is unreachable here, so its
 * `pushManager.subscribe()` can only fail. The test replaces that one call (an init
 * script) with a subscription the LOCAL push service made (tests/support/push_endpoint.ts:
 * real P-256 and auth keys, an endpoint on a loopback port), after checking it was
 * asked for exactly what a real push service needs (`userVisibleOnly`, the server's
 * VAPID key as `applicationServerKey`). Everything else is real: the permission prompt
 * (granted or denied through Chromium's permission API), the service worker
 * registration of /sw.js, the island's POST with the session cookie through the CSRF
 * guard, the row the server stores, the device list; then a scheduler tick sends the
 * reminder and the local push service decrypts it with the device's keys. (That a
 * push becomes a notification with Done/Skip buttons is tests/browser/service_worker_test.ts.)
 *
 * Also: with JavaScript off, and with push off on the server, the page says what
 * happens instead; the device's Remove button works without JavaScript; axe finds nothing.
 */
import { createHabit } from "@/db/habits.ts";
import { createReminder } from "@/db/reminders.ts";
import { localDay } from "@/domain/calendar.ts";
import { runSchedulerTick } from "@/app/scheduler.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { runAxe } from "@/tests/support/axe.ts";
import { skipBrowserTests } from "@/tests/support/browser.ts";
import { hydrated, startLiveApp } from "@/tests/support/live_app.ts";
import { startPushService } from "@/tests/support/push_endpoint.ts";
import { testPushServices } from "@/tests/support/push_services.ts";
import { createTestUser } from "@/tests/support/users.ts";

const ANDROID_CHROME =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

Deno.test({
  name: "push opt-in in Chromium: permission, service worker, subscription stored, reminder decrypted",
  ignore: skipBrowserTests(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const { push } = await testPushServices();
    await using live = await startLiveApp({ push });
    await using service = startPushService();
    const { services } = live;
    const user = await createTestUser(services);
    const today = localDay("UTC");
    const habit = await createHabit(services.db, user.id, { name: "Walk" }, today);
    await createReminder(services.db, user.id, {
      habitId: habit.id,
      title: "Walk",
      time: "00:00",
      days: [1, 2, 3, 4, 5, 6, 7],
    });
    const device = await service.subscribe({ applicationServerKey: push.vapid!.publicKey });

    await t.step("granted: the island subscribes this device and the reminder arrives, decrypted", async () => {
      const context = await live.signedIn(user, { viewport: { width: 390, height: 844 }, userAgent: ANDROID_CHROME });
      await context.grantPermissions(["notifications"], { origin: live.origin });
      // Chromium's push service is unreachable: hand out the local service's subscription.
      await context.addInitScript((subscription) => {
        PushManager.prototype.subscribe = () =>
          Promise.resolve(
            {
              endpoint: subscription.endpoint,
              toJSON: () => subscription,
              unsubscribe: () => Promise.resolve(true),
            } as unknown as PushSubscription,
          );
      }, device.subscription);
      const page = await context.newPage();
      await page.goto(`${live.origin}/settings`);
      await hydrated(page, ".push-opt-in button");
      const button = page.getByRole("button", { name: "Get reminders on this device" });
      await button.focus();
      await page.keyboard.press("Enter");
      // The island reloads the page once the server has the subscription: the device is listed.
      await page.waitForFunction(
        () => document.querySelector("#devices")?.textContent?.includes("Chrome on Android"),
        null,
        {
          timeout: 20_000,
        },
      );
      const registrations = await page.evaluate(async () => [(await navigator.serviceWorker.ready).active?.scriptURL]);
      assertEquals(registrations, [`${live.origin}/sw.js`]);
      const rows = await services.db.sql<{ endpoint: string; device_label: string }[]>`
        select endpoint, device_label from push_subscriptions where user_id = ${user.id}::uuid`;
      assertEquals(rows.map((r) => r.endpoint), [device.subscription.endpoint]);
      assertEquals(rows[0].device_label, "Chrome on Android");
      assert((await page.textContent("#devices"))!.includes("Chrome on Android"));
      assertEquals(await runAxe(page), []);

      const result = await runSchedulerTick(services, new Date());
      assertEquals(result.pushed, 1);
      const [message] = await service.waitForMessages(1);
      assertEquals(message.deviceId, device.id);
      const payload = JSON.parse(message.payload);
      assertEquals(payload.title, "Walk");
      assertEquals(payload.actions.map((a: { title: string }) => a.title), ["Done", "Skip"]);
      await context.close();
    });

    await t.step("the subscribe call asked for what a push service needs", async () => {
      const context = await live.signedIn(user);
      await context.grantPermissions(["notifications"], { origin: live.origin });
      await context.addInitScript(() => {
        PushManager.prototype.subscribe = function (options?: PushSubscriptionOptionsInit) {
          const key = options?.applicationServerKey;
          (globalThis as unknown as { asked: unknown }).asked = {
            userVisibleOnly: options?.userVisibleOnly,
            applicationServerKey: typeof key === "string" ? key : null,
          };
          // As Chromium does here, where its push service cannot be reached.
          return Promise.reject(new DOMException("Registration failed - push service error", "AbortError"));
        };
      });
      const page = await context.newPage();
      await page.goto(`${live.origin}/settings`);
      await hydrated(page, ".push-opt-in button");
      await page.getByRole("button", { name: "Get reminders on this device" }).click();
      await page.waitForFunction(() =>
        document.querySelector(".push-opt-in [role=status]")?.textContent?.includes("Could not")
      );
      const asked = await page.evaluate(() => (globalThis as unknown as { asked: unknown }).asked);
      assertEquals(asked, { userVisibleOnly: true, applicationServerKey: push.vapid!.publicKey });
      assert((await page.textContent(".push-opt-in"))!.includes("push service error"));
      await context.close();
    });

    await t.step("denied: the page says how to allow it and what happens meanwhile", async () => {
      // No permission granted: headless Chromium answers the prompt with "denied".
      const context = await live.signedIn(user);
      const page = await context.newPage();
      await page.goto(`${live.origin}/settings`);
      await hydrated(page, ".push-opt-in button");
      await page.getByRole("button", { name: "Get reminders on this device" }).click();
      await page.waitForFunction(() =>
        document.querySelector(".push-opt-in [role=status]")?.textContent?.includes("blocked")
      );
      assert((await page.textContent(".push-opt-in"))!.includes("by e-mail"));
      await context.close();
    });

    await t.step("JavaScript off: the page says what happens without it; Remove works as a form", async () => {
      const context = await live.signedIn(user, { javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(`${live.origin}/settings`);
      const text = (await page.textContent("#devices"))!;
      assert(text.includes("need JavaScript and your permission"), text);
      assert(text.includes("by e-mail"));
      await page.getByRole("button", { name: "Remove Chrome on Android" }).click();
      await page.waitForURL(/\/settings/);
      assert((await page.textContent("body"))!.includes("Device removed"));
      const [{ n }] = await services.db.sql<{ n: number }[]>`
        select count(*)::int as n from push_subscriptions where user_id = ${user.id}::uuid`;
      assertEquals(n, 0);
      await context.close();
    });
  },
});
