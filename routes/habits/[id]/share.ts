import { shareHabit, unshareHabit } from "@/db/shares.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { setFlash } from "@/app/flash.ts";
import { HttpError } from "fresh";
import { define } from "@/app/state.ts";

/** The habit page's share forms, by `intent`; each answers 303 back to the page's Share card. */
export const handler = define.handlers({
  async POST(ctx) {
    const user = requireUser(ctx);
    const { db } = ctx.state.services;
    const habitId = ctx.params.id;
    const { data } = await readBody(ctx.req);
    switch (data.intent) {
      case "share":
        await shareHabit(db, user.id, habitId, { showName: data.showName === "true" });
        setFlash(ctx, "Share link created.");
        break;
      case "show-name":
      case "hide-name":
        await shareHabit(db, user.id, habitId, { showName: data.intent === "show-name" });
        setFlash(
          ctx,
          data.intent === "show-name" ? "The link now shows the name." : "The link no longer shows the name.",
        );
        break;
      case "rotate":
        await shareHabit(db, user.id, habitId, { rotate: true });
        setFlash(ctx, "New link made: the old one no longer works.");
        break;
      case "unshare":
        await unshareHabit(db, user.id, habitId);
        setFlash(ctx, "Sharing stopped: the link no longer works.");
        break;
      default:
        throw new HttpError(400, "Unknown form: reload the habit page and try again");
    }
    return ctx.redirect(`/habits/${habitId}#share`, 303);
  },
});
