/**
 * Test helpers of the community (imported by tests only): a client that keeps cookies like a
 * browser and sends forms with their CSRF token, and quick ways to make users.
 */
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { AppContext } from "../context.js";
import type { Db } from "../db/database.js";
import { Worker } from "../jobs/worker.js";
import { mailJobHandlers } from "../mail/mail.jobs.js";
import { createSession, insertUser } from "./accounts.queries.js";
import { SESSION_COOKIE } from "./sessions.js";
import type { Role } from "./policy.js";

/** A syntactically valid hash that matches no password: for users that never log in by password. */
export const NO_PASSWORD = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

let counter = 0;

export async function makeUser(db: Db, opts: { username?: string; role?: Role; email?: string } = {}): Promise<{ id: number; username: string }> {
  const username = opts.username ?? `user${process.pid % 1000}x${++counter}`;
  const id = await insertUser(db, { username, email: opts.email ?? `${username}@example.org`, passwordHash: NO_PASSWORD, role: opts.role ?? "reader", confirmed: true }, new Date());
  return { id, username };
}

export function mailWorker(ctx: AppContext): Worker {
  return new Worker(ctx.db, { handlers: mailJobHandlers(ctx.mailer) });
}

export class Client {
  readonly cookies = new Map<string, string>();

  constructor(private readonly app: FastifyInstance) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private keep(res: LightMyRequestResponse): void {
    for (const c of res.cookies) {
      if (c.value === "" || (c.maxAge !== undefined && c.maxAge <= 0) || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: "GET", url, headers: { cookie: this.cookieHeader(), ...headers } });
    this.keep(res);
    return res;
  }

  /** The CSRF token a page shows this client (from the layout's meta tag). */
  async csrf(path?: string): Promise<string> {
    // Anonymous visitors get a token only on pages with a form, such as the log-in page.
    const res = await this.get(path ?? (this.cookies.has(SESSION_COOKIE) ? "/papers" : "/login"));
    const m = /<meta name="csrf-token" content="([^"]+)"/.exec(res.body);
    if (!m) throw new Error(`no csrf token on ${path} (status ${res.statusCode})`);
    return m[1];
  }

  /** Posts a form with this client's CSRF token (unless `csrf` says otherwise). */
  async post(url: string, form: Record<string, string> = {}, opts: { csrf?: string | false; json?: boolean; headers?: Record<string, string> } = {}): Promise<LightMyRequestResponse> {
    const token = opts.csrf === false ? undefined : (opts.csrf ?? (await this.csrf()));
    const fields = { ...(token !== undefined ? { _csrf: token } : {}), ...form };
    const res = await this.app.inject({
      method: "POST",
      url,
      headers: {
        cookie: this.cookieHeader(),
        "content-type": "application/x-www-form-urlencoded",
        ...(opts.json ? { accept: "application/json" } : {}),
        ...opts.headers,
      },
      payload: new URLSearchParams(fields).toString(),
    });
    this.keep(res);
    return res;
  }

  /** Signs in without a password: a session row and its cookie. */
  async signInAs(db: Db, userId: number): Promise<this> {
    const s = await createSession(db, userId, new Date());
    this.cookies.set(SESSION_COOKIE, s.token);
    return this;
  }
}
