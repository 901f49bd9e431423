/**
 * Stripe, when the server is configured for it (`STRIPE_SECRET_KEY`,
 * `STRIPE_WEBHOOK_SECRET`, `STRIPE_PRICE_PRO`): Checkout sessions for the pro plan, and
 * webhook events verified on the raw body with Web Crypto (`constructEventAsync` +
 * the SubtleCrypto provider; Node's crypto is not involved).
 *
 * The Stripe SDK (~10 MB of RSS) is imported on the first checkout or webhook, not at
 * start: most requests, and every server without billing, never need it.
 *
 * @example
 * ```ts
 * const billing = billingOf(config);
 * if (!billing) throw new HttpError(503, BILLING_OFF_MESSAGE);
 * const url = await createCheckoutUrl(billing, { userId: user.id, email: user.email });
 * ```
 */
import type Stripe from "stripe";
import type { SubscriptionEventType, WebhookAction } from "@/db/billing.ts";
import type { Config } from "@/lib/config.ts";
import { log } from "@/lib/log.ts";
import { ApiError } from "@/app/api_error.ts";

/** What the pages and the API say when the server has no Stripe configuration. */
export const BILLING_OFF_MESSAGE = "Billing is off on this server: plans cannot be bought here.";

/** A configured Stripe: the client and what checkout and webhooks need. */
export interface Billing {
  /** The Stripe client, created (and the SDK imported) on first use. */
  stripe(): Promise<Stripe>;
  webhookSecret: string;
  pricePro: string;
  appOrigin: string;
}

const clients = new WeakMap<Config, Billing>();

/**
 * The server's Stripe, or null when billing is off. One client per configuration.
 *
 * @example
 * ```ts
 * const enabled = billingOf(ctx.state.services.config) !== null;
 * ```
 */
export function billingOf(config: Config): Billing | null {
  const { stripeSecretKey, stripeWebhookSecret, stripePricePro } = config;
  if (!stripeSecretKey || !stripeWebhookSecret || !stripePricePro) return null;
  let billing = clients.get(config);
  if (!billing) {
    let client: Promise<Stripe> | undefined;
    billing = {
      stripe: () =>
        client ??= loadStripe().then(({ StripeSdk }) =>
          new StripeSdk(stripeSecretKey, {
            ...apiAddress(config.stripeApiBase),
            maxNetworkRetries: 1,
            timeout: 10_000,
          })
        ),
      webhookSecret: stripeWebhookSecret,
      pricePro: stripePricePro,
      appOrigin: config.appOrigin,
    };
    clients.set(config, billing);
  }
  return billing;
}

/** The SDK and the Web Crypto provider webhooks are verified with, imported once on first use. */
let sdk: Promise<{ StripeSdk: typeof Stripe; cryptoProvider: Stripe.CryptoProvider }> | undefined;
function loadStripe() {
  return sdk ??= import("stripe").then(({ default: StripeSdk }) => ({
    StripeSdk,
    cryptoProvider: StripeSdk.createSubtleCryptoProvider(),
  }));
}

/** Stripe's client options for an API at another address (stripe-mock, a test's fake). */
function apiAddress(base: string | undefined): Pick<Stripe.StripeConfig, "host" | "port" | "protocol"> {
  if (!base) return {};
  const url = new URL(base);
  return {
    host: url.hostname,
    port: url.port || (url.protocol === "http:" ? 80 : 443),
    protocol: url.protocol === "http:" ? "http" : "https",
  };
}

/**
 * Creates a Checkout session for the pro subscription and returns its URL. The user id
 * travels as `client_reference_id` and in the subscription's metadata, so the webhook
 * can link the customer whichever event arrives first. Stripe sends the user back to
 * `returnOrigin` (the origin they are on, lib/auth/own_origin.ts's `linkOrigin`).
 *
 * @example
 * ```ts
 * return Response.redirect(await createCheckoutUrl(billing, { userId: user.id, email: user.email }), 303);
 * ```
 */
export async function createCheckoutUrl(
  billing: Billing,
  user: { userId: string; email: string },
  returnOrigin: string = billing.appOrigin,
): Promise<string> {
  const [{ StripeSdk }, stripe] = await Promise.all([loadStripe(), billing.stripe()]);
  let session: Stripe.Checkout.Session;
  try {
    session = await stripe.checkout.sessions.create({
      mode: "subscription",
      line_items: [{ price: billing.pricePro, quantity: 1 }],
      client_reference_id: user.userId,
      customer_email: user.email,
      subscription_data: { metadata: { user_id: user.userId } },
      success_url: `${returnOrigin}/upgrade?done=success`,
      cancel_url: `${returnOrigin}/upgrade?done=canceled`,
    });
  } catch (error) {
    if (!(error instanceof StripeSdk.errors.StripeError)) throw error;
    // Stripe down or refusing our request: nothing the user can fix, so no 500 either.
    log.warn("stripe.checkout.failed", { type: error.type, message: error.message });
    throw new ApiError(503, "Stripe could not start the checkout right now; try again in a minute.", {
      headers: { "Retry-After": "60" },
    });
  }
  if (!session.url) throw new Error("Stripe returned a Checkout session without a URL");
  return session.url;
}

/**
 * The event in `rawBody` if `signature` (the `Stripe-Signature` header) signs it with
 * the webhook secret; null otherwise (missing, malformed, wrong or too old).
 *
 * @example
 * ```ts
 * const event = await verifyWebhook(billing, await ctx.req.text(), ctx.req.headers.get("stripe-signature"));
 * if (!event) throw new HttpError(400, "Invalid Stripe signature");
 * ```
 */
export async function verifyWebhook(
  billing: Billing,
  rawBody: string,
  signature: string | null,
): Promise<Stripe.Event | null> {
  if (!signature) return null;
  const [{ StripeSdk, cryptoProvider }, stripe] = await Promise.all([loadStripe(), billing.stripe()]);
  try {
    return await stripe.webhooks.constructEventAsync(
      rawBody,
      signature,
      billing.webhookSecret,
      undefined,
      cryptoProvider,
    );
  } catch (error) {
    if (error instanceof StripeSdk.errors.StripeSignatureVerificationError) return null;
    throw error;
  }
}

const SUBSCRIPTION_EVENTS = new Set<string>([
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
]);

/**
 * Reduces a verified event to the one database call it needs.
 *
 * @example
 * ```ts
 * const action = webhookAction(event, billing.pricePro);
 * if (action.kind === "subscription") await applySubscriptionEvent(db, action.change);
 * ```
 */
export function webhookAction(event: Stripe.Event, pricePro: string): WebhookAction {
  const created = new Date(event.created * 1000);
  if (SUBSCRIPTION_EVENTS.has(event.type)) {
    const subscription = event.data.object as Stripe.Subscription;
    if (!subscription.customer) return { kind: "ignored" };
    return {
      kind: "subscription",
      change: {
        eventId: event.id,
        created,
        type: event.type as SubscriptionEventType,
        customerId: idOf(subscription.customer),
        subscriptionId: subscription.id,
        status: subscription.status,
        proPrice: (subscription.items?.data ?? []).some((item) => item.price?.id === pricePro),
        userId: subscription.metadata?.user_id ?? null,
      },
    };
  }
  if (event.type === "checkout.session.completed") {
    const session = event.data.object as Stripe.Checkout.Session;
    if (session.client_reference_id && session.customer) {
      return {
        kind: "link",
        link: {
          eventId: event.id,
          created,
          userId: session.client_reference_id,
          customerId: idOf(session.customer),
        },
      };
    }
  }
  return { kind: "ignored" };
}

/** Stripe sends a related object as its id, or expanded. */
function idOf(value: string | { id: string }): string {
  return typeof value === "string" ? value : value.id;
}
