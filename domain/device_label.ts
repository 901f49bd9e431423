/**
 * A short name for the device a push subscription came from ("Chrome on Android"),
 * read from its `User-Agent`, so the settings page can list a user's devices in words
 * they recognise. Best effort: an unknown agent gives "" (the page then says "A
 * browser"). Pure: no I/O.
 *
 * @example
 * ```ts
 * deviceLabel("Mozilla/5.0 (Linux; Android 14; Pixel 8) … Chrome/131.0 Mobile Safari/537.36"); // "Chrome on Android"
 * ```
 */

const BROWSERS: readonly [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, "Edge"],
  [/\bSamsungBrowser\//, "Samsung Internet"],
  [/\bOPR\/|\bOpera\b/, "Opera"],
  [/\bFirefox\/|\bFxiOS\//, "Firefox"],
  [/\bCriOS\/|\bChrom(?:e|ium)\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\//, "Safari"],
];

const SYSTEMS: readonly [RegExp, string][] = [
  [/\bAndroid\b/, "Android"],
  [/\biPhone\b|\biPad\b|\biPod\b/, "iOS"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bWindows\b/, "Windows"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bLinux\b/, "Linux"],
];

/** "Browser on System", either half alone, or "" when neither is known. */
export function deviceLabel(userAgent: string | null | undefined): string {
  if (!userAgent) return "";
  const agent = userAgent.slice(0, 1000);
  const browser = BROWSERS.find(([pattern]) => pattern.test(agent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(agent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? "";
}
