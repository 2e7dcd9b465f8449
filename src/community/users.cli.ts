/**
 * `dailypapers user create|role|delete`: accounts from the command line (the first admin,
 * curators, a deletion someone asked for by email). Accounts made here are confirmed: the
 * operator vouches for the address.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadConfig } from "../config.js";
import { createContext } from "../context.js";
import { findUserByUsername, setRole } from "./accounts.queries.js";
import { createAccount, eraseAccount } from "./accounts.service.js";
import { isRole, ROLES } from "./policy.js";
import { UsageError } from "../lib/usage-error.js";


export async function runUserCommand(args: string[], out: (line: string) => void = console.log, stdin: () => string = () => readFileSync(0, "utf8")): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "create") {
    const { values } = parseArgs({
      args: rest,
      options: { username: { type: "string" }, email: { type: "string" }, password: { type: "string" }, "password-stdin": { type: "boolean" }, admin: { type: "boolean" }, curator: { type: "boolean" } },
    });
    if (!values.username) throw new UsageError("--username is required");
    if (!values.email) throw new UsageError("--email is required");
    if (values.admin && values.curator) throw new UsageError("give at most one of --admin and --curator");
    if (values.password !== undefined && values["password-stdin"]) throw new UsageError("give one of --password and --password-stdin, not both");
    const password = values["password-stdin"] ? stdin().replace(/\r?\n$/, "") : values.password;
    if (password === undefined) throw new UsageError("give a password with --password-stdin (safer: it stays out of the shell history) or --password");
    const role = values.admin ? "admin" : values.curator ? "curator" : "reader";
    const ctx = await createContext(loadConfig());
    try {
      await createAccount(ctx, { username: values.username, email: values.email, password, role }).catch((e: Error) => {
        throw new UsageError(e.message);
      });
      out(`created ${role} ${values.username.toLowerCase()} <${values.email.toLowerCase()}>`);
      return 0;
    } finally {
      await ctx.close();
    }
  }
  if (sub === "role") {
    const [username, role] = rest;
    if (!username || !role) throw new UsageError("give a username and a role");
    if (!isRole(role)) throw new UsageError(`unknown role "${role}": use one of ${ROLES.join(", ")}`);
    const ctx = await createContext(loadConfig());
    try {
      if (!(await setRole(ctx.db, username, role))) throw new UsageError(`there is no user "${username}"`);
      out(`${username.toLowerCase()} is now ${role === "admin" ? "an" : "a"} ${role}`);
      return 0;
    } finally {
      await ctx.close();
    }
  }
  if (sub === "delete") {
    const { values, positionals } = parseArgs({ args: rest, options: { yes: { type: "boolean" } }, allowPositionals: true });
    const [username] = positionals;
    if (!username) throw new UsageError("give the username of the account to delete");
    if (!values.yes) throw new UsageError(`this deletes ${username}'s account, comments' text, upvotes and collections for good: add --yes`);
    const ctx = await createContext(loadConfig());
    try {
      const user = await findUserByUsername(ctx.db, username);
      if (!user) throw new UsageError(`there is no user "${username}"`);
      await eraseAccount(ctx, user.id);
      out(`deleted the account of ${user.username}`);
      return 0;
    } finally {
      await ctx.close();
    }
  }
  throw new UsageError(sub ? `unknown user subcommand "${sub}"` : "give a subcommand: create, role or delete");
}
