/**
 * Outgoing mail: one method per email, each building a plain-text and an HTML part. Sent over
 * SMTP (SMTP_URL) or, when that is unset, written as .eml files to DATA_DIR/outbox so a small
 * install still shows what it would have sent. Requests never call these directly: they
 * enqueue a `mail` job (mail.jobs.ts), so a slow SMTP server never holds up a page.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import nodemailer, { type Transporter } from "nodemailer";
import type { Config } from "../config.js";

export interface Message {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers (List-Unsubscribe of digests). */
  headers?: Record<string, string>;
  /** A fixed Message-ID (digests use a deterministic one: a resend would be recognisable). */
  messageId?: string;
  /**
   * How the text parts are encoded. Unset, nodemailer scans each part to choose; a digest
   * (tens of kilobytes, thousands per run) says base64, encoded natively, no scan.
   */
  textEncoding?: "base64" | "quoted-printable";
}

export interface SentMail {
  messageId: string;
  /** The .eml file written when SMTP is off. */
  file?: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A short email: greeting, paragraphs, one button-like link, and the same as plain text. */
function compose(to: string, subject: string, paragraphs: string[], link: { label: string; url: string } | null, footer: string): Message {
  const text = [...paragraphs, ...(link ? [`${link.label}: ${link.url}`] : []), "--", footer].join("\n\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:560px">
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n")}
${link ? `<p><a href="${escapeHtml(link.url)}" style="display:inline-block;padding:8px 14px;background:#1f6feb;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(link.label)}</a></p><p style="color:#666;font-size:13px">${escapeHtml(link.url)}</p>` : ""}
<hr><p style="color:#666;font-size:13px">${escapeHtml(footer)}</p></body></html>`;
  return { to, subject, text, html };
}

export class Mailer {
  private readonly transport: Transporter;
  private readonly outbox: string | null;
  /**
   * How many messages can be in an SMTP transaction at once: the pool's connections
   * (`?pool=true&maxConnections=N` in SMTP_URL, nodemailer's default 5), else one.
   */
  readonly concurrency: number;

  constructor(private readonly config: Pick<Config, "mail" | "dataDir" | "baseUrl">) {
    if (config.mail.smtpUrl) {
      this.transport = nodemailer.createTransport(config.mail.smtpUrl);
      this.outbox = null;
      const q = new URL(config.mail.smtpUrl).searchParams;
      const pooled = q.get("pool") === "true";
      this.concurrency = pooled ? Math.max(1, Number(q.get("maxConnections") ?? 5) || 5) : 1;
    } else {
      this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
      this.outbox = join(config.dataDir, "outbox");
      this.concurrency = 1;
    }
  }

  private get footer(): string {
    return `Daily Papers · ${this.config.baseUrl}`;
  }

  async send(m: Message): Promise<SentMail> {
    const info = await this.transport.sendMail({ from: this.config.mail.from, to: m.to, subject: m.subject, text: m.text, html: m.html, headers: m.headers, messageId: m.messageId, textEncoding: m.textEncoding });
    const messageId = String(info.messageId ?? "");
    if (this.outbox) {
      mkdirSync(this.outbox, { recursive: true });
      const file = join(this.outbox, `${new Date().toISOString().replace(/[:.]/g, "-")}-${messageId.replace(/[^\w.-]/g, "")}.eml`);
      writeFileSync(file, (info as unknown as { message: Buffer }).message);
      return { messageId, file };
    }
    return { messageId };
  }

  sendConfirmEmail(to: string, p: { username: string; url: string }): Promise<SentMail> {
    return this.send(compose(to, "Confirm your email for Daily Papers", [
      `Hello ${p.username},`,
      "Someone, hopefully you, signed up for Daily Papers with this address. Follow the link to confirm it and log in. The link works for 48 hours.",
      "If it was not you, ignore this message: nothing happens without the link.",
    ], { label: "Confirm my email", url: p.url }, this.footer));
  }

  /** Sent instead of a confirmation when the address already has an account, so signup never tells whether it does. */
  sendAlreadyRegistered(to: string, p: { loginUrl: string; resetUrl: string }): Promise<SentMail> {
    return this.send(compose(to, "You already have a Daily Papers account", [
      "Someone, hopefully you, tried to sign up for Daily Papers with this address, which already has an account.",
      `Log in at ${p.loginUrl}, or if you forgot your password, reset it at ${p.resetUrl}.`,
      "If it was not you, ignore this message.",
    ], { label: "Log in", url: p.loginUrl }, this.footer));
  }

  /** Sent when the chosen username is taken, so the signup page itself never tells. */
  sendUsernameTaken(to: string, p: { username: string; signupUrl: string }): Promise<SentMail> {
    return this.send(compose(to, "Choose another username for Daily Papers", [
      `Someone, hopefully you, tried to sign up for Daily Papers with this address and the username "${p.username}", which is not available.`,
      "Sign up again with another username. If it was not you, ignore this message.",
    ], { label: "Sign up", url: p.signupUrl }, this.footer));
  }

  sendPasswordReset(to: string, p: { username: string; url: string }): Promise<SentMail> {
    return this.send(compose(to, "Reset your Daily Papers password", [
      `Hello ${p.username},`,
      "Someone, hopefully you, asked to reset the password of your Daily Papers account. Follow the link to choose a new one. The link works for one hour and only once.",
      "If it was not you, ignore this message: your password stays as it is.",
    ], { label: "Choose a new password", url: p.url }, this.footer));
  }

  sendMentionNotice(to: string, p: { username: string; actor: string; paperTitle: string; url: string; kind: "mention" | "reply" }): Promise<SentMail> {
    const what = p.kind === "mention" ? `${p.actor} mentioned you` : `${p.actor} replied to your comment`;
    return this.send(compose(to, `${what} on Daily Papers`, [
      `Hello ${p.username},`,
      `${what} in the discussion of "${p.paperTitle}".`,
      "You get these emails because you turned them on in your settings; turn them off there.",
    ], { label: "Read the comment", url: p.url }, this.footer));
  }

  /** Double opt-in of a digest subscription. */
  sendDigestConfirm(to: string, p: { url: string; frequency: string }): Promise<SentMail> {
    return this.send(compose(to, "Confirm your Daily Papers digest subscription", [
      `Someone, hopefully you, asked for the ${p.frequency} Daily Papers digest at this address. Follow the link to confirm; nothing is sent until you do. The link works for 7 days.`,
      "If it was not you, ignore this message.",
    ], { label: "Confirm my subscription", url: p.url }, this.footer));
  }

  /** Sent instead of a confirmation when the address is already subscribed, so /subscribe never tells. */
  sendDigestAlreadySubscribed(to: string, p: { manageUrl: string }): Promise<SentMail> {
    return this.send(compose(to, "You already get the Daily Papers digest", [
      "Someone, hopefully you, asked to subscribe this address to the Daily Papers digest. It is already subscribed.",
      "To change what you receive or how often, follow the link.",
    ], { label: "Change my digest", url: p.manageUrl }, this.footer));
  }

  /** One digest: its own parts, List-Unsubscribe headers and deterministic Message-ID. */
  sendDigest(m: Message & { headers: Record<string, string>; messageId: string }): Promise<SentMail> {
    return this.send({ textEncoding: "base64", ...m });
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
