/** The submit page, and the curator's "feature" form on a paper page. */
import type { VNode } from "preact";
import { CsrfField, FormError } from "./forms.views.js";

export function SubmitPage(p: { csrf: string; error?: string | null; value?: string; perDay: number; maxAgeDays: number; curator: boolean }): VNode {
  return (
    <section class="auth-page">
      <h1>Submit a paper</h1>
      <p class="intro">
        Share a paper with the community: it enters today's feed with your name. Up to {p.perDay} papers a day, each first posted to arXiv in the last {p.maxAgeDays} days and not already in a feed.
      </p>
      <FormError message={p.error} />
      <form method="post" action="/submit" class="stack-form">
        <CsrfField token={p.csrf} />
        <label for="sb-paper">arXiv id or URL</label>
        <input id="sb-paper" name="paper" required maxLength={300} placeholder="2503.01234 or https://arxiv.org/abs/2503.01234" value={p.value ?? ""} autoComplete="off" />
        <button type="submit" class="btn primary">Submit</button>
      </form>
      {p.curator && <p class="muted">Curators: feature a paper into any day from its page.</p>}
    </section>
  );
}

export function FeatureForm({ arxivId, csrf, today }: { arxivId: string; csrf: string; today: string }): VNode {
  return (
    <form method="post" action={`/feature/${arxivId}`}>
      <CsrfField token={csrf} />
      <label for="ft-day">Feature into the feed of</label>
      <input id="ft-day" name="day" type="date" value={today} max={today} required />
      <button type="submit" class="btn">Feature</button>
    </form>
  );
}
