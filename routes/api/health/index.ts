import { define } from "@/app/state.ts";

/** Liveness: no I/O, so it answers even when the database is down. */
export const handler = define.handlers({
  GET(ctx) {
    const { config, startedAt } = ctx.state.services;
    return Response.json(
      { status: "ok", version: config.version, uptimeS: Math.floor((performance.now() - startedAt) / 1000) },
      { headers: { "Cache-Control": "no-store" } },
    );
  },
});
