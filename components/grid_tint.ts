/**
 * A habit's colour as a grid draws it: the hue the user picked, at fixed lightness steps
 * per theme, so any colour they choose (white, black, neon yellow) keeps "done" and
 * "partly done" apart from an empty day, in light and in dark. The HTML grid does this in
 * CSS (`oklch(from var(--cg-color) …)` in static/styles.css, "The consistency grid");
 * the SVG grid cannot count on its viewer supporting relative colours (image proxies,
 * chat previews, older browsers), so it gets the same values computed here as plain hex.
 *
 * The steps are the CSS ones: full at lightness 0.36 (light) / 0.82 (dark), partial at
 * 0.52 / 0.63, chroma capped at 0.2 / 0.12, mapped into sRGB by CSS Color 4's gamut
 * mapping (colorjs.io, written by the spec's editors).
 *
 * Pure: no I/O.
 *
 * @example
 * ```ts
 * gridTint("#4caf50").light.full; // "#004e00"
 * gridTint("#4caf50").dark.full; // "#93d992"
 * ```
 *
 * @module
 */
import Color from "colorjs.io";

/** The two fills of one theme, as `#rrggbb`. */
export interface TintPair {
  /** A complete day. */
  full: string;
  /** A partly done day (and its outline). */
  part: string;
}

/** A habit colour's fills in both themes. */
export interface GridTint {
  light: TintPair;
  dark: TintPair;
}

/** Lightness (OKLCh L) and chroma cap of each fill, per theme: static/styles.css's `--grid-tint-*`. */
const STEPS = {
  light: { full: 0.36, part: 0.52, chroma: 0.2 },
  dark: { full: 0.82, part: 0.63, chroma: 0.12 },
} as const;

const HEX_COLOR = /^#[0-9a-f]{6}$/i;

/**
 * The fills for habit colour `hex` (`#rrggbb`); throws a RangeError for anything else, so
 * a caller cannot slip text into the CSS it ends up in.
 */
export function gridTint(hex: string): GridTint {
  if (!HEX_COLOR.test(hex)) throw new RangeError(`Not a #rrggbb colour: ${JSON.stringify(hex)}`);
  const [, chroma, hue] = new Color(hex).to("oklch").coords;
  const at = (lightness: number, maxChroma: number) =>
    new Color("oklch", [lightness, Math.min(chroma ?? 0, maxChroma), hue ?? 0])
      .toGamut({ space: "srgb", method: "css" })
      .to("srgb")
      .toString({ format: "hex", collapse: false });
  const theme = (steps: { full: number; part: number; chroma: number }): TintPair => ({
    full: at(steps.full, steps.chroma),
    part: at(steps.part, steps.chroma),
  });
  return { light: theme(STEPS.light), dark: theme(STEPS.dark) };
}
