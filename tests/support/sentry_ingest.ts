/**
 * A local Sentry for tests of the real SDK: collects the envelopes posted to
 * `/api/1/envelope/`, so a test can wait for the event it expects and read it.
 *
 * @example
 * ```ts
 * const ingest = startIngest();
 * await initSentry({ ...config, sentryDsn: ingest.dsn });
 * const event = await eventWhere(ingest.events, (e) => tagsOf(e).task === "backup");
 * ```
 */
import { flushSentry } from "@/lib/sentry.ts";

export interface EnvelopeItem {
  header: { type?: string };
  payload: Record<string, unknown>;
}

/** A local Sentry: collects the raw envelopes posted to `/api/1/envelope/`. */
export function startIngest() {
  const raw: string[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    if (new URL(req.url).pathname === "/api/1/envelope/") raw.push(await req.text());
    return Response.json({});
  });
  const events = () => raw.flatMap(parseEnvelope).filter((item) => item.header.type === "event").map((i) => i.payload);
  return { raw, events, server, dsn: `http://publickey@127.0.0.1:${server.addr.port}/1` };
}

/** Envelope: a header line, then item-header / payload line pairs. */
export function parseEnvelope(text: string): EnvelopeItem[] {
  const lines = text.split("\n");
  const items: EnvelopeItem[] = [];
  for (let i = 1; i + 1 < lines.length; i += 2) {
    if (lines[i].trim() === "") continue;
    items.push({ header: JSON.parse(lines[i]), payload: JSON.parse(lines[i + 1]) });
  }
  return items;
}

/** Flushes the SDK, then waits (bounded) for an event matching `match`. */
export async function eventWhere(
  events: () => Record<string, unknown>[],
  match: (event: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown> | undefined> {
  await flushSentry(3_000);
  for (let tries = 0; tries < 30; tries++) {
    const found = events().find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

/** An event's tags. */
export const tagsOf = (event: Record<string, unknown>) => (event.tags ?? {}) as Record<string, string>;
