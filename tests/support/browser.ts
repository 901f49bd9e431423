/**
 * Headless Chromium for browser tests, driven by playwright-core against the system
 * browser (`apt-get install chromium`). Never downloads a browser.
 *
 * When /usr/bin/chromium is missing, browser tests are ignored locally and fail on CI
 * (`CI=true`), where a silently skipped browser suite would hide regressions.
 *
 * @example
 * ```ts
 * Deno.test({ name: "hydrates", ignore: skipBrowserTests(), fn: async () => {
 *   const browser = await launchBrowser();
 *   try {
 *     const page = await browser.newPage();
 *     await page.goto(url);
 *   } finally {
 *     await browser.close();
 *   }
 * }});
 * ```
 */
import { type Browser, chromium } from "playwright-core";

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** True when the browser is installed. */
export function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM_PATH).isFile;
  } catch {
    return false;
  }
}

/**
 * For `Deno.test({ ignore })`: true (skip) when Chromium is missing; throws on CI instead.
 */
export function skipBrowserTests(): boolean {
  if (hasChromium()) return false;
  if (Deno.env.get("CI") === "true") {
    throw new Error(`${CHROMIUM_PATH} is missing on CI: install it with \`apt-get install -y chromium\``);
  }
  return true;
}

/** Launches headless Chromium; the caller closes it in a `finally`. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}
