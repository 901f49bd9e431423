import { saveSettings, settingsOf } from "@/db/accounts.ts";
import { settingsFormSchema, settingsSchema } from "@/domain/account_input.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

/**
 * Saves any subset of the settings (JSON: absent = unchanged, `displayName: null`
 * clears it; a form posts all of them): 200 `{settings}`.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const user = requireUser(ctx);
    const body = await readBody(ctx.req);
    const input = parseInput(body.kind === "form" ? settingsFormSchema : settingsSchema, body.data);
    const saved = await saveSettings(ctx.state.services.db, user.id, input);
    return Response.json({ settings: settingsOf(saved) });
  },
});
