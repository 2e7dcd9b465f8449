/**
 * The community in a real browser: sign up (the confirmation link read from the mail the app
 * wrote), log out and in, submit a paper, upvote and comment in place with JavaScript, reply,
 * the same actions as plain form posts without JavaScript, and a curator moderating.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import type { BrowserContext, Page } from "playwright-core";
import { launchBrowser, screenshotPath, startSite, type RunningSite } from "../browser.js";
import { createAccount } from "../../src/community/accounts.service.js";
import { mailWorker } from "../../src/community/testing.js";
import { upsertPapers } from "../../src/papers/papers.queries.js";

// A value on the page's window survives only while no navigation happens. (Functions, not
// strings: the site's CSP forbids eval.)
const setMarker = (page: Page, v: number) => page.evaluate((x) => void ((globalThis as Record<string, unknown>).__stay = x), v);
const getMarker = (page: Page) => page.evaluate(() => (globalThis as Record<string, unknown>).__stay);

async function latestMailLink(site: RunningSite, prefix: string): Promise<string> {
  await mailWorker(site.ctx).drain();
  const dir = join(site.ctx.config.dataDir, "outbox");
  const files = readdirSync(dir).filter((f) => f.endsWith(".eml")).sort();
  const mail = await simpleParser(readFileSync(join(dir, files[files.length - 1])));
  const link = (mail.text ?? "").split(/\s+/).find((w) => w.startsWith(prefix));
  assert.ok(link, `a link starting ${prefix} in:\n${mail.text}`);
  return link;
}

test("the community in Chromium", { timeout: 180_000 }, async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  let site: RunningSite | null = null;
  const contexts: BrowserContext[] = [];
  const open = async (javaScriptEnabled = true): Promise<Page> => {
    const c = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled });
    contexts.push(c);
    const page = await c.newPage();
    page.on("pageerror", (err) => assert.fail(`script error on ${page.url()}: ${err.message}`));
    return page;
  };
  try {
    site = await startSite({ step: 8 });
    const url = (p: string) => `${site!.baseUrl}${p}`;
    const now = site.ctx.now();
    const fresh = (id: string) => ({
      paper: { arxivId: id, version: 1, title: `A fresh result ${id}`, abstract: "We show something new and useful about the subject at hand.", authors: ["Ann Author"], categories: ["cs.LG"], comment: null, journalRef: null, doi: null, firstVersionAt: new Date(now.getTime() - 86400_000), latestVersionAt: new Date(now.getTime() - 86400_000) },
      listingDates: [],
    });
    await upsertPapers(site.ctx.db, [fresh("2612.00001"), fresh("2612.00002")]);
    await createAccount(site.ctx, { username: "curie", email: "curie@example.org", password: "curator password 1", role: "curator" });
    const page = await open();

    await t.test("sign up, confirm by the emailed link, log out, log in", async () => {
      await page.goto(url("/papers"));
      await Promise.all([page.waitForURL(url("/signup")), page.getByRole("link", { name: "Sign up" }).click()]);
      await page.getByLabel("Username").fill("ada");
      await page.getByLabel("Email").fill("ada@example.org");
      await page.getByLabel("Password").fill("a fine long password");
      await Promise.all([page.waitForURL(url("/signup")), page.getByRole("button", { name: "Sign up" }).click()]);
      assert.match((await page.locator("h1").textContent())!, /Check your inbox/);
      const link = await latestMailLink(site!, `${site!.baseUrl}/confirm?token=`);
      await page.goto(link);
      await Promise.all([page.waitForURL(url("/papers")), page.getByRole("button", { name: "Confirm my email" }).click()]);
      assert.equal((await page.locator(".user-menu summary").textContent())!.trim(), "ada");
      await page.locator(".user-menu summary").click();
      await Promise.all([page.waitForURL(url("/papers")), page.getByRole("button", { name: "Log out" }).click()]);
      assert.equal(await page.locator(".user-menu").count(), 0);
      await page.goto(url("/login"));
      await page.getByLabel("Username or email").fill("ada");
      await page.getByLabel("Password").fill("a fine long password");
      await Promise.all([page.waitForURL(url("/papers")), page.getByRole("button", { name: "Log in" }).click()]);
      assert.equal((await page.locator(".user-menu summary").textContent())!.trim(), "ada");
    });

    await t.test("submit a paper: it opens with 'submitted by'", async () => {
      await Promise.all([page.waitForURL(url("/submit")), page.locator(".account-nav").getByRole("link", { name: "Submit" }).click()]);
      await page.getByLabel("arXiv id or URL").fill("https://arxiv.org/abs/2612.00001v1");
      await Promise.all([page.waitForURL(url("/papers/2612.00001")), page.getByRole("button", { name: "Submit" }).click()]);
      assert.match((await page.locator(".facts").textContent())!, /submitted by ada/);
      // A rule broken shows its message in place.
      await page.goto(url("/submit"));
      await page.getByLabel("arXiv id or URL").fill("2612.00001");
      await page.getByRole("button", { name: "Submit" }).click();
      assert.match((await page.locator(".form-error").textContent())!, /already in the feed of/);
    });

    await t.test("upvote in place: the count and the pressed state change without a reload", async () => {
      await page.goto(url("/papers/2612.00001"));
      const button = page.locator("form.vote-form button");
      assert.equal(await button.getAttribute("aria-pressed"), "false");
      await setMarker(page, 1);
      await button.click();
      await page.locator('form.vote-form button[aria-pressed="true"]').waitFor();
      assert.equal((await page.locator("form.vote-form .count").textContent())!.trim(), "1");
      assert.equal(await getMarker(page), 1, "no navigation happened");
      await page.reload();
      assert.equal(await page.locator("form.vote-form button").getAttribute("aria-pressed"), "true", "the vote was stored");
    });

    await t.test("save a paper into a new collection, find it there, remove it; 'for you' from the menu", async () => {
      await page.goto(url("/papers/2612.00001"));
      await page.getByLabel("Save to").selectOption({ label: "a new collection named…" });
      await page.getByLabel("Name of the new collection").fill("Weekend reading");
      await Promise.all([page.waitForURL(url("/papers/2612.00001")), page.getByRole("button", { name: "Save", exact: true }).click()]);
      const link = page.locator(".save-to a", { hasText: "Weekend reading" });
      await page.locator(".save-to").screenshot({ path: screenshotPath("collection-save") });
      const href = (await link.getAttribute("href"))!;
      assert.match(href, /^\/collections\/\d+$/);
      await page.locator(".user-menu summary").click();
      await Promise.all([page.waitForURL(url("/collections")), page.getByRole("link", { name: "Collections" }).click()]);
      await Promise.all([page.waitForURL(url(href)), page.getByRole("link", { name: "Weekend reading" }).click()]);
      assert.equal(await page.locator(".card-title", { hasText: "A fresh result 2612.00001" }).count(), 1);
      await page.screenshot({ path: screenshotPath("collection"), fullPage: true });
      await Promise.all([page.waitForURL(url(href)), page.getByRole("button", { name: "Remove from this collection" }).click()]);
      assert.match((await page.locator(".empty").textContent())!, /Nothing here yet/);
      await page.locator(".user-menu summary").click();
      await Promise.all([page.waitForURL(url("/for-you")), page.getByRole("link", { name: "For you" }).click()]);
      assert.equal((await page.locator("h1").textContent())!.trim(), "For you");
    });

    await t.test("comment and reply in place", async () => {
      await page.goto(url("/papers/2612.00001"));
      await setMarker(page, 2);
      await page.getByLabel("Add to the discussion").fill("A **bold** claim, @curie. <script>window.__pwned = 1</script>");
      await page.getByRole("button", { name: "Comment", exact: true }).click();
      await page.locator(".comment-body strong", { hasText: "bold" }).waitFor();
      assert.equal(await getMarker(page), 2, "no navigation happened");
      assert.equal(await page.evaluate(() => (globalThis as Record<string, unknown>).__pwned), undefined);
      assert.match((await page.locator("#discussion-h").textContent())!, /Discussion \(1\)/);
      await page.locator(".comment-actions summary", { hasText: "Reply" }).first().click();
      await page.getByLabel("Your reply").fill("Replying to myself.");
      await page.getByRole("button", { name: "Reply", exact: true }).click();
      await page.locator(".comments ol .comment-body", { hasText: "Replying to myself." }).waitFor();
      assert.match((await page.locator("#discussion-h").textContent())!, /Discussion \(2\)/);
      await page.screenshot({ path: screenshotPath("community-discussion"), fullPage: true });
    });

    await t.test("without JavaScript every action is a form post", async () => {
      const nojs = await open(false);
      await nojs.goto(url("/login"));
      await nojs.getByLabel("Username or email").fill("ada@example.org");
      await nojs.getByLabel("Password").fill("a fine long password");
      await Promise.all([nojs.waitForURL(url("/papers")), nojs.getByRole("button", { name: "Log in" }).click()]);
      await nojs.goto(url("/submit"));
      await nojs.getByLabel("arXiv id or URL").fill("2612.00002");
      await Promise.all([nojs.waitForURL(url("/papers/2612.00002")), nojs.getByRole("button", { name: "Submit" }).click()]);
      await Promise.all([nojs.waitForURL(url("/papers/2612.00002")), nojs.locator("form.vote-form button").click()]);
      assert.equal(await nojs.locator("form.vote-form button").getAttribute("aria-pressed"), "true");
      assert.equal((await nojs.locator("form.vote-form .count").textContent())!.trim(), "1");
      await nojs.getByLabel("Add to the discussion").fill("Posted without JavaScript.");
      await Promise.all([nojs.waitForURL(/\/papers\/2612\.00002#c\d+$/), nojs.getByRole("button", { name: "Comment", exact: true }).click()]);
      assert.equal(await nojs.locator(".comment-body", { hasText: "Posted without JavaScript." }).count(), 1);
      await nojs.locator(".comment-actions summary", { hasText: "Reply" }).first().click();
      await nojs.getByLabel("Your reply").fill("A reply, also without it.");
      await Promise.all([nojs.waitForURL(/#c\d+$/), nojs.getByRole("button", { name: "Reply", exact: true }).click()]);
      assert.equal(await nojs.locator(".comments ol .comment-body", { hasText: "A reply, also without it." }).count(), 1);
    });

    await t.test("a curator is notified of the mention, hides a comment, and the log shows it", async () => {
      const cur = await open();
      await cur.goto(url("/login"));
      await cur.getByLabel("Username or email").fill("curie");
      await cur.getByLabel("Password").fill("curator password 1");
      await Promise.all([cur.waitForURL(url("/papers")), cur.getByRole("button", { name: "Log in" }).click()]);
      assert.equal(await cur.locator(".notif-link .badge").textContent(), "1");
      await Promise.all([cur.waitForURL(url("/notifications")), cur.locator(".notif-link").click()]);
      await Promise.all([cur.waitForURL(/\/papers\/2612\.00001#c\d+$/), cur.locator(".notif-list a", { hasText: "A fresh result" }).click()]);
      const reply = cur.locator(".comments ol .comment").first();
      await reply.getByRole("button", { name: "Hide" }).click();
      await cur.locator(".badge-hidden").first().waitFor();
      assert.match((await cur.locator("#discussion-h").textContent())!, /Discussion \(1\)/);
      await cur.goto(url("/moderation"));
      assert.match((await cur.locator(".log-table").textContent())!, /curie\s*hid comment/);
      // The reader no longer sees the hidden reply.
      await page.goto(url("/papers/2612.00001"));
      assert.equal(await page.locator(".comment-body", { hasText: "Replying to myself." }).count(), 0);
      await cur.screenshot({ path: screenshotPath("community-moderation-log"), fullPage: true });
    });
  } finally {
    for (const c of contexts) await c.close().catch(() => {});
    await browser.close();
    if (site) await site.close();
  }
});
