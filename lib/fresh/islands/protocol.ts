/**
 * What the server writes into a page and the client boot reads back: marker comments,
 * the id of the props payload and its shape. Shared by both sides, so it must stay
 * free of Deno and DOM APIs.
 *
 * A page with islands looks like this (props shortened):
 *
 * ```html
 * <!--frsh:island:0--><div class="counter">…</div><!--/frsh:island:0-->
 * <script type="application/json" id="__FRSH_ISLANDS">{"v":1,"chunks":[…],"islands":[…],"signals":[]}</script>
 * <script type="module" nonce="…" src="/_fresh/js/boot-3F2A1B7C.js"></script>
 * ```
 *
 * @module
 */

/** `<!--frsh:island:N-->` opens island N; `<!--/frsh:island:N-->` closes it. */
export const ISLAND_START = "frsh:island:";
/** See {@linkcode ISLAND_START}. */
export const ISLAND_END = "/frsh:island:";
/** `<!--frsh:slot:N-->…<!--/frsh:slot:N-->` wraps the server-rendered JSX children of island N. */
export const SLOT_START = "frsh:slot:";
/** See {@linkcode SLOT_START}. */
export const SLOT_END = "/frsh:slot:";

/** Id of the `<script type="application/json">` that carries the {@linkcode IslandsPayload}. */
export const PAYLOAD_ID = "__FRSH_ISLANDS";

/**
 * Key of a tagged value in encoded props: `{"$frsh": [tag, ...args]}`. Everything that
 * is not plain JSON (undefined, Date, URL, signals, NaN…) is written this way.
 */
export const TAG = "$frsh";

/** The tags that may follow {@linkcode TAG}. */
export const Tag = {
  /** `["u"]`: undefined. */
  Undefined: "u",
  /** `["D", iso | null]`: a Date (null for an invalid one). */
  Date: "D",
  /** `["U", href]`: a URL. */
  Url: "U",
  /** `["n", "NaN" | "Infinity" | "-Infinity" | "-0"]`: numbers JSON cannot hold. */
  Number: "n",
  /** `["s", id]`: a signal; its value is `signals[id]`, so a shared signal stays shared. */
  Signal: "s",
  /** `["o", {...}]`: a plain object that itself has a `$frsh` key (escaped). */
  Object: "o",
} as const;

/** One island instance on the page; its index is the N of its markers. */
export interface IslandRef {
  /** Index into {@linkcode IslandsPayload.chunks}. */
  chunk: number;
  /** Export of the chunk that is the component ("default" for a default export). */
  export: string;
  /** Readable name, for warnings and errors only. */
  name: string;
  /** Encoded props (without JSX children, which travel as a slot). */
  props: Record<string, unknown>;
  /** 1 when the island's JSX children were rendered into a slot. */
  slot?: 1;
}

/** The JSON the server embeds and the boot reads. */
export interface IslandsPayload {
  v: 1;
  /** URLs of the island chunks this page needs, each once. */
  chunks: string[];
  /** By island id; null for an island whose render did not complete (an error boundary caught it). */
  islands: (IslandRef | null)[];
  /** Encoded initial value of each signal referenced from props. */
  signals: unknown[];
}
