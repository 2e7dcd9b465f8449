/**
 * Search in a real browser: results follow the typing without a page reload when JavaScript is
 * on, the plain form works without it, and a pasted arXiv id opens the paper.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { launchBrowser, startSite, type RunningSite } from "../browser.js";

// A value on the page's window survives only while no navigation happens.
const setMarker = (page: Page, v: number) => page.evaluate((x) => void ((globalThis as Record<string, unknown>).__stay = x), v);
const getMarker = (page: Page) => page.evaluate(() => (globalThis as Record<string, unknown>).__stay);

test("search in Chromium", { timeout: 120_000 }, async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  let site: RunningSite | null = null;
  try {
    site = await startSite({ step: 8 });
    const url = (p: string) => `${site!.baseUrl}${p}`;
    const paper = await site.ctx.db.selectFrom("papers").select(["arxiv_id", "title"]).orderBy("id").executeTakeFirstOrThrow();
    const word = paper.title.split(/\W+/).filter((w) => w.length > 6)[0] ?? "learning";

    const js = await browser.newContext();
    const page = await js.newPage();
    page.on("pageerror", (err) => assert.fail(`script error on ${page.url()}: ${err.message}`));
    await page.goto(url("/search"));
    await setMarker(page, 42);
    await page.fill("#search-q", word);
    await page.waitForFunction(() => document.querySelectorAll("#search-results article").length > 0);
    assert.equal(await getMarker(page), 42, "results arrived without a page load");
    assert.match(page.url(), new RegExp(`/search\\?q=${encodeURIComponent(word)}$`));
    assert.ok((await page.locator("#search-results mark").count()) > 0, "matching words are highlighted");
    assert.equal(await page.locator("#search-links a.alert").getAttribute("href"), `/subscribe?topic=${encodeURIComponent(word).replace(/%20/g, "+")}`, "the alert link follows the typing");
    await page.fill("#search-q", `${word} zzzqqqxxx`);
    await page.waitForFunction(() => /zzzqqqxxx/.test(location.search));
    assert.equal(await getMarker(page), 42);

    const nojs = await browser.newContext({ javaScriptEnabled: false });
    const plain = await nojs.newPage();
    await plain.goto(url("/search"));
    await plain.fill("#search-q", word);
    await plain.press("#search-q", "Enter");
    await plain.waitForURL(/\/search\?q=/);
    assert.ok((await plain.locator("#search-results article").count()) > 0);
    await plain.fill("#search-q", paper.arxiv_id);
    await plain.press("#search-q", "Enter");
    await plain.waitForURL(new RegExp(`/papers/${paper.arxiv_id.replace(".", "\\.")}$`));
    await js.close();
    await nojs.close();
  } finally {
    await site?.close();
    await browser.close();
  }
});
