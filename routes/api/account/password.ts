import { changePassword } from "@/db/passwords.ts";
import { passwordChangeSchema, WRONG_CURRENT_PASSWORD } from "@/domain/account_input.ts";
import { parseWithNewPassword } from "@/app/account_form.ts";
import { currentSessionHash, requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { define } from "@/app/state.ts";
import { ValidationError } from "@/lib/validate.ts";

/**
 * Changes the password: `{currentPassword, newPassword}` → 204. Every other session ends
 * (this one stays; API tokens stay). A wrong `currentPassword` → 400 naming it; a weak
 * new password → 400 with the reason on `newPassword` and `password`.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    const input = await parseWithNewPassword(passwordChangeSchema, data, {
      field: "newPassword",
      alsoAs: ["password"],
      userInputs: [user.email, user.displayName],
    });
    const ended = await changePassword(ctx.state.services.db, user.id, input, currentSessionHash(ctx));
    if (ended === null) {
      throw new ValidationError({ currentPassword: WRONG_CURRENT_PASSWORD }, WRONG_CURRENT_PASSWORD);
    }
    return new Response(null, { status: 204 });
  },
});
