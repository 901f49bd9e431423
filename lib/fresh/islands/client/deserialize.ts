/**
 * Turns props encoded by the server (`../serialize.ts`) back into values. Browser-safe
 * and free of `@preact/signals` imports: the caller passes the signal factory, so a
 * page whose props hold no signal does not load the signals chunk for this.
 *
 * @module
 */
import { TAG, Tag } from "../protocol.ts";

/** Decodes one encoded value; signals decoded through the same decoder are shared. */
export type Decoder = (encoded: unknown) => unknown;

/**
 * Returns a decoder for one page. Signal `id` becomes `makeSignal(value)` once, however
 * many props and islands refer to it.
 *
 * @example
 * ```ts
 * import { signal } from "@preact/signals";
 * const decode = createDecoder(payload.signals, signal);
 * const props = decode(payload.islands[0].props) as Record<string, unknown>;
 * ```
 */
export function createDecoder(
  signals: readonly unknown[],
  makeSignal?: (value: unknown) => { value: unknown },
): Decoder {
  const made = new Map<number, { value: unknown }>();

  const signalFor = (id: number) => {
    let s = made.get(id);
    if (s) return s;
    if (!makeSignal) throw new Error("island props hold a signal but no signal factory was given");
    if (!(id in signals)) throw new Error(`island props refer to unknown signal ${id}`);
    // Register before decoding the value, so a value that refers back finds the signal.
    s = makeSignal(undefined);
    made.set(id, s);
    s.value = decode(signals[id]);
    return s;
  };

  const decode: Decoder = (encoded) => {
    if (typeof encoded !== "object" || encoded === null) return encoded;
    if (Array.isArray(encoded)) return encoded.map(decode);
    const record = encoded as Record<string, unknown>;
    if (Object.hasOwn(record, TAG)) {
      const [tag, arg] = record[TAG] as [string, unknown];
      switch (tag) {
        case Tag.Undefined:
          return undefined;
        case Tag.Date:
          return new Date(arg === null ? NaN : arg as string);
        case Tag.Url:
          return new URL(arg as string);
        case Tag.Number:
          return arg === "-0" ? -0 : Number(arg);
        case Tag.Signal:
          return signalFor(arg as number);
        case Tag.Object:
          return decodeObject(arg as Record<string, unknown>);
        default:
          throw new Error(`unknown tag "${tag}" in island props: is the boot script older than the page?`);
      }
    }
    return decodeObject(record);
  };

  const decodeObject = (record: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record)) {
      // defineProperty: a "__proto__" key from JSON must not become the prototype.
      Object.defineProperty(out, key, {
        value: decode(record[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };

  return decode;
}
