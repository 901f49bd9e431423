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
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium } from "playwright-core";

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

/** A loopback HTTP server for a browser test; `origin` is where the browser goes. */
export interface LoopbackServer extends AsyncDisposable {
  origin: string;
}

/**
 * Serves `handler` on 127.0.0.1 at a free port. An app built with the default test
 * config (APP_ORIGIN unset) accepts whatever loopback origin the browser uses, so the
 * port need not be known up front.
 */
export function serveOnLoopback(handler: (req: Request) => Response | Promise<Response>): LoopbackServer {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/** A browser context carrying `user`'s session cookie for `origin` (a test user's `Cookie` header). */
export async function signedInContext(
  browser: Browser,
  origin: string,
  session: Record<string, string>,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  const [name, ...value] = session.Cookie.split("=");
  await context.addCookies([{ name, value: value.join("="), url: origin }]);
  return context;
}
