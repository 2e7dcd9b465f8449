/** Pages of the digests: subscribe, confirm, settings, unsubscribe. Plain forms, no JavaScript needed. */
import type { VNode } from "preact";
import { CheckInbox, CsrfField, FormError, Notice } from "../community/index.js";
import type { SectionKind } from "./digest.select.js";
import { SECTION_TITLES } from "./digest.render.js";
import type { Preferences, Topic } from "./subscriptions.queries.js";

export interface SettingsValues {
  prefs: Preferences;
  topics: Topic[];
  authors: string[];
}

export function topicLine(t: Topic): string {
  return t.categories.length ? `${t.query} [${t.categories.join(", ")}]` : t.query;
}

/** The choices shared by the subscribe and settings forms. */
function Choices(p: { values: SettingsValues; forYou: boolean }): VNode {
  const v = p.values;
  return (
    <>
      <fieldset>
        <legend>How often</legend>
        <label class="check">
          <input type="radio" name="frequency" value="daily" checked={v.prefs.frequency === "daily"} /> Daily, on weekdays, after the day's papers are in
        </label>
        <label class="check">
          <input type="radio" name="frequency" value="weekly" checked={v.prefs.frequency === "weekly"} /> Weekly, on Mondays
        </label>
      </fieldset>
      <fieldset>
        <legend>What goes in</legend>
        <label class="check">
          <input type="checkbox" name="trending" value="1" checked={v.prefs.trending} /> Trending papers
        </label>
        {p.forYou && (
          <label class="check">
            <input type="checkbox" name="for_you" value="1" checked={v.prefs.forYou} /> For you: papers like the ones you upvoted or submitted
          </label>
        )}
        <label class="check">
          <input type="checkbox" name="topics_on" value="1" checked={v.prefs.topics} /> Topic alerts (below)
        </label>
        <label class="check">
          <input type="checkbox" name="authors_on" value="1" checked={v.prefs.authors} /> Authors I follow (below)
        </label>
      </fieldset>
      <label for="dg-topics">Topic alerts: one search per line, optionally with arXiv categories in brackets</label>
      <textarea id="dg-topics" name="topics" rows={4} maxLength={4000} placeholder={"diffusion models\nretrieval augmented generation [cs.CL, cs.IR]"} aria-describedby="dg-topics-hint" value={v.topics.map(topicLine).join("\n")} />
      <small id="dg-topics-hint">Up to 20 searches. New papers that match are in your digest.</small>
      <label for="dg-authors">Authors to follow: one name per line</label>
      <textarea id="dg-authors" name="authors" rows={3} maxLength={4000} placeholder={"Yann LeCun\nFei-Fei Li"} value={v.authors.join("\n")} />
    </>
  );
}

/**
 * What the link that opened the form added to it: a topic alert (the search page's "Email
 * alert"), an author to follow (an author page's "Follow by email").
 */
export interface Suggested {
  topic: Topic | null;
  author: string | null;
}

function SuggestedNotice({ s }: { s: Suggested | undefined }): VNode | null {
  if (!s || (!s.topic && !s.author)) return null;
  return (
    <>
      {s.topic && <Notice>The topic alert “{topicLine(s.topic)}” is added below. Check the form, then save it.</Notice>}
      {s.author && <Notice>{s.author} is added below to the authors you follow. Check the form, then save it.</Notice>}
    </>
  );
}

export function SubscribePage(p: { csrf: string; error?: string | null; email?: string; values: SettingsValues; suggested?: Suggested }): VNode {
  return (
    <section class="auth-page">
      <h1>Get papers in your inbox</h1>
      <p class="intro">Trending papers, your topic alerts and the authors you follow, by email. We send a link to confirm your address first; every email has a one-click unsubscribe.</p>
      <p class="muted">
        Have an account? <a href="/login?next=/digests/settings">Log in</a> to also get papers picked for you from your upvotes.
      </p>
      <SuggestedNotice s={p.suggested} />
      <FormError message={p.error} />
      <form method="post" action="/subscribe" class="stack-form">
        <CsrfField token={p.csrf} />
        <label for="dg-email">Email</label>
        <input id="dg-email" name="email" type="email" required maxLength={254} autoComplete="email" value={p.email ?? ""} />
        <Choices values={p.values} forYou={false} />
        <button type="submit" class="btn primary">Subscribe</button>
      </form>
    </section>
  );
}

export function CheckInboxPage({ email }: { email: string }): VNode {
  return CheckInbox({ email, linkDoes: "confirm your subscription", hint: "Nothing is sent to this address until the link is used." });
}

export function ConfirmPage(p: { csrf: string; token: string; email: string }): VNode {
  return (
    <section class="auth-page">
      <h1>Confirm your subscription</h1>
      <p>
        Start sending Daily Papers digests to <strong>{p.email}</strong>?
      </p>
      <form method="post" action="/digests/confirm" class="stack-form">
        <CsrfField token={p.csrf} />
        <input type="hidden" name="token" value={p.token} />
        <button type="submit" class="btn primary">Confirm my subscription</button>
      </form>
    </section>
  );
}

export function ConfirmedPage({ email, manageUrl }: { email: string; manageUrl: string }): VNode {
  return (
    <section class="auth-page">
      <h1>You are subscribed</h1>
      <Notice>
        Digests will go to <strong>{email}</strong>.
      </Notice>
      <p>
        <a href={manageUrl}>Change what you receive</a> at any time; the same link is in every digest.
      </p>
    </section>
  );
}

export function SettingsPage(p: {
  csrf: string;
  action: string;
  token?: string;
  email: string;
  status: string | null;
  values: SettingsValues;
  forYou: boolean;
  saved?: boolean;
  error?: string | null;
  blocked?: string | null;
  unsubscribeUrl?: string | null;
  suggested?: Suggested;
}): VNode {
  const active = p.status === "active";
  return (
    <section class="auth-page">
      <h1>Email digest</h1>
      {p.saved && <Notice>Saved.</Notice>}
      <SuggestedNotice s={p.suggested} />
      <FormError message={p.error} />
      <p>
        Digests go to <strong>{p.email}</strong>
        {p.status === null ? ": you are not subscribed yet." : active ? "." : p.status === "bounced" ? ": stopped, because this address refused our mail." : ": stopped."}
      </p>
      {p.blocked ? (
        <p class="form-error" role="alert">{p.blocked}</p>
      ) : (
        <form method="post" action={p.action} class="stack-form">
          <CsrfField token={p.csrf} />
          {p.token && <input type="hidden" name="token" value={p.token} />}
          <Choices values={p.values} forYou={p.forYou} />
          <button type="submit" class="btn primary">{active ? "Save" : "Save and subscribe"}</button>
        </form>
      )}
      {active && p.unsubscribeUrl && (
        <p>
          <a href={p.unsubscribeUrl}>Stop a section, or every email</a>
        </p>
      )}
    </section>
  );
}

export function UnsubscribePage(p: { token: string; email: string; enabled: SectionKind[]; status: string; done?: string | null; manageUrl: string }): VNode {
  const stopped = p.status !== "active";
  return (
    <section class="auth-page">
      <h1>Unsubscribe</h1>
      {p.done && <Notice>{p.done}</Notice>}
      {stopped ? (
        <p>
          No more digests go to <strong>{p.email}</strong>. Changed your mind? <a href={p.manageUrl}>Subscribe again</a>.
        </p>
      ) : (
        <>
          <p>
            Digests go to <strong>{p.email}</strong>. Stop everything, or only one section:
          </p>
          <form method="post" action={`/digests/unsubscribe?token=${encodeURIComponent(p.token)}`} class="stack-form">
            <input type="hidden" name="what" value="all" />
            <button type="submit" class="btn primary">Stop every email</button>
          </form>
          {p.enabled.map((s) => (
            <form method="post" action={`/digests/unsubscribe?token=${encodeURIComponent(p.token)}`} class="button-form">
              <input type="hidden" name="what" value={s} />
              <button type="submit" class="btn">Stop only "{SECTION_TITLES[s]}"</button>
            </form>
          ))}
          <p>
            <a href={p.manageUrl}>Change other settings</a>
          </p>
        </>
      )}
    </section>
  );
}
