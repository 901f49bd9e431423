/**
 * A local HTTP(S) server for tests of outbound requests (webhooks, safe fetch): it
 * records every request it gets (method, path, headers, raw body) and answers with the
 * test's handler. Listens on an ephemeral port; `tlsCertificate` makes an https receiver
 * for a made-up host name, with a fresh self-signed certificate from `openssl`.
 *
 * @example
 * ```ts
 * await using receiver = await startReceiver((request) => new Response(null, { status: 204 }));
 * await safeFetch(`${receiver.origin}/hook`, { method: "POST", body: "{}", allowLoopback: true });
 * receiver.requests[0].body; // "{}"
 * ```
 */

/** One request as the receiver saw it. */
export interface ReceivedRequest {
  method: string;
  /** Path and query. */
  path: string;
  headers: Headers;
  body: Uint8Array;
  text: string;
}

/** A running receiver. */
export interface Receiver extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` (or the https origin with the certificate's name). */
  origin: string;
  hostname: string;
  port: number;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** Options of {@linkcode startReceiver}. */
export interface ReceiverOptions {
  /** `127.0.0.1` (default) or `::1`. */
  hostname?: string;
  /** Serve https with this certificate (see {@linkcode selfSignedCertificate}). */
  tls?: TestCertificate;
}

/** What a test answers with; the default is 200 "ok". */
export type ReceiverHandler = (request: ReceivedRequest, signal: AbortSignal) => Response | Promise<Response>;

/** Starts a receiver; close it (or `await using` it) at the end of the test. */
export function startReceiver(
  handler: ReceiverHandler = () => new Response("ok"),
  options: ReceiverOptions = {},
): Receiver {
  const requests: ReceivedRequest[] = [];
  const hostname = options.hostname ?? "127.0.0.1";
  // Handlers that never answer (timeouts) are released when the receiver closes.
  const closing = new AbortController();
  const server = Deno.serve({
    hostname,
    port: 0,
    onListen() {},
    ...(options.tls ? { cert: options.tls.cert, key: options.tls.key } : {}),
  }, async (req) => {
    const body = new Uint8Array(await req.arrayBuffer());
    const url = new URL(req.url);
    const record: ReceivedRequest = {
      method: req.method,
      path: url.pathname + url.search,
      headers: req.headers,
      body,
      text: new TextDecoder().decode(body),
    };
    requests.push(record);
    return await handler(record, closing.signal);
  });
  const port = server.addr.port;
  const host = options.tls ? options.tls.hostname : hostname.includes(":") ? `[${hostname}]` : hostname;
  const close = async () => {
    closing.abort();
    await server.shutdown();
  };
  return {
    origin: `${options.tls ? "https" : "http"}://${host}:${port}`,
    hostname,
    port,
    requests,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A certificate and its key (PEM) for one host name. */
export interface TestCertificate {
  hostname: string;
  cert: string;
  key: string;
}

/** A fresh self-signed certificate for `hostname` (valid two days), made with `openssl`. */
export async function selfSignedCertificate(hostname: string): Promise<TestCertificate> {
  const dir = await Deno.makeTempDir({ prefix: "cg-tls-" });
  try {
    const output = await new Deno.Command("openssl", {
      args: [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        `/CN=${hostname}`,
        "-addext",
        `subjectAltName=DNS:${hostname}`,
        "-keyout",
        `${dir}/key.pem`,
        "-out",
        `${dir}/cert.pem`,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!output.success) throw new Error(`openssl failed: ${new TextDecoder().decode(output.stderr)}`);
    return {
      hostname,
      cert: await Deno.readTextFile(`${dir}/cert.pem`),
      key: await Deno.readTextFile(`${dir}/key.pem`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A handler that never answers until the receiver closes (for timeouts). */
export function neverAnswer(_request: ReceivedRequest, signal: AbortSignal): Promise<Response> {
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(new Response("closed"))));
}
