/**
 * The settings section "Reminders on your devices": the opt-in for this device (an
 * island, islands/PushOptIn.tsx) and the devices already subscribed, each with a
 * Remove button that works without JavaScript (POST /settings/devices/[id]/delete).
 */
import type { PushDevice } from "@/domain/push_device.ts";
import PushOptIn from "@/islands/PushOptIn.tsx";

export interface PushDevicesProps {
  /** The server's VAPID public key; null when push is off on this server. */
  publicKey: string | null;
  devices: PushDevice[];
}

const DATE = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

export function PushDevices({ publicKey, devices }: PushDevicesProps) {
  return (
    <section class="card settings-section" id="devices" aria-labelledby="devices-heading">
      <h2 id="devices-heading">Reminders on your devices</h2>
      {publicKey === null
        ? (
          <p>
            Push reminders are not set up on this server. Reminders reach you by e-mail (when it is on above) and in
            your notifications list.
          </p>
        )
        : <PushOptIn publicKey={publicKey} />}
      {devices.length > 0 && (
        // The token list's look: one row per device, its button at the end.
        <ul class="token-list">
          {devices.map((device) => (
            <li class="token-item" key={device.id}>
              <div class="token-info">
                <strong class="token-name">{device.label || "A browser"}</strong>
                <span class="muted">
                  Added {DATE.format(device.createdAt)} ·{" "}
                  {device.lastSuccessAt ? `last reminder ${DATE.format(device.lastSuccessAt)}` : "no reminder yet"}
                </span>
              </div>
              <form method="post" action={`/settings/devices/${device.id}/delete`} class="inline-form">
                <button type="submit" class="button" aria-label={`Remove ${device.label || "this browser"}`}>
                  Remove
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
