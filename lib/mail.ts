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
import type nodemailer from "nodemailer";

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
  // nodemailer is loaded with the first message, not at start: ~20 MB of an instance's
  // memory that only a server sending mail needs, and only once it sends.
  let transport: Promise<ReturnType<typeof nodemailer.createTransport>> | undefined;
  const open = () =>
    transport ??= import("nodemailer").then(({ default: mailer }) =>
      mailer.createTransport({
        url: smtpUrl,
        connectionTimeout: SMTP_TIMEOUT_MS,
        greetingTimeout: SMTP_TIMEOUT_MS,
        socketTimeout: SMTP_TIMEOUT_MS,
      })
    );
  return {
    async send(message) {
      await (await open()).sendMail({ from, to: message.to, subject: message.subject, text: message.text });
    },
    close() {
      transport?.then((opened) => opened.close(), () => {});
    },
  };
}
