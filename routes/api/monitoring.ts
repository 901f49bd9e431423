import { z } from "zod";
import { bodyKindOf } from "@/lib/body.ts";
import { log } from "@/lib/log.ts";
import { captureClientError, scrubString } from "@/lib/sentry.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";
import { HttpError } from "fresh";

/** Largest client error report accepted; larger → 413. */
export const MONITORING_MAX_BYTES = 16 * 1024;

const reportSchema = z.object({
  message: z.string().trim().min(1, "Give the error message").max(2_000, "Keep the message under 2,000 characters"),
  stack: z.string().max(10_000, "Keep the stack under 10,000 characters").optional(),
  url: z.string().max(2_000, "Keep the URL under 2,000 characters").optional(),
  island: z.string().max(200, "Keep the island name under 200 characters").optional(),
  userAgent: z.string().max(500, "Keep the user agent under 500 characters").optional(),
});

/**
 * A client (island) error report: `{message, stack?, url?, island?, userAgent?}` →
 * 202, forwarded to Sentry tagged `source: client` with the signed-in user's id, or
 * logged as a warning when Sentry is off. Rate limited by the monitoring policy.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const report = parseInput(reportSchema, await readSmallJson(ctx.req, MONITORING_MAX_BYTES));
    const { requestId, user } = ctx.state;
    if (!captureClientError(report, { requestId, userId: user?.id })) {
      log.warn("client.error", {
        requestId,
        userId: user?.id,
        message: scrubString(report.message),
        island: report.island,
        url: report.url && scrubString(report.url),
      });
    }
    return Response.json({ accepted: true }, { status: 202 });
  },
});

/** The body as a JSON object, read no further than `maxBytes` (413 beyond). */
async function readSmallJson(req: Request, maxBytes: number): Promise<unknown> {
  if (bodyKindOf(req.headers.get("content-type")) !== "json") {
    throw new HttpError(415, "Send the report as application/json");
  }
  const tooLarge = () => new HttpError(413, `The report is over the ${maxBytes / 1024} KiB limit`);
  if (Number(req.headers.get("content-length") ?? 0) > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body ?? []) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  const text = new TextDecoder().decode(concat(chunks, size));
  try {
    const data = JSON.parse(text);
    if (typeof data === "object" && data !== null && !Array.isArray(data)) return data;
  } catch {
    // Reported below, like any body that is not an object.
  }
  throw new HttpError(400, "The body must be a JSON object");
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
