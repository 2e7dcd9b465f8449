/**
 * Browser tests: a headless Chromium driven by playwright-core, and the app running in this
 * process on a fresh SQLite database holding part of the bundled sample.
 *
 * Chromium is found at CHROMIUM_PATH or /usr/bin/chromium. When it is missing the tests say
 * so loudly and are skipped, unless REQUIRE_BROWSER=1 (set in CI), where that is a failure.
 */
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type { TestContext } from "node:test";
import type { FastifyInstance } from "fastify";
import { chromium, type Browser } from "playwright-core";
import { toConfig } from "../src/config.js";
import { createContext, type AppContext } from "../src/context.js";
import { importFiles } from "../src/ingest/import.js";
import { SAMPLE_DIR } from "../src/main.js";
import { buildApp } from "../src/web/app.js";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export const SCREENSHOT_DIR = join("test-output", "screenshots");

/** The Chromium executable (CHROMIUM_PATH when set, else the Debian package's), or null when there is none. */
export function findChromium(): string | null {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((p) => existsSync(p)) ?? null;
}

let warned = false;

/**
 * Launches Chromium, or skips the calling test (with a loud message) when it is not installed.
 * With REQUIRE_BROWSER=1 a missing browser throws instead, so CI cannot pass without it.
 */
export async function launchBrowser(t: TestContext): Promise<Browser | null> {
  const executablePath = findChromium();
  if (!executablePath) {
    const msg = "Chromium not found (install the chromium package or set CHROMIUM_PATH): browser tests skipped";
    if (process.env.REQUIRE_BROWSER === "1") throw new Error(`REQUIRE_BROWSER=1 but ${msg.replace(/: .*$/, "")}`);
    if (!warned) {
      console.warn(`\n${"!".repeat(78)}\n!! ${msg}\n${"!".repeat(78)}\n`);
      warned = true;
    }
    t.skip(msg);
    return null;
  }
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

export interface RunningSite {
  baseUrl: string;
  ctx: AppContext;
  app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * Writes every `step`-th record of the bundled sample (always the first one) to a file: a
 * smaller archive that still covers every listing day, imported in a fraction of the time.
 */
async function sampleSubset(dir: string, step: number): Promise<string> {
  const file = join(dir, "sample-subset.jsonl");
  const src = join(SAMPLE_DIR, "papers-2026-06-16--2026-07-01.jsonl.gz");
  const lines: string[] = [];
  let i = 0;
  for await (const line of createInterface({ input: createReadStream(src).pipe(createGunzip()), crlfDelay: Infinity })) {
    if (i++ % step === 0 && line.trim()) lines.push(line);
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/** Starts the app on 127.0.0.1 (a free port) over a fresh SQLite database with sample papers. */
export async function startSite(opts: { step?: number } = {}): Promise<RunningSite> {
  const dir = mkdtempSync(join(tmpdir(), "dp-browser-"));
  const config = toConfig({ DATABASE_URL: join(dir, "site.sqlite"), DATA_DIR: dir, LOG_LEVEL: "silent", IMPORT_SAMPLE: "false" });
  const ctx = await createContext(config);
  await importFiles(ctx.db, [await sampleSubset(dir, opts.step ?? 4)]);
  const app = await buildApp(ctx, { logger: false });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const addr = app.server.address();
  if (!addr || typeof addr === "string") throw new Error("the app is not listening on a TCP port");
  const baseUrl = `http://127.0.0.1:${addr.port}`;
  // Canonical and feed links use the base URL; it is known only now that the port is.
  ctx.config.baseUrl = baseUrl;
  return {
    baseUrl,
    ctx,
    app,
    async close() {
      await app.close();
      await ctx.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}
