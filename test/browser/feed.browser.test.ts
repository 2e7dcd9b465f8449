/**
 * The site in a real browser: navigation through the feed, a paper page, the abstract toggle,
 * a phone viewport, dark mode, keyboard focus, no JavaScript, layout shift, and axe-core on
 * every page type in both themes (and on a signed-in reader's pages). Screenshots of every page type land in test-output/.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import type { BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { launchBrowser, screenshotPath, startSite, type RunningSite } from "../browser.js";
import { createSession } from "../../src/community/accounts.queries.js";
import { addToCollection, createCollection } from "../../src/community/collections.queries.js";
import { SESSION_COOKIE } from "../../src/community/sessions.js";
import { makeUser } from "../../src/community/testing.js";

const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 740 };

/** The page types, each with a path that exists in the sample. */
const PAGES: Array<{ name: string; path: string; status: number }> = [
  { name: "feed-day", path: "/papers/date/2026-06-30", status: 200 },
  { name: "feed-week", path: "/papers/week/2026-W27", status: 200 },
  { name: "feed-month", path: "/papers/month/2026-06", status: 200 },
  { name: "trending", path: "/papers/trending", status: 200 },
  { name: "paper", path: "/papers/2606.14721", status: 200 },
  // An author of the sample with 16 papers: co-authors, cut author lists; and a search by name.
  { name: "author", path: "/authors/Trung-Nghia%20Le", status: 200 },
  { name: "search-author", path: "/search?q=trung-nghia+le", status: 200 },
  { name: "not-found", path: "/nope", status: 404 },
];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/** Runs axe-core (injected into the page beforehand) and keeps the serious and critical violations. */
async function axeSeriousViolations(page: Page): Promise<AxeViolation[]> {
  const result = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => ({ target: n.target, failureSummary: n.failureSummary })) })))",
  )) as AxeViolation[];
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}

function describeViolations(vs: AxeViolation[]): string {
  return vs
    .map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n${v.nodes.map((n) => `    at ${JSON.stringify(n.target)}\n      ${(n.failureSummary ?? "").replace(/\n/g, "\n      ")}`).join("\n")}`)
    .join("\n");
}

/** Cumulative layout shift observed from navigation start, after the page has settled. */
async function cumulativeLayoutShift(page: Page): Promise<number> {
  return (await page.evaluate(`new Promise((resolve) => {
    let total = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value;
    }).observe({ type: "layout-shift", buffered: true });
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => resolve(total), 300)));
  })`)) as number;
}

async function noHorizontalScroll(page: Page): Promise<{ scrollWidth: number; innerWidth: number; widest: string }> {
  return (await page.evaluate(`(() => {
    const vw = window.innerWidth;
    let widest = "";
    let max = 0;
    for (const el of document.querySelectorAll("body *")) {
      const r = el.getBoundingClientRect();
      if (r.right > vw + 0.5 && r.right > max) { max = r.right; widest = el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : ""); }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, widest };
  })()`)) as { scrollWidth: number; innerWidth: number; widest: string };
}

test("the site in Chromium", { timeout: 240_000 }, async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  let site: RunningSite | null = null;
  const contexts: BrowserContext[] = [];
  const scriptErrors: string[] = [];
  const open = async (opts: BrowserContextOptions = {}): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: DESKTOP, colorScheme: "light", reducedMotion: "reduce", ...opts });
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.on("pageerror", (err) => scriptErrors.push(`${page.url()}: ${err.message}`));
    return page;
  };
  const url = (path: string) => `${site!.baseUrl}${path}`;
  try {
    site = await startSite();
    // A reader with a public collection: its page joins the page types, and the pages only a
    // signed-in reader sees (saving to a collection, your collections, "for you") are checked too.
    const db = site.ctx.db;
    const reader = await makeUser(db, { username: "reader" });
    const collection = await createCollection(db, reader.id, { name: "Reading group", description: "Papers for Friday's meeting", isPublic: true }, new Date());
    const saved = await db.selectFrom("daily_entries").select("paper_id").where("day", "=", "2026-06-30").orderBy("paper_id").limit(3).execute();
    for (const r of saved) await addToCollection(db, collection.id, r.paper_id, new Date());
    await db.insertInto("votes").values({ user_id: reader.id, paper_id: saved[0].paper_id, created_at: new Date().toISOString() }).execute();
    PAGES.push({ name: "collection", path: `/collections/${collection.id}`, status: 200 });
    const session = await createSession(db, reader.id, new Date());

    await t.test("the feed: previous day, a paper, its arXiv links, the abstract toggle", async () => {
      const page = await open();
      const res = await page.goto(url("/papers"));
      assert.equal(res?.status(), 200);
      const firstHeading = (await page.locator("h1").textContent())!.trim();
      assert.match(firstHeading, /^\w+day, \w+ \d{1,2}, \d{4}$/);
      assert.ok((await page.locator("article.card").count()) > 0, "the feed shows cards");

      await Promise.all([page.waitForURL(/\/papers\/date\/\d{4}-\d\d-\d\d$/), page.locator("a[rel=prev]").first().click()]);
      const prevHeading = (await page.locator("h1").textContent())!.trim();
      assert.notEqual(prevHeading, firstHeading, "the heading names the previous day");
      assert.ok((await page.locator("article.card").count()) > 0);
      assert.equal(await page.locator("a[rel=next]").count(), 1, "the previous day links forward again");

      // Expanding an abstract shows the full text in place of the preview.
      const details = page.locator("details.abstract").first();
      const full = details.locator(".full");
      assert.equal(await full.isVisible(), false);
      assert.equal(await details.locator(".preview").isVisible(), true);
      await details.locator("summary").click();
      assert.equal(await full.isVisible(), true);
      assert.equal(await details.locator(".preview").isVisible(), false);
      assert.equal(await details.locator(".less").isVisible(), true);
      const fullText = (await full.textContent())!;
      assert.ok(fullText.length > 280, "the full abstract is longer than its preview");
      await details.locator("summary").click();
      assert.equal(await full.isVisible(), false);

      // Open a paper from its card.
      const card = page.locator("article.card").first();
      const title = (await card.locator(".card-title a").textContent())!.trim();
      const href = (await card.locator(".card-title a").getAttribute("href"))!;
      const id = href.replace(/^\/papers\//, "");
      await Promise.all([page.waitForURL(url(href)), card.locator(".card-title a").click()]);
      assert.equal((await page.locator("h1").textContent())!.trim(), title);
      assert.equal(await page.locator(`a[href="https://arxiv.org/abs/${id}"]`).first().isVisible(), true);
      assert.equal(await page.locator(`a[href="https://arxiv.org/pdf/${id}"]`).first().isVisible(), true);
      assert.ok((await page.locator(".abstract-full").textContent())!.length > 100);
      // The page's own links, the sections and the footer's feeds point somewhere real (account
      // and search pages have their own tests).
      const hrefs = (await page.evaluate(`[...document.querySelectorAll("main a[href^='/'], .main-nav a, .site-footer a")].map((a) => a.getAttribute("href"))`)) as string[];
      for (const h of new Set(hrefs.map((x) => x.replace(/#.*$/, "")).filter((x) => x && !x.startsWith("/u/") && !x.startsWith("/search")))) {
        const r = await page.request.get(url(h));
        assert.equal(r.status(), 200, `${h} answers`);
      }
    });

    await t.test("dark mode follows the system preference", async () => {
      const bg = async (scheme: "light" | "dark") => {
        const page = await open({ colorScheme: scheme });
        await page.goto(url("/papers"));
        return {
          body: await page.evaluate("getComputedStyle(document.body).backgroundColor"),
          text: await page.evaluate("getComputedStyle(document.body).color"),
        };
      };
      const light = await bg("light");
      const dark = await bg("dark");
      assert.notEqual(light.body, dark.body);
      assert.notEqual(light.text, dark.text);
      // Dark is dark: the background's channels are low.
      const channels = String(dark.body).match(/\d+/g)!.slice(0, 3).map(Number);
      assert.ok(channels.every((c) => c < 60), `dark background ${dark.body}`);
    });

    await t.test("keyboard: the skip link comes first and focus is always visible", async () => {
      const page = await open();
      await page.goto(url("/papers"));
      await page.keyboard.press("Tab");
      const first = (await page.evaluate(`(() => { const a = document.activeElement; const s = getComputedStyle(a); return { cls: a.className, outline: s.outlineStyle, width: parseFloat(s.outlineWidth), top: a.getBoundingClientRect().top }; })()`)) as { cls: string; outline: string; width: number; top: number };
      assert.equal(first.cls, "skip-link");
      assert.ok(first.top >= 0, "the focused skip link is on screen");
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press("Tab");
        const f = (await page.evaluate(`(() => { const a = document.activeElement; const s = getComputedStyle(a); return { tag: a.tagName, text: (a.textContent || a.getAttribute("aria-label") || a.id || "").trim().slice(0, 40), outline: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow }; })()`)) as { tag: string; text: string; outline: string; width: number; shadow: string };
        const visible = (f.outline !== "none" && f.width >= 2) || (f.shadow !== "none" && f.shadow !== "");
        assert.ok(visible, `focus on <${f.tag}> "${f.text}" is visible (outline ${f.outline} ${f.width}px, shadow ${f.shadow})`);
        if (i === 6) await page.screenshot({ path: screenshotPath("focus-desktop-light") });
      }
      // "/" jumps to the search box.
      await page.locator("h1").click();
      await page.keyboard.press("/");
      assert.equal(await page.evaluate("document.activeElement && document.activeElement.id"), "site-q");
    });

    await t.test("without JavaScript the pages still show cards, navigation and abstracts", async () => {
      const page = await open({ javaScriptEnabled: false });
      await page.goto(url("/papers"));
      assert.ok((await page.locator("article.card").count()) > 0);
      await Promise.all([page.waitForURL(/\/papers\/date\//), page.locator("a[rel=prev]").first().click()]);
      assert.ok((await page.locator("article.card").count()) > 0);
      const details = page.locator("details.abstract").first();
      await details.locator("summary").click();
      assert.equal(await details.locator(".full").isVisible(), true);
      await page.goto(url("/papers/2606.14721"));
      assert.equal(await page.locator("a[href='https://arxiv.org/pdf/2606.14721']").first().isVisible(), true);
    });

    await t.test("no layout shift while the feed and paper pages load", async () => {
      for (const viewport of [DESKTOP, PHONE]) {
        const page = await open({ viewport });
        for (const path of ["/papers", "/papers/date/2026-06-30", "/papers/2606.14721"]) {
          await page.goto(url(path), { waitUntil: "load" });
          const cls = await cumulativeLayoutShift(page);
          assert.ok(cls < 0.01, `${path} at ${viewport.width}px shifts by ${cls.toFixed(4)}`);
        }
      }
    });

    await t.test("every page type: axe-core in light and dark, no horizontal scroll on a phone, screenshots", async () => {
      // Desktop (with axe) and phone run side by side: the screenshots of long feeds take a while.
      const desktop = async () => {
        const failures: string[] = [];
        // axe is injected as a script, which the site's Content-Security-Policy would block.
        const page = await open({ bypassCSP: true });
        for (const p of PAGES) {
          const res = await page.goto(url(p.path));
          assert.equal(res?.status(), p.status, p.path);
          // An opened abstract is checked too.
          if (p.name === "feed-day") await page.locator("details.abstract summary").first().click();
          await page.addScriptTag({ path: AXE_PATH });
          for (const scheme of ["light", "dark"] as const) {
            await page.emulateMedia({ colorScheme: scheme });
            await page.screenshot({ path: screenshotPath(`${p.name}-desktop-${scheme}`), fullPage: true });
            const vs = await axeSeriousViolations(page);
            if (vs.length) failures.push(`${p.path} (${scheme}):\n${describeViolations(vs)}`);
          }
          await page.emulateMedia({ colorScheme: "light" });
        }
        return failures;
      };
      const phone = async () => {
        const page = await open({ viewport: PHONE, isMobile: true, hasTouch: true });
        for (const p of [{ name: "feed-latest", path: "/papers" }, ...PAGES]) {
          await page.goto(url(p.path));
          const m = await noHorizontalScroll(page);
          assert.ok(m.scrollWidth <= m.innerWidth, `${p.path} is ${m.scrollWidth}px wide in a ${m.innerWidth}px viewport; widest: ${m.widest}`);
          if (p.name === "feed-latest") continue;
          for (const scheme of ["light", "dark"] as const) {
            await page.emulateMedia({ colorScheme: scheme });
            await page.screenshot({ path: screenshotPath(`${p.name}-phone-${scheme}`), fullPage: true });
          }
          await page.emulateMedia({ colorScheme: "light" });
        }
      };
      const [failures] = await Promise.all([desktop(), phone()]);
      if (failures.length) console.error(`axe-core violations:\n${failures.join("\n")}`);
      assert.deepEqual(failures, []);
    });
    await t.test("a signed-in reader's pages: axe-core in light and dark, screenshots", async () => {
      const page = await open({ bypassCSP: true });
      await page.context().addCookies([{ name: SESSION_COOKIE, value: session.token, url: site!.baseUrl }]);
      const failures: string[] = [];
      for (const [name, path] of [["paper-signed-in", "/papers/2606.14721"], ["collections", "/collections"], ["for-you", "/for-you"], ["settings", "/settings"]]) {
        const res = await page.goto(url(path));
        assert.equal(res?.status(), 200, path);
        assert.equal(await page.locator(".user-menu summary").count(), 1, `${path}: signed in`);
        await page.addScriptTag({ path: AXE_PATH });
        for (const scheme of ["light", "dark"] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          await page.screenshot({ path: screenshotPath(`${name}-desktop-${scheme}`), fullPage: true });
          const vs = await axeSeriousViolations(page);
          if (vs.length) failures.push(`${path} (${scheme}):\n${describeViolations(vs)}`);
        }
        await page.emulateMedia({ colorScheme: "light" });
      }
      if (failures.length) console.error(`axe-core violations:\n${failures.join("\n")}`);
      assert.deepEqual(failures, []);
    });
    assert.deepEqual(scriptErrors, [], "no script errors on any page");
  } finally {
    for (const c of contexts) await c.close().catch(() => {});
    await browser.close();
    if (site) await site.close();
  }
});

