/**
 * Push and one-tap for tests: a fresh VAPID pair and app secret, resolved the way the
 * server resolves them from its environment (lib/push/services.ts), with loopback
 * endpoints allowed (the local push service of tests/support/push_endpoint.ts).
 * `env` is the same settings as environment variables, for app processes.
 *
 * @example
 * ```ts
 * const { push, env } = await testPushServices();
 * await using t = await startTestApp({ push });
 * ```
 */
import { newSecret } from "@/lib/auth/secret.ts";
import { generateVapidKeys } from "@/lib/push/vapid_keys.ts";
import { type PushServices, resolvePushServices } from "@/lib/push/services.ts";

export async function testPushServices(): Promise<{ push: PushServices; env: Record<string, string> }> {
  const pair = generateVapidKeys();
  const env = {
    VAPID_PUBLIC_KEY: pair.publicKey,
    VAPID_PRIVATE_KEY: pair.privateKey,
    VAPID_SUBJECT: "mailto:ops@example.test",
    APP_SECRET: newSecret(),
    PUSH_ALLOW_LOOPBACK_ENDPOINTS: "true",
  };
  const push = await resolvePushServices(
    { databaseUrl: undefined, dataDir: ":memory:", appOrigin: "http://localhost" },
    (name) => env[name as keyof typeof env],
  );
  return { push, env };
}
