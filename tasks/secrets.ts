/**
 * Prints fresh secrets for a deployment's environment (real Postgres, Deno Deploy),
 * where nothing is generated on disk: a VAPID key pair for Web Push and an
 * `APP_SECRET` for one-tap links. Set the same values on every instance; keep them
 * (new VAPID keys make every device subscribe again; a new APP_SECRET breaks the links
 * sent in the last 48 hours).
 *
 * @example
 * ```sh
 * deno run -A tasks/secrets.ts >> .env   # then set VAPID_SUBJECT=mailto:you@example.com
 * # VAPID_PUBLIC_KEY=BOr…
 * # VAPID_PRIVATE_KEY=x3k…
 * # APP_SECRET=Qm9…
 * ```
 */
import { newSecret } from "@/lib/auth/secret.ts";
import { generateVapidKeys } from "@/lib/push/vapid_keys.ts";

const vapid = generateVapidKeys();
console.log(`VAPID_PUBLIC_KEY=${vapid.publicKey}`);
console.log(`VAPID_PRIVATE_KEY=${vapid.privateKey}`);
console.log(`APP_SECRET=${newSecret()}`);
