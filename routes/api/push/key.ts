import { HttpError } from "../../../lib/fresh/mod.ts";
import { define } from "../../../lib/state.ts";

/** Push is off on this server (no VAPID keys with DATABASE_URL): there is nothing to subscribe to. */
export const PUSH_OFF_MESSAGE = "Push reminders are not set up on this server: reminders come by e-mail and in the app";

export const handler = define.handlers({
  /** The server's VAPID public key: the browser's `applicationServerKey` when it subscribes. */
  GET(ctx) {
    const vapid = ctx.state.services.push?.vapid;
    if (!vapid) throw new HttpError(404, PUSH_OFF_MESSAGE);
    return Response.json({ publicKey: vapid.publicKey }, { headers: { "Cache-Control": "no-cache" } });
  },
});
