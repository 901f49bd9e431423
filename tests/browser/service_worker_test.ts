/**
 * static/sw.js, static/manifest.webmanifest and the icons in headless Chromium, served
 * by the app's own static file middleware (lib/fresh/static_files.ts) on a loopback port:
 * the manifest parses with no errors and its icons load at their declared sizes; Chromium
 * finds nothing that stops installing; a push (delivered through the DevTools protocol,
 * as DevTools' "Push" button does, since no push service is reachable here) becomes a
 * notification with the payload's title, body, tag and Done/Skip actions built by
 * lib/push/notification.ts; links to other origins in a payload are dropped; a push
 * that is not JSON still shows a notification (browsers demand one per push).
 */
import { Hono } from "hono";
import type { BrowserContext, CDPSession, Page } from "playwright-core";
import { loadStaticFiles, serveStatic } from "@/lib/fresh/static_files.ts";
import { reminderPayload } from "@/lib/push/notification.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { launchBrowser, serveOnLoopback, skipBrowserTests } from "@/tests/support/browser.ts";

const STATIC = new URL("../../static", import.meta.url).pathname;

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>sw test</title>
<link rel="manifest" href="/manifest.webmanifest"><link rel="apple-touch-icon" href="/apple-touch-icon.png">
</head><body><main><h1>sw test</h1></main></body></html>`;

async function startStaticServer() {
  const app = new Hono();
  app.use(serveStatic(await loadStaticFiles([{ dir: STATIC, prefix: "/" }])));
  app.get("/", (c) => c.html(PAGE));
  return serveOnLoopback((req) => app.fetch(req));
}

interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  icon: string;
  badge: string;
  actions: { action: string; title: string }[];
  data: { url: string; actions: Record<string, string> };
}

/** Registers the worker and returns its registration id for the DevTools protocol. */
async function registerWorker(page: Page, cdp: CDPSession): Promise<string> {
  const registrations = new Map<string, string>();
  cdp.on("ServiceWorker.workerRegistrationUpdated", (event) => {
    for (const registration of event.registrations) {
      if (!registration.isDeleted) registrations.set(registration.scopeURL, registration.registrationId);
    }
  });
  await cdp.send("ServiceWorker.enable");
  await page.evaluate(async () => {
    await navigator.serviceWorker.register("/sw.js");
    await navigator.serviceWorker.ready;
  });
  const scope = new URL("/", page.url()).href;
  for (let tries = 0; tries < 50 && !registrations.has(scope); tries++) await page.waitForTimeout(50);
  const id = registrations.get(scope);
  assert(id, `no registration for ${scope}: ${[...registrations.keys()]}`);
  return id;
}

/** Delivers `data` as a push to the worker, then waits for the notifications it shows. */
async function push(page: Page, cdp: CDPSession, registrationId: string, data: string): Promise<ShownNotification[]> {
  const origin = new URL(page.url()).origin;
  await page.evaluate(async () => {
    for (const shown of await (await navigator.serviceWorker.ready).getNotifications()) shown.close();
  });
  await cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId, data });
  return await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    // A generous wait: a busy runner can take seconds to wake the worker for its first push.
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      const shown = await registration.getNotifications();
      if (shown.length > 0) {
        // `badge` and `actions` are missing from TypeScript's DOM types.
        return shown.map((n: Notification & { badge?: string; actions?: { action: string; title: string }[] }) => ({
          title: n.title,
          body: n.body,
          tag: n.tag,
          icon: n.icon,
          badge: n.badge ?? "",
          actions: (n.actions ?? []).map((a) => ({ action: a.action, title: a.title })),
          data: n.data,
        }));
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return [];
  });
}

Deno.test({
  name: "the service worker, manifest and icons work in Chromium",
  ignore: skipBrowserTests(),
  async fn(t) {
    await using server = await startStaticServer();
    const browser = await launchBrowser();
    let context: BrowserContext | undefined;
    try {
      context = await browser.newContext();
      await context.grantPermissions(["notifications"], { origin: server.origin });
      const page = await context.newPage();
      await page.goto(`${server.origin}/`);
      const cdp = await context.newCDPSession(page);

      await t.step("the manifest parses without errors and every icon loads at its declared size", async () => {
        const manifest = await cdp.send("Page.getAppManifest");
        assertEquals(manifest.errors, [], JSON.stringify(manifest.errors));
        const parsed = JSON.parse(manifest.data ?? "{}");
        assertEquals(parsed.start_url, "/app");
        const declared: { src: string; sizes: string; purpose: string }[] = parsed.icons;
        assertEquals(declared.map((icon) => icon.purpose).sort(), ["any", "any", "maskable", "maskable"]);
        const icons = [...declared.map((icon) => ({ src: icon.src, size: Number(icon.sizes.split("x")[0]) })), {
          src: "/apple-touch-icon.png",
          size: 180,
        }, { src: "/icons/badge-96.png", size: 96 }];
        for (const icon of icons) {
          const size = await page.evaluate(async (src) => {
            const image = new Image();
            image.src = src;
            await image.decode();
            return [image.naturalWidth, image.naturalHeight];
          }, icon.src);
          assertEquals(size, [icon.size, icon.size], icon.src);
        }
        const response = await page.request.get(`${server.origin}/manifest.webmanifest`);
        assertEquals(response.headers()["content-type"], "application/manifest+json");
      });

      const registrationId = await registerWorker(page, cdp);

      await t.step("Chromium finds nothing that stops installing the app", async () => {
        const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
        // Playwright's contexts are incognito ones, which Chromium never installs from:
        // that is the test's setup, not the app's. Every other criterion is checked.
        const errors = installabilityErrors.filter((error) => error.errorId !== "in-incognito");
        assertEquals(errors, [], JSON.stringify(errors));
      });

      await t.step("a reminder push shows its title, body, tag, icon and Done/Skip buttons", async () => {
        const payload = reminderPayload({
          title: "Stretch <b>now</b>",
          body: "Your habit “Stretch” is not done yet today.",
          tag: "reminder:42",
          url: "/habits/7",
          actions: [
            { action: "done", title: "Done", url: "/one-tap/done-token" },
            { action: "skip", title: "Skip", url: `${server.origin}/one-tap/skip-token` },
          ],
          timestamp: Date.parse("2026-03-01T07:30:00Z"),
        });
        const [shown, ...more] = await push(page, cdp, registrationId, payload);
        assertEquals(more, []);
        assertEquals([shown.title, shown.body, shown.tag], [
          "Stretch <b>now</b>",
          "Your habit “Stretch” is not done yet today.",
          "reminder:42",
        ]);
        assertEquals(shown.actions, [{ action: "done", title: "Done" }, { action: "skip", title: "Skip" }]);
        assertEquals(shown.icon, `${server.origin}/icons/icon-192.png`);
        assertEquals(shown.badge, `${server.origin}/icons/badge-96.png`);
        assertEquals(shown.data, {
          url: `${server.origin}/habits/7`,
          actions: { done: `${server.origin}/one-tap/done-token`, skip: `${server.origin}/one-tap/skip-token` },
        });
      });

      await t.step("links to other origins in a payload are dropped", async () => {
        const payload = reminderPayload({
          title: "Phish",
          body: "",
          url: "https://evil.example/login",
          actions: [
            { action: "done", title: "Done", url: "javascript:alert(1)" },
            { action: "skip", title: "Skip", url: "//evil.example/x" },
          ],
        });
        const [shown] = await push(page, cdp, registrationId, payload);
        assertEquals(shown.data, { url: `${server.origin}/notifications`, actions: {} });
      });

      await t.step("a push that is not JSON still shows a notification", async () => {
        const [shown] = await push(page, cdp, registrationId, "not json \u0000");
        assertEquals([shown.title, shown.body], ["ConsistencyGrid", "You have a reminder."]);
        assertEquals(shown.data.url, `${server.origin}/notifications`);
      });

      await t.step("a tap opens the action's page for a button, else the notification's page", async () => {
        const worker = context!.serviceWorkers().find((w) => w.url() === `${server.origin}/sw.js`);
        assert(worker, "the worker is running");
        const data = { url: `${server.origin}/habits/7`, actions: { done: `${server.origin}/one-tap/d` } };
        const targets = await worker.evaluate((data) => {
          // deno-lint-ignore no-explicit-any
          const { clickTarget } = (self as any).consistencyGrid;
          return [clickTarget(data, "done"), clickTarget(data, ""), clickTarget(data, "skip"), clickTarget(null, "")];
        }, data);
        assertEquals(targets, [
          `${server.origin}/one-tap/d`,
          `${server.origin}/habits/7`,
          `${server.origin}/habits/7`,
          `${server.origin}/notifications`,
        ]);
      });
    } finally {
      await context?.close();
      await browser.close();
    }
  },
});
