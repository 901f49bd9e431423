/**
 * The security headers every response carries, computed once at start-up: the same set
 * Hono's `secureHeaders` sends by default (less Cross-Origin-Embedder-Policy), with our
 * Referrer-Policy, HSTS on https only, and our Content-Security-Policy.
 *
 * The CSP names a per-request nonce only where a script can run from it: an HTML page.
 * Any other response (JSON, images, files) gets the same policy without a nonce, a
 * constant string, so the answers that make up most of the traffic build no header text
 * per request.
 *
 * @example
 * ```ts
 * const headers = secureHeaderSet({ https: true });
 * for (const [name, value] of headers.fixed) res.headers.set(name, value);
 * res.headers.set("Content-Security-Policy", headers.csp(nonce));
 * ```
 */

/** What {@linkcode secureHeaderSet} returns. */
export interface SecureHeaderSet {
  /** Name/value pairs that never change between responses. */
  readonly fixed: readonly (readonly [string, string])[];
  /** The CSP header value; with a nonce, scripts carrying it may run too. */
  csp(nonce?: string): string;
}

/** `'self'`-only policy, in the order the directives were always sent. */
function policy(scriptSrc: string): string {
  return [
    "default-src 'self'",
    `script-src ${scriptSrc}`,
    // Style attributes cannot carry a nonce; style injection is the lesser risk.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The header set for an app served over https (adds HSTS) or not. */
export function secureHeaderSet(options: { https: boolean }): SecureHeaderSet {
  const fixed: [string, string][] = [
    ["Cross-Origin-Resource-Policy", "same-origin"],
    ["Cross-Origin-Opener-Policy", "same-origin"],
    ["Origin-Agent-Cluster", "?1"],
    // `no-referrer` makes Chromium post forms with `Origin: null`, which the CSRF guard
    // must then judge by Sec-Fetch-Site alone.
    ["Referrer-Policy", "strict-origin-when-cross-origin"],
    ...(options.https
      ? [["Strict-Transport-Security", "max-age=63072000; includeSubDomains"] as [string, string]]
      : []),
    ["X-Content-Type-Options", "nosniff"],
    ["X-DNS-Prefetch-Control", "off"],
    ["X-Download-Options", "noopen"],
    ["X-Frame-Options", "SAMEORIGIN"],
    ["X-Permitted-Cross-Domain-Policies", "none"],
    ["X-XSS-Protection", "0"],
  ];
  const withoutNonce = policy("'self'");
  return {
    fixed,
    csp: (nonce) => nonce === undefined ? withoutNonce : policy(`'self' 'nonce-${nonce}'`),
  };
}
