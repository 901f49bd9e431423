/**
 * A device that receives a user's push reminders, as the settings page and the API show
 * it (db/push.ts reads it; components/PushDevices.tsx lists it).
 */
export interface PushDevice {
  id: string;
  /** "Chrome on Android", from the browser that subscribed (domain/device_label.ts); "" when unknown. */
  label: string;
  createdAt: Date;
  /** The last time a reminder reached it; null before the first. */
  lastSuccessAt: Date | null;
}
