import { z } from "zod";
import { linkOrigin } from "@/lib/auth/own_origin.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { BILLING_OFF_MESSAGE, billingOf, createCheckoutUrl } from "@/app/billing/stripe.ts";
import { readBody } from "@/lib/body.ts";
import { HttpError } from "fresh";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

const checkoutSchema = z.object({
  plan: z.literal("pro", { error: 'Choose plan "pro" (the only plan for sale)' }),
});

export const handler = define.handlers({
  /**
   * Starts a Stripe Checkout for the pro plan: JSON → 200 `{url}`; a form post (the
   * upgrade page) → 303 to Stripe. 503 when billing is off, 409 when already on pro.
   */
  async POST(ctx) {
    const user = requireUser(ctx);
    const billing = billingOf(ctx.state.services.config);
    if (!billing) throw new HttpError(503, BILLING_OFF_MESSAGE);
    const { kind, data } = await readBody(ctx.req);
    const { plan } = parseInput(checkoutSchema, data);
    if (user.plan === plan) throw new HttpError(409, "You are on the pro plan already.");
    const returnOrigin = linkOrigin(ctx.state.services.config, ctx.url);
    const url = await createCheckoutUrl(billing, { userId: user.id, email: user.email }, returnOrigin);
    if (kind === "form") return new Response(null, { status: 303, headers: { Location: url } });
    return Response.json({ url });
  },
});
