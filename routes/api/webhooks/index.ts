import { listWebhooks } from "@/db/webhooks.ts";
import { registerWebhook } from "@/app/webhook_registration.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { define } from "@/app/state.ts";

export const handler = define.handlers({
  /** The user's webhooks, oldest first (never their secrets). */
  async GET(ctx) {
    const user = requireUser(ctx);
    return Response.json({ webhooks: await listWebhooks(ctx.state.services.db, user.id) });
  },

  /**
   * Registers `{url, events[]}`: 201 `{webhook, secret}`; the signing secret is on this
   * response only. A URL that resolves to a loopback, private, link-local or metadata
   * address → 400 on `url`.
   */
  async POST(ctx) {
    const user = requireUser(ctx);
    const { webhook, secret } = await registerWebhook(ctx.state.services, user.id, (await readBody(ctx.req)).data);
    // `Cache-Control: no-store`, like every signed-in response (lib/cache_control.ts).
    return Response.json({ webhook, secret }, { status: 201 });
  },
});
