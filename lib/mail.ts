/**
 * Sending e-mail over SMTP with nodemailer (through Deno's Node compatibility), behind
 * a two-method {@linkcode Mailer} so the outbox sender does not know the library and
 * tests can count what was sent.
 *
 * `SMTP_URL` is nodemailer's connection URL: `smtp://user:pass@host:587` (STARTTLS when
 * the server offers it) or `smtps://…:465` (TLS from the start).
 *
 * @example
 * ```ts
 * const mailer = createMailer("smtp://127.0.0.1:2525", "ConsistencyGrid <reminders@example.com>");
 * await mailer.send({ to: "ann@example.com", subject: "Reminder: Read", text: "Read 20 pages" });
 * mailer.close();
 * ```
 */
import nodemailer from "nodemailer";

/** One plain-text message. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Sends one message; rejects with the server's answer (e.g. `451 …`) when it is refused. */
  send(message: MailMessage): Promise<void>;
  /** Closes pooled connections. Idempotent. */
  close(): void;
}

/** A single SMTP conversation may not hang a scheduler tick for longer than this. */
const SMTP_TIMEOUT_MS = 15_000;

/** A {@linkcode Mailer} sending through the SMTP server at `smtpUrl`, from `from`. */
export function createMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  return {
    async send(message) {
      await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
    },
    close() {
      transport.close();
    },
  };
}
