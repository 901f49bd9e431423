/**
 * A property-based fuzzer over the whole HTTP surface (fast-check): every route of the
 * generated manifest with every method it declares (and some it does not), so a route
 * added later is fuzzed the day it appears, with generated path parameters, query
 * strings, headers, cookies and bodies — NUL, lone surrogates, huge strings, prototype
 * names, malformed and deeply nested JSON, bytes that are not UTF-8, wrong and oddly
 * spelled content types — signed in (cookie or token) and signed out.
 *
 * The property: no response is a 5xx; every response is what API.md promises (the JSON
 * error envelope with a known code for `/api` and JSON clients, an HTML page or a local
 * redirect for browsers, `Allow` on 405, `Retry-After` on 429, a request id on all); and
 * after the run the server is healthy (`/api/health/deep`) and every (route, method)
 * pair was exercised.
 *
 * Runs: `FUZZ_RUNS` requests (default 10,000), from `FUZZ_SEED` (default: random,
 * printed). A failure prints the seed and the failing request; replay it with
 * `FUZZ_SEED=<seed> deno test -A tests/fuzz/`. `FUZZ_SHRINK=1` shrinks the
 * counterexample (slower: the app keeps state between requests).
 */
import fc from "fast-check";
import manifest from "@/fresh.gen.ts";
import { closePasswordWorkers } from "@/lib/auth/password.ts";
import { isSpecialFile, routePattern } from "@/lib/fresh/route_path.ts";
import type { RouteModule } from "fresh";
import { rateLimitOptions } from "@/app/rate_limit/middleware.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";

const RUNS = Number(Deno.env.get("FUZZ_RUNS") ?? 10_000);
const SEED = Number(Deno.env.get("FUZZ_SEED") ?? Math.floor(Math.random() * 2 ** 31));
const SHRINK = Deno.env.get("FUZZ_SHRINK") === "1";
/** A fresh user (with one of each object) every this many requests, so revocations do not end the run's coverage. */
const REQUESTS_PER_USER = 250;

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const ERROR_CODES = new Set([
  "validation_failed",
  "unauthorized",
  "forbidden",
  "not_found",
  "method_not_allowed",
  "conflict",
  "payload_too_large",
  "unsupported_media_type",
  "plan_limit",
  "rate_limited",
  "unavailable",
]);

// --- the manifest -------------------------------------------------------------

interface Target {
  file: string;
  pattern: string;
  method: string;
}

function declaredMethods(module: RouteModule): string[] {
  const handler = module.handler;
  if (typeof handler === "function") return ["GET", "POST"];
  const declared = handler && typeof handler === "object" ? Object.keys(handler) : module.default ? ["GET"] : [];
  return METHODS.filter((m) => declared.includes(m));
}

const TARGETS: Target[] = Object.entries(manifest.routes)
  .filter(([file]) => !isSpecialFile(file))
  .flatMap(([file, module]) => {
    const pattern = routePattern(file.slice("routes/".length));
    return declaredMethods(module).map((method) => ({ file, pattern, method }));
  });

// --- values ---------------------------------------------------------------------

const PROTOTYPE_NAMES = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "__defineGetter__",
  "__lookupSetter__",
  "isPrototypeOf",
  "then",
];

const HOSTILE_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udc00y",
  "\udfff\ud800",
  "\ufeff",
  "\u202eevil",
  "𝟘𝟙",
  "／／",
  "é",
  "\r\n",
  "\t=1+1",
  "=cmd|' /C calc'!A0",
  "' or 1=1 --",
  "%",
  "%00",
  "%ZZ",
  "../../etc/passwd",
  "<script>alert(1)</script>",
  "javascript:alert(1)",
  "//evil.example",
  "/\\evil.example",
  "NaN",
  "-0",
  "1e309",
  "99999999999999999999",
  "2024-02-30",
  "0000-00-00",
  "2024-13-01",
  "9999-12-31",
  "24:00",
  "23:59",
  "A@B.C ",
  "a@b.c",
  "00000000-0000-0000-0000-000000000000",
  btoa("2024-02-30 10:00:00+00|1"),
  btoa("0000-00-00 00:00:00+00|1"),
  ...PROTOTYPE_NAMES,
];

const FIELD_NAMES = [
  "email",
  "password",
  "currentPassword",
  "newPassword",
  "token",
  "timezone",
  "displayName",
  "weekStart",
  "theme",
  "emailReminders",
  "name",
  "color",
  "kind",
  "target",
  "unit",
  "direction",
  "schedule",
  "archived",
  "position",
  "tags",
  "date",
  "status",
  "value",
  "note",
  "title",
  "description",
  "targetDate",
  "goalId",
  "habitId",
  "pinned",
  "dueDate",
  "done",
  "progress",
  "time",
  "days",
  "enabled",
  "ids",
  "plan",
  "intent",
  "id",
  "tokenId",
  "sessionId",
  "next",
  "return",
  "from",
  "to",
  "format",
  "file",
  "type",
  "every",
  "times",
];

const QUERY_NAMES = [
  "cursor",
  "limit",
  "date",
  "from",
  "to",
  "next",
  "done",
  "token",
  "archived",
  "format",
  "unread",
  "tag",
  "return",
  "imported",
];

/** Values that get past the first checks, so the fuzzer reaches deeper code too. */
function plausible(ids: Fixture): fc.Arbitrary<unknown> {
  const today = new Date().toISOString().slice(0, 10);
  return fc.constantFrom<unknown>(
    today,
    "done",
    "skipped",
    "none",
    "failed",
    "07:30",
    [1, 2, 3],
    [7],
    { type: "daily" },
    { type: "weekly", times: 3 },
    { type: "weekdays", days: [1, 5] },
    "numeric",
    "boolean",
    10,
    0,
    -1,
    1.5,
    true,
    false,
    null,
    "pro",
    "Europe/Berlin",
    "dark",
    "correct horse battery staple",
    `fuzz-${crypto.randomUUID().slice(0, 8)}@example.test`,
    "goal-update",
    "milestone-add",
    "subgoal-update",
    "create-token",
    "revoke-token",
    "save-settings",
    "revoke-session",
    "delete",
    ...Object.values(ids).flat(),
  );
}

function hostileString(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
    {
      weight: 2,
      arbitrary: fc.string({ unit: fc.constantFrom("\u0000", "\ud800", "\udc00", "a", "é", "👍"), maxLength: 12 }),
    },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 50_000 }).map((n) => "x".repeat(n)) },
  );
}

function jsonValue(ids: Fixture): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    { weight: 4, arbitrary: hostileString() },
    { weight: 4, arbitrary: plausible(ids) },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
  );
  return fc.oneof(
    { weight: 6, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(leaf, { maxLength: 8 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...FIELD_NAMES, ...PROTOTYPE_NAMES), leaf, { maxKeys: 4 }) },
  );
}

function fieldName(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...FIELD_NAMES) },
    { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES) },
    { weight: 1, arbitrary: hostileString() },
  );
}

// --- requests -------------------------------------------------------------------

/** The objects of the current fuzz user, by the path segment that names their kind. */
type Fixture = Record<string, string[]>;

type Body =
  | { kind: "json"; value: Record<string, unknown> }
  | { kind: "text"; text: string }
  | { kind: "bytes"; bytes: number[] }
  | { kind: "form"; pairs: [string, string][] }
  | { kind: "multipart"; pairs: [string, string][] }
  | { kind: "none" };

interface FuzzRequest {
  target: Target;
  method: string;
  params: string[];
  query: [string, string][];
  auth: "session" | "bearer" | "bad-cookie" | "bad-bearer" | "basic" | "none";
  origin: "ours" | "evil" | "null" | "none";
  fetchSite: "same-origin" | "cross-site" | "none" | "absent";
  contentType: string | null;
  accept: string | null;
  requestId: string | null;
  body: Body;
}

const CONTENT_TYPES = [
  "application/json",
  "Application/JSON; charset=UTF-8",
  "application/vnd.x+json",
  "application/merge-patch+json",
  "application/json; charset=latin1",
  "application/x-www-form-urlencoded",
  "APPLICATION/X-WWW-FORM-URLENCODED; charset=utf-8",
  "multipart/form-data",
  "multipart/form-data; boundary=nope",
  "text/plain",
  "text/html",
  "application/xml",
  "*/*",
  "a/b/c",
  "",
];

function requestArbitrary(ids: Fixture): fc.Arbitrary<FuzzRequest> {
  const params = fc.array(
    fc.oneof(
      { weight: 5, arbitrary: fc.constant("<real>") },
      { weight: 2, arbitrary: fc.constant(crypto.randomUUID()) },
      { weight: 3, arbitrary: hostileString() },
    ),
    { minLength: 3, maxLength: 3 },
  );
  const body: fc.Arbitrary<Body> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.dictionary(fieldName(), jsonValue(ids), { maxKeys: 8 }).map((value) => ({
        kind: "json" as const,
        value,
      })),
    },
    {
      weight: 3,
      arbitrary: fc.array(fc.tuple(fieldName(), fc.oneof(hostileString(), plausible(ids).map(String))), {
        maxLength: 8,
      })
        .map((pairs) => ({ kind: "form" as const, pairs })),
    },
    {
      weight: 1,
      arbitrary: fc.array(fc.tuple(fieldName(), hostileString()), { maxLength: 4 })
        .map((pairs) => ({ kind: "multipart" as const, pairs })),
    },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom(
          "{",
          '{"a":',
          "[1,2",
          '{"a":1}garbage',
          "\ufeff{}",
          "null",
          "[]",
          '"str"',
          "1",
          "{}}",
          "{'a':1}",
        ),
        fc.integer({ min: 17, max: 20_000 }).map((depth) => "[".repeat(depth) + "]".repeat(depth)),
        fc.integer({ min: 17, max: 5_000 }).map((depth) => '{"a":'.repeat(depth) + "1" + "}".repeat(depth)),
        fc.constant("x".repeat(1_100_000)),
        fc.string({ maxLength: 200 }),
      ).map((text) => ({ kind: "text" as const, text })),
    },
    {
      weight: 1,
      arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }).map((bytes) => ({
        kind: "bytes" as const,
        bytes,
      })),
    },
    { weight: 2, arbitrary: fc.constant({ kind: "none" as const }) },
  );
  const headerValue = fc.stringMatching(/^[\x21-\x7e]{0,40}$/);
  return fc.record({
    target: fc.constantFrom(...TARGETS),
    method: fc.oneof({ weight: 9, arbitrary: fc.constant("") }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
    params,
    query: fc.array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...QUERY_NAMES), hostileString()),
        fc.oneof(hostileString(), plausible(ids).map(String)),
      ),
      {
        maxLength: 3,
      },
    ),
    auth: fc.constantFrom("session", "session", "bearer", "bearer", "bad-cookie", "bad-bearer", "basic", "none"),
    origin: fc.constantFrom("ours", "ours", "ours", "evil", "null", "none"),
    fetchSite: fc.constantFrom("same-origin", "cross-site", "none", "absent", "absent"),
    contentType: fc.oneof(
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
      { weight: 1, arbitrary: headerValue },
    ),
    accept: fc.constantFrom(null, "application/json", "text/html", "*/*", "text/html, application/json"),
    requestId: fc.oneof(fc.constant(null), headerValue),
    body,
  });
}

/** A path segment as a client would send it; text that has no UTF-8 form goes as the bytes a broken client would send. */
function encodeSegment(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0)!;
    out += code >= 0xd800 && code <= 0xdfff ? "%ED%A0%80" : encodeURIComponent(char);
  }
  return out;
}

function pathOf(request: FuzzRequest, ids: Fixture): string {
  let i = 0;
  return request.target.pattern.replace(/:(\w+)|\*/g, (_match, _name, offset: number) => {
    const value = request.params[i++ % request.params.length];
    if (value !== "<real>") return encodeSegment(value);
    // The kind of object a parameter names is the path segment before it: /api/habits/:id → habits.
    const kind = request.target.pattern.slice(0, offset).split("/").filter(Boolean).at(-1) ?? "";
    const pool = ids[kind] ?? Object.values(ids).flat();
    return pool[(offset + i) % pool.length] ?? crypto.randomUUID();
  });
}

function toRequest(request: FuzzRequest, ids: Fixture, user: TestUser, origin: string): Request {
  const method = request.method || request.target.method;
  const query = request.query.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join("&");
  const url = `http://localhost${pathOf(request, ids)}${query ? `?${query}` : ""}`;
  const headers = new Headers();
  if (request.auth === "session") headers.set("Cookie", user.session.Cookie);
  if (request.auth === "bearer") headers.set("Authorization", user.bearer.Authorization);
  if (request.auth === "bad-cookie") headers.set("Cookie", "cg_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA; other=1");
  if (request.auth === "bad-bearer") headers.set("Authorization", "Bearer cgt_not-a-token");
  if (request.auth === "basic") headers.set("Authorization", "Basic YTpi");
  if (request.origin !== "none") {
    headers.set("Origin", { ours: origin, evil: "https://evil.example", null: "null" }[request.origin]);
  }
  if (request.fetchSite !== "absent") headers.set("Sec-Fetch-Site", request.fetchSite);
  if (request.accept) headers.set("Accept", request.accept);
  if (request.requestId !== null) headers.set("X-Request-Id", request.requestId);
  headers.set("X-Forwarded-For", `10.${(run >> 16) & 255}.${(run >> 8) & 255}.${run & 255}`);
  let body: BodyInit | undefined;
  if (method !== "GET" && method !== "HEAD") {
    const b = request.body;
    if (b.kind === "json") body = JSON.stringify(b.value);
    if (b.kind === "text") body = b.text;
    if (b.kind === "bytes") body = new Uint8Array(b.bytes);
    if (b.kind === "form") body = new URLSearchParams(b.pairs);
    if (b.kind === "multipart") {
      const form = new FormData();
      for (const [k, v] of b.pairs) form.append(k, v);
      body = form;
    }
  }
  // A multipart body sets its own boundary unless the generated type overrides it.
  if (
    request.contentType !== null &&
    !(request.body.kind === "multipart" && request.contentType === "multipart/form-data")
  ) {
    headers.set("Content-Type", request.contentType);
  } else if (request.contentType === null && request.body.kind === "json") {
    headers.set("Content-Type", "application/json");
  }
  return new Request(url, { method, headers, body });
}

// --- the contract ---------------------------------------------------------------

let run = 0;

/** What is wrong with `response` by API.md's rules, or undefined. */
async function contractProblem(req: Request, response: Response): Promise<string | undefined> {
  const status = response.status;
  const type = response.headers.get("content-type") ?? "";
  const text = await response.text();
  if (status >= 500) return `a ${status}: ${text.slice(0, 300)}`;
  if (!response.headers.get("x-request-id")) return "no X-Request-Id";
  if (status === 405 && !response.headers.get("allow")) return "405 without Allow";
  if (status === 429 && !(Number(response.headers.get("retry-after")) >= 1)) return "429 without Retry-After";
  if (req.method === "HEAD") return text === "" ? undefined : "HEAD with a body";
  const path = new URL(req.url).pathname;
  const accept = req.headers.get("accept") ?? "";
  const api = path === "/api" || path.startsWith("/api/");
  // Errors follow Accept too (app/error_response.ts); answers follow the path.
  const jsonErrors = api || (accept.includes("application/json") && !accept.includes("text/html"));
  if (status >= 300 && status < 400) {
    const location = response.headers.get("location") ?? "";
    const stripeCheckout = location.startsWith("https://checkout.stripe.test/");
    if (!stripeCheckout && (!location.startsWith("/") || location.startsWith("//") || /[^\x21-\x7e]/.test(location))) {
      return `a redirect to ${JSON.stringify(location)}`;
    }
    return undefined;
  }
  if (status >= 400) {
    // A page may answer its own form's problems as the page itself, whatever Accept says.
    if (jsonErrors && (api || !type.startsWith("text/html"))) {
      if (type !== "application/json") return `a JSON error as ${type}`;
      const envelope = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
      if (typeof envelope.error?.message !== "string") return `no error envelope: ${text.slice(0, 200)}`;
      if (!ERROR_CODES.has(String(envelope.error.code))) return `unknown error code ${envelope.error.code}`;
      return undefined;
    }
    if (status === 401) return "a 401 page instead of the log-in redirect";
    return type.startsWith("text/html") ? undefined : `an error page as ${type}`;
  }
  if (status === 204) return text === "" ? undefined : "a 204 with a body";
  if (api) {
    if (type === "application/json") {
      JSON.parse(text);
      return undefined;
    }
    // Downloads (export) are files, not JSON.
    return /^(text\/csv|application\/zip)|attachment/.test(`${type} ${response.headers.get("content-disposition")}`)
      ? undefined
      : `a ${status} /api answer as ${type}`;
  }
  return type.startsWith("text/html") || type.startsWith("application/json") ? undefined : `a page as ${type}`;
}

// --- the run --------------------------------------------------------------------

/** A local stand-in for Stripe's API, so billing is on and its routes are fuzzed too. */
function startFakeStripe() {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.body?.cancel();
    if (req.method === "POST" && new URL(req.url).pathname === "/v1/checkout/sessions") {
      return Response.json({
        id: "cs_fuzz",
        object: "checkout.session",
        url: "https://checkout.stripe.test/c/pay/cs_fuzz",
      });
    }
    return Response.json({ error: { type: "invalid_request_error", message: "unknown" } }, { status: 404 });
  });
  return { base: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

Deno.test({
  name: `fuzz: ${RUNS} generated requests over every route and method, no 5xx, every answer by the contract`,
  sanitizeResources: false,
  async fn() {
    console.log(`fuzz: seed ${SEED} (replay: FUZZ_SEED=${SEED}), ${RUNS} requests, ${TARGETS.length} route methods`);
    const stripe = startFakeStripe();
    await using test = await startTestApp({
      config: {
        smtpUrl: "smtp://127.0.0.1:9",
        stripeSecretKey: "sk_test_fuzz",
        stripeWebhookSecret: "whsec_fuzz",
        stripePricePro: "price_fuzz",
        stripeApiBase: stripe.base,
        trustProxy: true,
      },
    });
    const { app, services } = test;
    const origin = services.config.appOrigin;
    // The limits are real, but the fuzzer's clock moves a minute on every hundred
    // requests, so budgets refill and the handlers behind them are reached too.
    let clock = Date.now();
    rateLimitOptions.now = () => clock;

    let user!: TestUser;
    let ids: Fixture = {};
    const newUser = async () => {
      user = await createTestUser(services);
      const call = async (path: string, body: unknown) => {
        const res = await app.request(path, {
          method: "POST",
          headers: { ...user.bearer, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        return await res.json();
      };
      const { habit } = await call("/api/habits", { name: "Fuzz habit" });
      const { goal } = await call("/api/goals", { title: "Fuzz goal" });
      const { milestone } = await call("/api/milestones", { goalId: goal.id, title: "M" });
      const { subgoal } = await call("/api/subgoals", { goalId: goal.id, title: "S" });
      const { reminder } = await call("/api/reminders", { title: "R", time: "07:00", days: [1] });
      const { token } = await call("/api/tokens", { name: "fuzz" });
      const [session] = await services.db.sql<{ id: string }[]>`
        select public_id::text as id from sessions where user_id = ${user.id}::uuid`;
      ids = {
        habits: [habit.id],
        goals: [goal.id],
        milestones: [milestone.id],
        subgoals: [subgoal.id],
        reminders: [reminder.id],
        tokens: [token.id],
        sessions: [session.id],
      };
    };
    await newUser();

    const seen = new Set<string>();
    const statuses = new Map<number, number>();
    try {
      // Generated against the first user's ids; `<real>` parameters pick the current user's.
      const result = await fc.check(
        fc.asyncProperty(requestArbitrary(ids), async (request) => {
          run++;
          if (run % REQUESTS_PER_USER === 0) await newUser();
          if (run % 100 === 0) clock += 61_000;
          const req = toRequest(request, ids, user, origin);
          if (!request.method) seen.add(`${request.target.method} ${request.target.pattern}`);
          const response = await app.request(req);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          const problem = await contractProblem(req, response);
          if (problem) throw new Error(`${req.method} ${req.url} → ${problem}`);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: !SHRINK },
      );
      if (result.failed) {
        throw new Error(
          `fuzz failed after ${result.numRuns} requests: replay with FUZZ_SEED=${SEED}` +
            `${SHRINK ? ` (path ${result.counterexamplePath})` : ""}\n` +
            `${result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance)}\n` +
            `request: ${fc.stringify(result.counterexample).slice(0, 2_000)}`,
        );
      }
      console.log(`fuzz: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
      assert(run >= RUNS, `${run} requests`);

      const missing = TARGETS.map((t) => `${t.method} ${t.pattern}`).filter((pair) => !seen.has(pair));
      if (RUNS >= 10_000) assertEquals(missing, [], "every route and method of the manifest was fuzzed");

      const health = await app.request("/api/health/deep");
      assertEquals(health.status, 200, await health.text());
    } finally {
      rateLimitOptions.now = undefined;
      closePasswordWorkers();
      await stripe.close();
    }
  },
});
