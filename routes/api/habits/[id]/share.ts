import { z } from "zod";
import { shareHabit, unshareHabit } from "@/db/shares.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

/** `{showName?, rotate?}`: show the habit's name on the shared page; replace the link (the old one stops working). */
const shareSchema = z.object({
  showName: z.boolean({ error: "showName is true or false" }).optional(),
  rotate: z.boolean({ error: "rotate is true or false" }).optional(),
});

export const handler = define.handlers({
  /**
   * Shares the habit's year grid: 201 `{url, svgUrl, showName}`. Posting again keeps the
   * same link (updating `showName`) unless `rotate` is true. Another user's habit → 404.
   */
  async POST(ctx) {
    const user = requireUser(ctx);
    const body = ctx.req.headers.get("content-length") === "0" || !ctx.req.body ? {} : (await readBody(ctx.req)).data;
    const options = parseInput(shareSchema, body);
    const share = await shareHabit(ctx.state.services.db, user.id, ctx.params.id, options);
    const url = `${ctx.state.services.config.appOrigin}/s/${share.token}`;
    return Response.json({ url, svgUrl: `${url}.svg`, showName: share.showName }, { status: 201 });
  },

  /** Revokes the link: 204, and it answers 404 from then on. Not shared or another user's habit → 404. */
  async DELETE(ctx) {
    const user = requireUser(ctx);
    await unshareHabit(ctx.state.services.db, user.id, ctx.params.id);
    return new Response(null, { status: 204 });
  },
});
