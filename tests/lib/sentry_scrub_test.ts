import { assert, assertEquals } from "@/tests/support/assert.ts";
import { FILTERED, scrubEvent, scrubString } from "@/lib/sentry.ts";

Deno.test("scrubEvent masks secrets wherever they sit and drops request bodies", () => {
  const event = scrubEvent({
    message: "login failed with password=hunter2 for user 7",
    request: {
      url: "https://app.example/api/x?token=abc123&page=2",
      query_string: "token=abc123&page=2",
      headers: { Cookie: "session=s1", Authorization: "Bearer t0k3n", "Set-Cookie": "a=b", Accept: "*/*" },
      cookies: { session: "s1" },
      data: { password: "p4ss" },
    },
    extra: { nested: { apiToken: "t2", list: [{ secret: "s3" }, "Authorization: Bearer zzz"] } },
    breadcrumbs: [{ message: "GET /reset?code=1&reset_token=r4", data: { password: "p5" } }],
    tags: { request_id: "req-1", route: "/api/x" },
    user: { id: "u1" },
  });
  const raw = JSON.stringify(event);
  for (const secret of ["hunter2", "abc123", "s1", "t0k3n", "p4ss", "t2", "s3", "zzz", "r4", "p5"]) {
    assertEquals(raw.includes(secret), false, `${secret} leaked: ${raw}`);
  }
  assertEquals(event.request?.data, undefined);
  assertEquals(event.request?.cookies, undefined);
  assertEquals(event.request?.headers?.Cookie, FILTERED);
  assertEquals(event.request?.headers?.Accept, "*/*");
  assertEquals(event.tags, { request_id: "req-1", route: "/api/x" });
  assertEquals(event.user, { id: "u1" });
  assert(event.request?.url?.includes("page=2"), "harmless params are kept");
});

Deno.test("scrubEvent cleans transactions' span data too (SENTRY_TRACES_SAMPLE_RATE > 0)", () => {
  const event = scrubEvent({
    type: "transaction",
    spans: [{
      span_id: "a",
      trace_id: "b",
      start_timestamp: 0,
      data: {
        "http.request.header.cookie": "session=c00kie",
        "http.request.header.authorization": "Bearer t0k",
        "url.full": "http://app/api/x?access_token=q1&page=1",
      },
    }],
  });
  const raw = JSON.stringify(event);
  for (const secret of ["c00kie", "t0k", "q1"]) assertEquals(raw.includes(secret), false, raw);
  assert(raw.includes("page=1"));
});

Deno.test("scrubString keeps file positions and URLs intact", () => {
  assertEquals(
    scrubString("at f (file:///app/lib/auth/session_cookie.ts:12:3)"),
    "at f (file:///app/lib/auth/session_cookie.ts:12:3)",
  );
  assertEquals(scrubString("?token=x&a=1"), `?token=${FILTERED}&a=1`);
  assertEquals(scrubString("Authorization: Bearer abc.def"), `Authorization: Bearer ${FILTERED}`);
});
