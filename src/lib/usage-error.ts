/**
 * A command-line mistake (a missing flag, a bad value): `dailypapers` prints the message with
 * the command's usage and exits 2. Every command throws this one class, so the CLI needs no
 * translation per command.
 */
export class UsageError extends Error {}
