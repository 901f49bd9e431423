/**
 * Encodes island props into JSON the client can turn back into the same values
 * (see `client/deserialize.ts` for the other half and `protocol.ts` for the format).
 *
 * Supported: JSON values, `undefined`, `NaN`/`±Infinity`/`-0`, `Date`, `URL`, arrays,
 * plain objects, and `@preact/signals` signals and computeds (which arrive as plain
 * signals holding the same value; the same signal passed twice arrives as one signal).
 * Everything else — functions, JSX outside `children`, Map, class instances, cycles —
 * throws an {@linkcode IslandPropsError} naming the island and the prop.
 *
 * @module
 */
import { isValidElement } from "preact";
import { TAG, Tag } from "./protocol.ts";

/** Thrown when a prop cannot be sent to the browser. */
export class IslandPropsError extends Error {
  override name = "IslandPropsError";
}

/** What `@preact/signals` signals and computeds look like; the brand survives duplicate copies. */
interface SignalLike {
  brand: symbol;
  peek(): unknown;
}

const SIGNAL_BRAND = Symbol.for("preact-signals");

/** True for a `@preact/signals` signal or computed. */
export function isSignal(value: unknown): value is SignalLike {
  return typeof value === "object" && value !== null &&
    (value as { brand?: unknown }).brand === SIGNAL_BRAND;
}

/**
 * True for a JSX element. preact's test alone also accepts signals (they render as
 * text) and null-prototype objects, so those are told apart here.
 */
export function isVNode(value: unknown): boolean {
  return isValidElement(value) && !isSignal(value) &&
    "type" in (value as object) && "props" in (value as object);
}

/** True for JSX, or an array holding JSX at any depth: `children` that need a slot. */
export function isJsx(value: unknown): boolean {
  return Array.isArray(value) ? value.some(isJsx) : isVNode(value);
}

/**
 * Encodes the props of every island of one render. One encoder per render, so signal
 * ids are shared between the islands of a page and nothing leaks between pages.
 *
 * @example
 * ```ts
 * const encoder = new PropsEncoder();
 * const count = signal(1);
 * encoder.encodeProps({ count, at: new Date(0) }, "Counter (islands/Counter.tsx)");
 * // → { count: { $frsh: ["s", 0] }, at: { $frsh: ["D", "1970-01-01T00:00:00.000Z"] } }
 * encoder.signals; // → [1]
 * ```
 */
export class PropsEncoder {
  /** Encoded value of each signal, by id. */
  readonly signals: unknown[] = [];
  #ids = new Map<SignalLike, number>();
  #island = "";
  #path: (string | number)[] = [];
  #open = new Set<object>();

  /** Encodes one island's props; `island` names it in error messages. */
  encodeProps(props: Record<string, unknown>, island: string): Record<string, unknown> {
    this.#island = island;
    this.#path = [];
    this.#open.clear();
    return this.#object(props);
  }

  #value(value: unknown): unknown {
    switch (typeof value) {
      case "string":
      case "boolean":
        return value;
      case "number":
        if (Number.isFinite(value) && !Object.is(value, -0)) return value;
        return tagged(Tag.Number, Object.is(value, -0) ? "-0" : String(value));
      case "undefined":
        return tagged(Tag.Undefined);
      case "function":
        throw this.#error(
          "is a function; functions cannot be sent to the browser. Define the handler inside the island, or pass data instead",
        );
      case "bigint":
      case "symbol":
        throw this.#error(`is a ${typeof value}; ${SUPPORTED}`);
    }
    if (value === null) return null;
    const object = value as object;
    if (isSignal(object)) return tagged(Tag.Signal, this.#signal(object));
    if (object instanceof Date) {
      return tagged(Tag.Date, Number.isNaN(object.getTime()) ? null : object.toISOString());
    }
    if (object instanceof URL) return tagged(Tag.Url, object.href);
    if (isVNode(object)) {
      throw this.#error(
        "is JSX; only `children` may be JSX (it is rendered on the server and passed as static HTML)",
      );
    }
    if (this.#open.has(object)) throw this.#error("contains a circular reference");
    if (Array.isArray(object)) {
      this.#open.add(object);
      const out = object.map((item, i) => this.#at(i, () => this.#value(item)));
      this.#open.delete(object);
      return out;
    }
    const proto = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      throw this.#error(`is a ${object.constructor?.name ?? "class instance"}; ${SUPPORTED}`);
    }
    const out = this.#object(object as Record<string, unknown>);
    return Object.hasOwn(out, TAG) ? tagged(Tag.Object, out) : out;
  }

  #object(object: Record<string, unknown>): Record<string, unknown> {
    this.#open.add(object);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(object)) {
      // defineProperty, so a "__proto__" key stays a key instead of replacing the prototype.
      Object.defineProperty(out, key, {
        value: this.#at(key, () => this.#value(object[key])),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    this.#open.delete(object);
    return out;
  }

  #signal(signal: SignalLike): number {
    let id = this.#ids.get(signal);
    if (id !== undefined) return id;
    id = this.signals.length;
    this.#ids.set(signal, id);
    // Reserve the slot first: a signal whose value refers back to itself must find its id.
    this.signals.push(null);
    // peek(): reading .value here would subscribe whatever component is rendering.
    this.signals[id] = this.#at(".value", () => this.#value(signal.peek()));
    return id;
  }

  #at<T>(segment: string | number, fn: () => T): T {
    this.#path.push(segment);
    try {
      return fn();
    } finally {
      this.#path.pop();
    }
  }

  #error(problem: string): IslandPropsError {
    let path = "";
    for (const segment of this.#path) {
      if (typeof segment === "number") path += `[${segment}]`;
      else if (segment.startsWith(".")) path += segment;
      else path += path === "" ? segment : `.${segment}`;
    }
    return new IslandPropsError(`Island ${this.#island}: prop "${path}" ${problem}.`);
  }
}

const SUPPORTED = "island props may only hold JSON values, undefined, Date, URL and @preact/signals signals";

function tagged(tag: string, ...args: unknown[]): Record<string, unknown> {
  return { [TAG]: [tag, ...args] };
}

/**
 * JSON for inside a `<script>` element: `<`, `>` and `&` become `\u003c`… so neither
 * `</script>` nor `<!--` in a prop can end or confuse the element; U+2028/2029 too,
 * for any reader that treats the text as JavaScript.
 *
 * @example
 * ```ts
 * scriptSafeJson({ a: "</script>" }); // → '{"a":"\\u003c/script\\u003e"}'
 * ```
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
