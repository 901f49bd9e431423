import { applyWebhookAction } from "@/db/billing.ts";
import { BILLING_OFF_MESSAGE, billingOf, verifyWebhook, webhookAction } from "@/app/billing/stripe.ts";
import { markUsersChanged } from "@/app/cache/invalidate.ts";
import { HttpError } from "fresh";
import { define } from "@/app/state.ts";

export const handler = define.handlers({
  /**
   * Stripe's server-to-server events. No session or cookie is involved: the signature
   * over the raw body is the authentication, so the body is read as text before anything
   * could parse (and re-serialise) it. A bad or missing signature → 400, nothing written.
   * The user whose plan changed is invalidated before the 200, so `/api/me` and the pages
   * show the new plan on the next request, on every instance.
   */
  async POST(ctx) {
    const billing = billingOf(ctx.state.services.config);
    if (!billing) throw new HttpError(503, BILLING_OFF_MESSAGE);
    const rawBody = await ctx.req.text();
    const event = await verifyWebhook(billing, rawBody, ctx.req.headers.get("stripe-signature"));
    if (!event) throw new HttpError(400, "The Stripe-Signature header does not sign this body");
    const { result, changedUserIds } = await applyWebhookAction(
      ctx.state.services.db,
      webhookAction(event, billing.pricePro),
    );
    markUsersChanged(ctx.state, changedUserIds);
    return Response.json({ received: true, result });
  },
});
