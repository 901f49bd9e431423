/**
 * "Reminders on this device": in the browser, asks for notification permission,
 * registers the push-only service worker (static/sw.js), subscribes with the server's
 * VAPID key and sends the subscription to `POST /api/push/subscriptions`. Turning it
 * off unsubscribes in the browser; the push service then answers 410 and the server
 * forgets the device at its next reminder (or remove it at once in the device list).
 *
 * On the server (and with JavaScript off) it renders what happens without it: the
 * reminders still come by e-mail, when that is on, and in the notification list.
 *
 * @example
 * ```tsx
 * <PushOptIn publicKey={push.vapid.publicKey} />
 * ```
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { errorText, sendJson } from "@/components/send_json.ts";

export interface PushOptInProps {
  /** The server's VAPID public key (base64url): the subscription's `applicationServerKey`. */
  publicKey: string;
}

type State =
  | "server" // rendered on the server, or before the effect ran
  | "unsupported"
  | "ios-install"
  | "denied"
  | "off"
  | "on"
  | "working"
  | "failed";

const MESSAGES: Record<State, string> = {
  server: "Push reminders on this device need JavaScript and your permission to show notifications. Without " +
    "them, reminders still reach you by e-mail (when it is on above) and in your notifications list.",
  unsupported: "This browser cannot receive push reminders. They still reach you by e-mail (when it is on above) " +
    "and in your notifications list.",
  "ios-install": "On iPhone and iPad, push reminders work once ConsistencyGrid is on your Home Screen: tap Share, " +
    "then “Add to Home Screen”, open it from there and come back here.",
  denied: "Notifications are blocked for this site. Allow them in your browser's site settings, then try again. " +
    "Until then, reminders come by e-mail (when it is on) and in your notifications list.",
  off: "Reminders are not sent to this device.",
  on: "Reminders come to this device, with Done and Skip buttons.",
  working: "Working…",
  failed: "",
};

export default function PushOptIn({ publicKey }: PushOptInProps) {
  const state = useSignal<State>("server");
  const problem = useSignal("");

  useEffect(() => {
    if (!("serviceWorker" in navigator) || !("PushManager" in globalThis) || !("Notification" in globalThis)) {
      const ios = /iPhone|iPad|iPod/.test(navigator.userAgent);
      state.value = ios ? "ios-install" : "unsupported";
      return;
    }
    if (Notification.permission === "denied") {
      state.value = "denied";
      return;
    }
    navigator.serviceWorker.getRegistration("/").then(async (registration) => {
      const subscription = await registration?.pushManager.getSubscription();
      state.value = subscription ? "on" : "off";
    }).catch(() => state.value = "off");
  }, []);

  const turnOn = async () => {
    state.value = "working";
    problem.value = "";
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        state.value = permission === "denied" ? "denied" : "off";
        return;
      }
      const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: publicKey,
      });
      const json = subscription.toJSON();
      await sendJson("/api/push/subscriptions", {
        method: "POST",
        body: { endpoint: json.endpoint, keys: json.keys },
        // The server did not keep it: a browser subscription nobody can reach is dropped.
        rollback: () => subscription.unsubscribe().catch(() => {}),
      });
      state.value = "on";
      // The device list below is server-rendered: show the new device in it.
      location.reload();
    } catch (error) {
      state.value = "failed";
      problem.value = `Could not turn on reminders here: ${errorText(error)}`;
    }
  };

  const turnOff = async () => {
    state.value = "working";
    const registration = await navigator.serviceWorker.getRegistration("/");
    await (await registration?.pushManager.getSubscription())?.unsubscribe();
    state.value = "off";
  };

  const current = state.value;
  return (
    <div class="push-opt-in">
      <p role="status" aria-live="polite">{current === "failed" ? problem.value : MESSAGES[current]}</p>
      {(current === "off" || current === "failed") && (
        <button type="button" class="button button-primary" onClick={turnOn}>Get reminders on this device</button>
      )}
      {current === "on" && (
        <button type="button" class="button" onClick={turnOff}>
          Stop reminders on this device
        </button>
      )}
    </div>
  );
}
