import { type Check, kvRoundTrip, runCheck } from "@/app/health.ts";
import { define } from "@/app/state.ts";

/** Readiness: a DB round trip and a KV write + read, each with its latency. */
export const handler = define.handlers({
  async GET(ctx) {
    const { db, kv } = ctx.state.services;
    const [dbCheck, kvCheck] = await Promise.all([
      runCheck(() => db.ping(2_000)),
      runCheck(() => kvRoundTrip(kv, ctx.state.requestId)),
    ]);
    const checks: Record<string, Check> = { db: dbCheck, kv: kvCheck };
    const ok = Object.values(checks).every((check) => check.status === "ok");
    return Response.json(
      { status: ok ? "ok" : "fail", checks },
      { status: ok ? 200 : 503, headers: { "Cache-Control": "no-store" } },
    );
  },
});
