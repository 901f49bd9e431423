/**
 * The rate-limit middleware: matches the request against {@link ACTION_POLICIES}
 * (exact, in KV) and the per-instance limits (anonymous `/api` per IP, authenticated
 * reads per user), sets `RateLimit-Policy`/`RateLimit` on the response, and refuses
 * with 429 + `Retry-After` when any budget is spent. error_response.ts turns the
 * HttpError into the JSON envelope for `/api` or the error page for browsers.
 *
 * Contention is waited out (lib/rate_limit/kv_limiter.ts); when it outlasts the decision
 * budget the request gets 503 whatever the policy: letting it through uncounted would
 * break "exact". Only a KV that fails or does not answer may be failed open: fail-closed
 * policies (auth) answer 503, the others let the request through; both are logged as
 * errors so monitoring sees them.
 *
 * @example
 * ```ts
 * export const handler = define.middleware([authenticate, csrfGuard, rateLimit]);
 * ```
 */
import { sha256Hex } from "@/lib/auth/secret.ts";
import { readBody } from "@/lib/body.ts";
import { canonicalEmail } from "@/domain/email_address.ts";
import type { FreshContext } from "fresh";
import { KvContentionError } from "@/lib/kv.ts";
import { log } from "@/lib/log.ts";
import type { Services, State } from "@/app/state.ts";
import { type PolicyState, rateLimitHeaders, retryAfterHeader } from "@/lib/rate_limit/headers.ts";
import { consume, type ConsumeOptions } from "@/lib/rate_limit/kv_limiter.ts";
import { LocalLimiter } from "@/lib/rate_limit/local_limiter.ts";
import { type ActionPolicy, isUnlimited, LOCAL_POLICIES, policiesFor } from "@/lib/rate_limit/policies.ts";
import { HttpError } from "fresh";
import { ApiError } from "@/app/api_error.ts";
import { toApiError } from "@/app/error_response.ts";

/** Options tests use to reach the clock, the contention budget and the KV call bound. */
export const rateLimitOptions: ConsumeOptions = {};

// One pair of per-instance limiters per app (per Services), so each test app starts
// afresh; a WeakMap lets them go with the app.
const localLimiters = new WeakMap<Services, { anonymous: LocalLimiter; reads: LocalLimiter }>();

function limitersFor(services: Services) {
  let limiters = localLimiters.get(services);
  if (!limiters) {
    const now = () => (rateLimitOptions.now ?? Date.now)();
    limiters = {
      anonymous: new LocalLimiter(LOCAL_POLICIES.anonymous, { now }),
      reads: new LocalLimiter(LOCAL_POLICIES.reads, { now }),
    };
    localLimiters.set(services, limiters);
  }
  return limiters;
}

/** Fresh-style middleware; runs after `authenticate` (it needs the user). */
export function rateLimit(ctx: FreshContext<State>): Promise<Response> {
  // Unlimited paths (health checks, assets) pass on without an async frame of their own.
  if (isUnlimited(ctx.url.pathname)) return ctx.next();
  return limitThenNext(ctx);
}

async function limitThenNext(ctx: FreshContext<State>): Promise<Response> {
  const path = ctx.url.pathname;
  const { user, services } = ctx.state;
  const method = ctx.req.method;
  const ip = clientIp(ctx);
  const states: PolicyState[] = [];
  let retryAfterMs = 0;

  const isApi = path === "/api" || path.startsWith("/api/");
  const isRead = method === "GET" || method === "HEAD";
  // No peer address at all (in-process `app.request()` calls): no per-IP budget to
  // charge; lumping every such call into one "unknown" IP would be meaningless.
  const knownIp = ip !== UNKNOWN_IP;
  const local = !user && isApi && knownIp
    ? { limiter: limitersFor(services).anonymous, key: ip }
    : user && isApi && isRead
    ? { limiter: limitersFor(services).reads, key: user.id }
    : undefined;
  if (local) {
    const d = local.limiter.hit(local.key);
    states.push({ name: local.limiter.policy.action, ...local.limiter.policy, ...d });
    if (!d.allowed) retryAfterMs = d.retryAfterMs;
  }

  const policies = policiesFor(method, ctx.route);
  // Most reads have no KV policy: no promise to wait for then.
  const decisions = policies.length === 0 ? [] : await Promise.all(policies.map(async (policy) => {
    const subject = await subjectFor(policy, ctx, ip);
    if (subject === undefined) return undefined;
    try {
      return { policy, decision: await consume(services.kv, policy, subject, rateLimitOptions) };
    } catch (error) {
      if (error instanceof KvContentionError) {
        log.warn("rate_limit.busy", { requestId: ctx.state.requestId, action: policy.action, error: error.message });
        return { policy, busy: error };
      }
      log.error("rate_limit.unavailable", {
        requestId: ctx.state.requestId,
        action: policy.action,
        failMode: policy.failMode,
        error: error instanceof Error ? error.message : String(error),
      });
      return { policy, error };
    }
  }));
  for (const result of decisions) {
    if (!result) continue;
    if ("busy" in result) {
      // Not an outage, so never failed open; a warning, not an alert (rate_limit.busy above).
      throw new ApiError(503, "Too many requests are racing for this limit: try again in a moment", {
        headers: retryAfterHeader(1000),
      });
    }
    if ("error" in result) {
      if (result.policy.failMode === "closed") {
        throw new ApiError(503, "Rate limiting is unavailable right now: try again shortly", {
          headers: retryAfterHeader(1000),
          cause: result.error,
        });
      }
      continue;
    }
    const { policy, decision } = result;
    states.push({ name: policy.action, limit: policy.limit, windowMs: policy.windowMs, ...decision });
    if (!decision.allowed) retryAfterMs = Math.max(retryAfterMs, decision.retryAfterMs);
  }

  const headers = rateLimitHeaders(states);
  if (retryAfterMs > 0) {
    throw new ApiError(429, undefined, { headers: { ...headers, ...retryAfterHeader(retryAfterMs) } });
  }
  try {
    return withHeaders(await ctx.next(), headers);
  } catch (error) {
    // A refusal further down (400, 401, 404…) still counted: say so on it too.
    if (!(error instanceof HttpError)) throw error;
    const refusal = toApiError(error);
    Object.assign(refusal.headers, headers, { ...refusal.headers });
    throw refusal;
  }
}

/**
 * The client's IP: with `TRUST_PROXY=true` the last `X-Forwarded-For` hop (the one our
 * proxy appended; earlier hops are client-supplied), else the socket peer; "unknown"
 * in `app.request()` tests without either.
 */
export function clientIp(ctx: Pick<FreshContext<State>, "req" | "info" | "state">): string {
  if (ctx.state.services.config.trustProxy) {
    const hops = ctx.req.headers.get("x-forwarded-for")?.split(",").map((hop) => hop.trim()).filter(Boolean);
    if (hops?.length) return hops[hops.length - 1];
  }
  const addr = ctx.info?.remoteAddr;
  return addr && "hostname" in addr ? addr.hostname : UNKNOWN_IP;
}

/** What {@link clientIp} answers when there is neither a trusted proxy header nor a socket peer. */
export const UNKNOWN_IP = "unknown";

/** The budget subject of a signed-in user (account erasure deletes these keys too). */
export function userSubject(userId: string): string {
  return `user:${userId}`;
}

/** The budget subject of an e-mail address, canonical; never in the clear in KV. */
export async function emailSubject(email: string): Promise<string> {
  return `email:${await sha256Hex(canonicalEmail(email))}`;
}

async function subjectFor(policy: ActionPolicy, ctx: FreshContext<State>, ip: string): Promise<string | undefined> {
  switch (policy.subject) {
    case "ip":
      return ip === UNKNOWN_IP ? undefined : `ip:${ip}`;
    case "user":
      // Anonymous calls to a user action are refused by the route (401); count them by IP.
      return ctx.state.user ? userSubject(ctx.state.user.id) : ip === UNKNOWN_IP ? undefined : `ip:${ip}`;
    case "email": {
      const email = await emailOf(ctx.req);
      return email ? await emailSubject(email) : undefined;
    }
  }
}

/**
 * The `email` field of the body, read by THE body parser (lib/body.ts), which remembers
 * its parse for the handler: whatever Content-Type spelling the handler accepts, the
 * limiter has read the same e-mail, in the same canonical spelling the handler looks up.
 */
async function emailOf(req: Request): Promise<string | undefined> {
  let value: unknown;
  try {
    value = (await readBody(req)).data.email;
  } catch {
    return undefined; // a body the handler refuses too (400/415): it authenticates nobody
  }
  const email = typeof value === "string" ? canonicalEmail(value) : "";
  return email === "" ? undefined : email;
}

function withHeaders(response: Response, headers: Record<string, string>): Response {
  if (Object.keys(headers).length === 0) return response;
  try {
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  } catch {
    // Immutable headers (e.g. Response.redirect): copy the response.
    const copy = new Response(response.body, response);
    for (const [name, value] of Object.entries(headers)) copy.headers.set(name, value);
    return copy;
  }
}
