import { authenticate } from "../lib/auth/authenticate.ts";
import { csrfGuard } from "../lib/auth/csrf.ts";
import { define } from "../lib/state.ts";

/** Every request: who is asking, then the CSRF guard for cookie-authenticated writes. */
export const handler = define.middleware([authenticate, csrfGuard]);
