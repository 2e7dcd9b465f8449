/**
 * A real SMTP server in the test process (smtp-server on 127.0.0.1, a free port) that keeps
 * every message it receives, parsed with mailparser.
 */
import { SMTPServer } from "smtp-server";
import { simpleParser, type ParsedMail } from "mailparser";

export interface TestSmtp {
  url: string;
  messages: ParsedMail[];
  /** Messages sent to one address, oldest first. */
  to(address: string): ParsedMail[];
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((m) => {
          messages.push(m);
          callback();
        })
        .catch((e: Error) => callback(e));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.server.address();
  if (!addr || typeof addr === "string") throw new Error("smtp server is not listening on TCP");
  const recipients = (m: ParsedMail) => {
    const to = Array.isArray(m.to) ? m.to : m.to ? [m.to] : [];
    return to.flatMap((a) => a.value.map((v) => (v.address ?? "").toLowerCase()));
  };
  return {
    url: `smtp://127.0.0.1:${addr.port}`,
    messages,
    to: (address) => messages.filter((m) => recipients(m).includes(address.toLowerCase())),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link in a message's text part that starts with `prefix`. */
export function linkIn(m: ParsedMail, prefix: string): string {
  const text = m.text ?? "";
  const found = text.split(/\s+/).find((w) => w.startsWith(prefix));
  if (!found) throw new Error(`no link starting with ${prefix} in:\n${text}`);
  return found;
}
