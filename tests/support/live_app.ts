/**
 * The real app on a loopback port (port 0) with headless Chromium, for browser tests
 * that sign in as a test user: the app knows its own origin (CSRF, cookies), which is
 * only known once listening, so the server starts first and the app is put behind it.
 *
 * @example
 * ```ts
 * await using live = await startLiveApp();
 * const user = await createTestUser(live.services);
 * const page = await (await live.signedIn(user, { viewport: { width: 390, height: 844 } })).newPage();
 * await page.goto(`${live.origin}/app`);
 * ```
 */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { startTestApp } from "./app.ts";
import { launchBrowser } from "./browser.ts";
import type { TestUser } from "./users.ts";
import type { Services } from "@/app/state.ts";

export interface LiveApp {
  origin: string;
  services: Services;
  browser: Browser;
  /** A browser context carrying `user`'s session cookie. */
  signedIn(user: TestUser, options?: BrowserContextOptions): Promise<BrowserContext>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startLiveApp(options: { push?: Services["push"] } = {}): Promise<LiveApp> {
  let handler: (req: Request) => Response | Promise<Response> = () => new Response("starting", { status: 503 });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => handler(req));
  const origin = `http://127.0.0.1:${server.addr.port}`;
  let test: Awaited<ReturnType<typeof startTestApp>> | undefined;
  let browser: Browser | undefined;
  try {
    test = await startTestApp({ config: { appOrigin: origin, logLevel: "warn" }, push: options.push });
    handler = test.app.fetch;
    browser = await launchBrowser();
  } catch (error) {
    await test?.[Symbol.asyncDispose]();
    await server.shutdown();
    throw error;
  }
  const opened = browser;
  const app = test;
  return {
    origin,
    services: app.services,
    browser: opened,
    async signedIn(user, options = {}) {
      const context = await opened.newContext({ viewport: { width: 1280, height: 900 }, ...options });
      const [name, ...value] = user.session.Cookie.split("=");
      await context.addCookies([{ name, value: value.join("="), url: origin }]);
      return context;
    },
    async [Symbol.asyncDispose]() {
      await opened.close();
      await server.shutdown();
      await app[Symbol.asyncDispose]();
    },
  };
}

/** Resolves once preact has attached the listeners of every element matching `selector` (preact 10 keeps them in `dom.l`). */
export async function hydrated(page: Page, selector: string): Promise<void> {
  await page.waitForFunction(
    (sel) => [...document.querySelectorAll(sel)].every((el) => (el as unknown as { l?: object }).l),
    selector,
  );
}
