import { z } from "zod";
import { savePushSubscription } from "@/db/push.ts";
import { deviceLabel } from "@/domain/device_label.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { HttpError } from "fresh";
import { PUSH_OFF_MESSAGE } from "@/lib/push/services.ts";
import { PUSH_ENDPOINT_MAX_LENGTH, pushSubscriptionProblems } from "@/lib/push/subscription.ts";
import { define } from "@/app/state.ts";
import { parseInput, ValidationError } from "@/lib/validate.ts";

const KEY_MAX = 200;

/** `PushSubscription.toJSON()` as the browser gives it (`expirationTime` and other keys are ignored). */
const subscriptionSchema = z.object({
  endpoint: z.string({ error: "Send the subscription's endpoint URL" }).max(
    PUSH_ENDPOINT_MAX_LENGTH,
    `Must be at most ${PUSH_ENDPOINT_MAX_LENGTH} characters`,
  ),
  keys: z.object({
    p256dh: z.string({ error: "Send keys.p256dh as the browser gives it" }).max(KEY_MAX, "Is too long for a key"),
    auth: z.string({ error: "Send keys.auth as the browser gives it" }).max(KEY_MAX, "Is too long for a key"),
  }, { error: "Send keys: {p256dh, auth}, as PushSubscription.toJSON() gives them" }),
});

export const handler = define.handlers({
  /**
   * Saves this device's subscription (201 `{subscription: {id}}`); the same device
   * subscribing again keeps its one row. 400 for a subscription the server cannot
   * send to, 404 when push is off here, 409 past the device cap.
   */
  async POST(ctx) {
    const user = requireUser(ctx);
    const push = ctx.state.services.push;
    if (!push?.vapid) throw new HttpError(404, PUSH_OFF_MESSAGE);
    const { data } = await readBody(ctx.req);
    const input = parseInput(subscriptionSchema, data);
    const subscription = { endpoint: input.endpoint, keys: { p256dh: input.keys.p256dh, auth: input.keys.auth } };
    const fields = pushSubscriptionProblems(subscription, { allowInsecureLoopback: push.allowLoopbackEndpoints });
    if (Object.keys(fields).length > 0) throw new ValidationError(fields);
    const device = await savePushSubscription(
      ctx.state.services.db,
      user.id,
      subscription,
      deviceLabel(ctx.req.headers.get("user-agent")),
    );
    return Response.json({ subscription: { id: device.id, label: device.label } }, { status: 201 });
  },
});
