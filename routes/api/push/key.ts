import { HttpError } from "fresh";
import { define } from "@/app/state.ts";
import { PUSH_OFF_MESSAGE } from "@/lib/push/services.ts";

export const handler = define.handlers({
  /** The server's VAPID public key: the browser's `applicationServerKey` when it subscribes. */
  GET(ctx) {
    const vapid = ctx.state.services.push?.vapid;
    if (!vapid) throw new HttpError(404, PUSH_OFF_MESSAGE);
    return Response.json({ publicKey: vapid.publicKey }, { headers: { "Cache-Control": "no-cache" } });
  },
});
