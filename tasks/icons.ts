/**
 * Draws the app icons (a small consistency grid) and writes them as PNG files into
 * `static/`, for the web app manifest, iOS home screens and notifications. Run it once
 * after changing the drawing; the PNG files are committed, so neither the server nor
 * CI runs it.
 *
 * Each icon is an SVG drawn here, rasterised by the system Chromium (already a test
 * dependency; `CHROMIUM` names another binary) at its exact pixel size:
 * - `icons/icon-{192,512}.png` (purpose `any`): the grid on a rounded tile, transparent
 *   corners.
 * - `icons/icon-maskable-{192,512}.png` (purpose `maskable`): a full-bleed tile with the
 *   grid inside the central safe zone (a circle of 40 % radius), since Android crops it
 *   to its own shape.
 * - `apple-touch-icon.png` (180 px, at the root, where iOS also looks without a `<link>`):
 *   full-bleed and opaque, as iOS rounds the corners itself and blackens transparency.
 * - `icons/badge-96.png`: the notification badge Android shows in the status bar, white
 *   on transparent (only its alpha counts).
 *
 * @example
 * ```sh
 * deno run -A tasks/icons.ts
 * ```
 */
import { chromium } from "playwright-core";

const STATIC = new URL("../static/", import.meta.url).pathname;

/** Levels of the 3 × 3 grid, top-left to bottom-right: a habit getting steadier. */
const LEVELS = [1, 2, 1, 2, 3, 4, 3, 4, 4];
/** Grid greens for a dark tile, as in the dark theme: the more done, the brighter. */
const GREENS = ["#2d333b", "#196c2e", "#2ea043", "#3fb950", "#56d364"];
const TILE = "#0d1117";

interface IconSpec {
  file: string;
  size: number;
  /** Side of the 3 × 3 grid as a share of the icon. */
  grid: number;
  /** `rounded`: a tile with rounded corners; `full`: fills the square (maskable, iOS). */
  tile: "rounded" | "full";
  /** White squares, no tile: a badge. */
  mono?: boolean;
}

const ICONS: IconSpec[] = [
  { file: "icons/icon-192.png", size: 192, grid: 0.66, tile: "rounded" },
  { file: "icons/icon-512.png", size: 512, grid: 0.66, tile: "rounded" },
  // The grid's corners stay inside the safe circle: its diagonal ≤ 80 % of the icon.
  { file: "icons/icon-maskable-192.png", size: 192, grid: 0.52, tile: "full" },
  { file: "icons/icon-maskable-512.png", size: 512, grid: 0.52, tile: "full" },
  { file: "apple-touch-icon.png", size: 180, grid: 0.6, tile: "full" },
  { file: "icons/badge-96.png", size: 96, grid: 0.84, tile: "full", mono: true },
];

/** The SVG of one icon, in a 100 × 100 box. */
function drawIcon(spec: IconSpec): string {
  const side = spec.grid * 100;
  const gap = side * 0.08;
  const cell = (side - 2 * gap) / 3;
  const origin = (100 - side) / 2;
  const cells = LEVELS.map((level, i) => {
    const x = origin + (i % 3) * (cell + gap);
    const y = origin + Math.floor(i / 3) * (cell + gap);
    const fill = spec.mono ? "#ffffff" : GREENS[level];
    const opacity = spec.mono ? ` fill-opacity="${0.4 + level * 0.15}"` : "";
    return `<rect x="${x.toFixed(2)}" y="${y.toFixed(2)}" width="${cell.toFixed(2)}" height="${cell.toFixed(2)}" ` +
      `rx="${(cell * 0.18).toFixed(2)}" fill="${fill}"${opacity}/>`;
  }).join("");
  const tile = spec.mono
    ? ""
    : spec.tile === "rounded"
    ? `<rect width="100" height="100" rx="22" fill="${TILE}"/>`
    : `<rect width="100" height="100" fill="${TILE}"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="${spec.size}" height="${spec.size}">` +
    `${tile}${cells}</svg>`;
}

const executablePath = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";
const browser = await chromium.launch({ executablePath, args: ["--headless", "--no-sandbox"] });
try {
  for (const spec of ICONS) {
    const page = await browser.newPage({ viewport: { width: spec.size, height: spec.size }, deviceScaleFactor: 1 });
    await page.setContent(
      `<!doctype html><style>html,body{margin:0;background:transparent}svg{display:block}</style>${drawIcon(spec)}`,
    );
    const png = await page.screenshot({
      omitBackground: true,
      clip: { x: 0, y: 0, width: spec.size, height: spec.size },
    });
    await page.close();
    const path = `${STATIC}${spec.file}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeFile(path, png);
    console.log(`${spec.file}: ${spec.size}×${spec.size}, ${png.length} bytes`);
  }
} finally {
  await browser.close();
}
