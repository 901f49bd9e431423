/**
 * The client side of islands: reads the payload the server embedded, loads the island
 * chunks in parallel and hydrates each island in place. An island that cannot be found
 * or fails is reported and skipped; the others carry on.
 *
 * @module
 */
import { type ComponentType, h, hydrate } from "preact";
import { type IslandRef, type IslandsPayload, PAYLOAD_ID } from "../protocol.ts";
import { createDecoder, type Decoder } from "./deserialize.ts";
import { findMarkers, type MarkerPair } from "./markers.ts";
import { rangeRoot } from "./range_root.ts";
import { slotChildren } from "./slot.ts";

/** The app may set `globalThis.__cgReportError` to forward client errors to its error reporting. */
type Reporter = { __cgReportError?: (error: unknown) => void };

/**
 * Hydrates every island of `doc`; resolves when each has hydrated or failed.
 * Returns how many hydrated.
 *
 * @example
 * ```ts
 * const hydrated = await hydrateIslands(document);
 * ```
 */
export async function hydrateIslands(doc: Document = document): Promise<number> {
  const script = doc.getElementById(PAYLOAD_ID);
  if (!script) return 0;
  let payload: IslandsPayload;
  try {
    payload = JSON.parse(script.textContent ?? "") as IslandsPayload;
    if (payload.v !== 1) throw new Error(`payload version ${payload.v}; this boot script reads version 1`);
  } catch (error) {
    report("the island props could not be read", error);
    return 0;
  }
  const markers = findMarkers(doc);
  const ready: [IslandRef, number, MarkerPair][] = [];
  payload.islands.forEach((ref, id) => {
    if (!ref) return;
    const pair = markers.islands.get(id) ?? "its markers are missing";
    if (typeof pair === "string") console.warn(`[islands] island ${ref.name} (#${id}) is not hydrated: ${pair}.`);
    else ready.push([ref, id, pair]);
  });
  if (ready.length === 0) return 0;

  // Start every needed download at once; each island hydrates as soon as its own chunk is in.
  const chunks = new Map<number, Promise<Record<string, unknown>>>();
  for (const [ref] of ready) {
    if (!chunks.has(ref.chunk)) chunks.set(ref.chunk, import(payload.chunks[ref.chunk]));
  }
  const decoder = loadDecoder(payload.signals);
  const results = ready.map(async ([ref, id, pair]) => {
    try {
      const [module, decode] = await Promise.all([chunks.get(ref.chunk)!, decoder]);
      hydrateOne(ref, id, module, decode, pair, markers.slots.get(id));
      return true;
    } catch (error) {
      report(`island ${ref.name} (#${id}) failed to hydrate`, error);
      return false;
    }
  });
  return (await Promise.all(results)).filter(Boolean).length;
}

function hydrateOne(
  ref: IslandRef,
  id: number,
  module: Record<string, unknown>,
  decode: Decoder,
  pair: MarkerPair,
  slot: MarkerPair | string | undefined,
): void {
  const component = module[ref.export];
  if (typeof component !== "function") {
    throw new Error(`its chunk has no export "${ref.export}" that is a component`);
  }
  const props = decode(ref.props) as Record<string, unknown>;
  if (ref.slot) {
    if (typeof slot === "object") props.children = slotChildren(slot);
    else {console.warn(
        `[islands] island ${ref.name} (#${id}): its children are not kept: ${slot ?? "it did not render them"}.`,
      );}
  }
  hydrate(h(component as ComponentType, props), rangeRoot(pair.start, pair.end) as unknown as Element);
}

/** Signals are loaded only when some prop holds one; islands that use them load them anyway. */
async function loadDecoder(signals: unknown[]): Promise<Decoder> {
  if (signals.length === 0) return createDecoder(signals);
  const { signal } = await import("@preact/signals");
  return createDecoder(signals, signal);
}

function report(what: string, error: unknown): void {
  console.error(`[islands] ${what}:`, error);
  try {
    (globalThis as Reporter).__cgReportError?.(error);
  } catch {
    // A broken reporter must not stop the other islands.
  }
}
