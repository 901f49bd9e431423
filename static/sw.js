// ConsistencyGrid service worker: push reminders only. No fetch handler and no cache,
// so every page still comes from the server exactly as without it (and works with
// JavaScript off); this file only turns pushes into notifications and taps into pages.
//
// A push's data is JSON written by lib/push/notification.ts:
//   { "title": "Stretch", "body": "…", "tag": "reminder:…", "url": "/habits/…",
//     "timestamp": 1767225600000,
//     "actions": [{ "action": "done", "title": "Done", "url": "/one-tap/…" },
//                 { "action": "skip", "title": "Skip", "url": "/one-tap/…" }] }
// A tap on the notification opens `url`; a tap on an action button opens that action's
// `url`: a confirmation page with one button, because opening a page never changes
// anything (the same links are in the reminder e-mail). Only URLs of this origin are
// opened, whatever a payload says.
"use strict";

const FALLBACK = { title: "ConsistencyGrid", body: "You have a reminder.", url: "/notifications" };
const ICON = "/icons/icon-192.png";
const BADGE = "/icons/badge-96.png";

// A new version takes over at once: it holds no state and serves no pages.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  // Browsers require a visible notification for every push; an unreadable one still shows.
  event.waitUntil(showReminder(readPush(event.data)));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openPage(clickTarget(event.notification.data, event.action)));
});

// Firefox renews subscriptions on its own: hand the new one to the server (the old
// endpoint answers 410 from now on, and the server forgets it at the next reminder).
self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(resubscribe(event.oldSubscription, event.newSubscription));
});

/** The message of a push, or the fallback for a push without readable JSON. */
function readPush(data) {
  let message;
  try {
    message = data ? data.json() : null;
  } catch {
    message = null;
  }
  if (!message || typeof message !== "object" || typeof message.title !== "string") return FALLBACK;
  return message;
}

function showReminder(message) {
  const actions = Array.isArray(message.actions)
    ? message.actions.filter((a) => a && typeof a.action === "string" && typeof a.title === "string")
    : [];
  const max = self.Notification && Notification.maxActions ? Notification.maxActions : 2;
  return self.registration.showNotification(message.title, {
    body: typeof message.body === "string" ? message.body : "",
    tag: typeof message.tag === "string" ? message.tag : undefined,
    // A reminder replacing an older one with the same tag should still alert.
    renotify: typeof message.tag === "string",
    timestamp: typeof message.timestamp === "number" ? message.timestamp : Date.now(),
    icon: ICON,
    badge: BADGE,
    actions: actions.slice(0, max).map((a) => ({ action: a.action, title: a.title })),
    data: {
      url: sameOrigin(message.url) ?? sameOrigin(FALLBACK.url),
      actions: Object.fromEntries(actions.map((a) => [a.action, sameOrigin(a.url)]).filter(([, url]) => url)),
    },
  });
}

/** Where a tap leads: the action's page for a button, else the notification's page. */
function clickTarget(data, action) {
  const fallback = new URL(FALLBACK.url, self.location.origin).href;
  if (!data || typeof data !== "object") return fallback;
  if (action && data.actions && typeof data.actions[action] === "string") return data.actions[action];
  return typeof data.url === "string" ? data.url : fallback;
}

/** `url` resolved against this origin when it stays on it; null otherwise. */
function sameOrigin(url) {
  if (typeof url !== "string") return null;
  try {
    const resolved = new URL(url, self.location.origin);
    return resolved.origin === self.location.origin ? resolved.href : null;
  } catch {
    return null;
  }
}

/** Focuses a window already showing `url`, else opens one. */
async function openPage(url) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((client) => client.url === url && "focus" in client);
  if (open) return open.focus();
  return self.clients.openWindow(url);
}

async function resubscribe(oldSubscription, newSubscription) {
  let subscription = newSubscription;
  if (!subscription) {
    const key = oldSubscription && oldSubscription.options && oldSubscription.options.applicationServerKey;
    const applicationServerKey = key || (await (await fetch("/api/push/key")).json()).publicKey;
    subscription = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
  }
  const json = subscription.toJSON();
  await fetch("/api/push/subscriptions", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ endpoint: json.endpoint, keys: json.keys }),
  });
}

// For tests in a real browser (tests/browser/service_worker_test.ts): where a tap leads
// cannot be clicked in a headless browser, so the rule is reachable here.
self.consistencyGrid = { clickTarget };
