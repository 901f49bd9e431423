/**
 * A tiny SMTP server for tests (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) on a
 * free loopback port, recording what it accepts: nodemailer (lib/mail.ts) really speaks
 * SMTP to it. Recipients in `failing` get `451` at RCPT.
 *
 * @example
 * ```ts
 * const sink = startSmtpSink();
 * const mailer = createMailer(sink.url, "ConsistencyGrid <reminders@example.com>");
 * await sink.close();
 * ```
 */
/** One message the sink accepted: the envelope and the raw DATA (headers and body). */
export interface SinkMessage {
  from: string;
  to: string[];
  data: string;
}

/**
 * A tiny SMTP server (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that records what
 * it accepts. Recipients in `failing` get `451` (a temporary failure) at RCPT.
 */
export function startSmtpSink() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const messages: SinkMessage[] = [];
  const failing = new Set<string>();
  const connections = new Set<Deno.Conn>();
  const encoder = new TextEncoder();

  async function serve(conn: Deno.Conn) {
    connections.add(conn);
    const write = (line: string) => conn.write(encoder.encode(line + "\r\n"));
    const decoder = new TextDecoder();
    let buffer = "";
    let inData = false;
    let current: SinkMessage = { from: "", to: [], data: "" };
    try {
      await write("220 sink ESMTP");
      const chunk = new Uint8Array(64 * 1024);
      while (true) {
        const n = await conn.read(chunk);
        if (n === null) return;
        buffer += decoder.decode(chunk.subarray(0, n), { stream: true });
        while (true) {
          if (inData) {
            const end = buffer.indexOf("\r\n.\r\n");
            if (end < 0) break;
            current.data = buffer.slice(0, end);
            buffer = buffer.slice(end + 5);
            inData = false;
            messages.push(current);
            current = { from: "", to: [], data: "" };
            await write("250 OK queued");
            continue;
          }
          const eol = buffer.indexOf("\r\n");
          if (eol < 0) break;
          const line = buffer.slice(0, eol);
          buffer = buffer.slice(eol + 2);
          const verb = line.slice(0, 4).toUpperCase();
          const address = /<([^>]*)>/.exec(line)?.[1] ?? "";
          if (verb === "EHLO" || verb === "HELO") await write("250 sink");
          else if (verb === "MAIL") {
            current = { from: address, to: [], data: "" };
            await write("250 OK");
          } else if (verb === "RCPT") {
            if (failing.has(address)) await write("451 4.3.0 Try again later");
            else {
              current.to.push(address);
              await write("250 OK");
            }
          } else if (verb === "DATA") {
            inData = true;
            await write("354 End data with <CR><LF>.<CR><LF>");
          } else if (verb === "RSET" || verb === "NOOP") await write("250 OK");
          else if (verb === "QUIT") {
            await write("221 Bye");
            return;
          } else await write("502 Command not implemented");
        }
      }
    } catch {
      // The client hung up: nothing to do.
    } finally {
      connections.delete(conn);
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  }

  const accepting = (async () => {
    for await (const conn of listener) serve(conn);
  })().catch(() => {});

  return {
    url: `smtp://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    messages,
    failing,
    async close() {
      listener.close();
      for (const conn of connections) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      await accepting;
    },
  };
}
