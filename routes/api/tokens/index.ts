import { createToken, listTokens } from "@/db/accounts.ts";
import { tokenNameSchema } from "@/domain/account_input.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

export const handler = define.handlers({
  /** The user's personal API tokens, newest first (never their secrets). */
  async GET(ctx) {
    const user = requireUser(ctx);
    return Response.json({ tokens: await listTokens(ctx.state.services.db, user.id) });
  },

  /** Creates a token: 201 `{token: {id, name}, secret}`; the secret is never shown again. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const { name } = parseInput(tokenNameSchema, (await readBody(ctx.req)).data);
    const { token, secret } = await createToken(ctx.state.services.db, user.id, name);
    // The secret is on this response only; like every signed-in response it is
    // `Cache-Control: no-store` (app/cache_control.ts).
    return Response.json({ token: { id: token.id, name: token.name }, secret }, { status: 201 });
  },
});
