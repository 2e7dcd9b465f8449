/** Sign-up, log-in, email confirmation, password reset and settings pages. */
import type { VNode } from "preact";
import { CheckInbox, CsrfField, FormError, Notice } from "./forms.views.js";

export function SignupPage(p: { csrf: string; error?: string | null; values?: { username?: string; email?: string } }): VNode {
  return (
    <section class="auth-page">
      <h1>Sign up</h1>
      <p class="intro">Join to submit papers, upvote and discuss. We will email you a link to confirm your address.</p>
      <FormError message={p.error} />
      <form method="post" action="/signup" class="stack-form">
        <CsrfField token={p.csrf} />
        <label for="su-username">Username</label>
        <input id="su-username" name="username" required minLength={3} maxLength={30} pattern="[A-Za-z0-9][A-Za-z0-9_\-]{2,29}" autoComplete="username" value={p.values?.username ?? ""} aria-describedby="su-username-hint" />
        <small id="su-username-hint">3 to 30 letters, digits, - or _. Shown on your profile and comments.</small>
        <label for="su-email">Email</label>
        <input id="su-email" name="email" type="email" required maxLength={254} autoComplete="email" value={p.values?.email ?? ""} />
        <label for="su-password">Password</label>
        <input id="su-password" name="password" type="password" required minLength={10} maxLength={200} autoComplete="new-password" aria-describedby="su-password-hint" />
        <small id="su-password-hint">At least 10 characters.</small>
        <button type="submit" class="btn primary">Sign up</button>
      </form>
      <p>Already have an account? <a href="/login">Log in</a>.</p>
    </section>
  );
}

export function CheckInboxPage({ email }: { email: string }): VNode {
  return CheckInbox({ email, linkDoes: "finish signing up", hint: <>Nothing arrived after a few minutes? Look in the spam folder, or <a href="/signup">sign up again</a>.</> });
}

export function LoginPage(p: { csrf: string; error?: string | null; login?: string; next?: string; notice?: string | null }): VNode {
  return (
    <section class="auth-page">
      <h1>Log in</h1>
      {p.notice && <Notice>{p.notice}</Notice>}
      <FormError message={p.error} />
      <form method="post" action="/login" class="stack-form">
        <CsrfField token={p.csrf} />
        {p.next && <input type="hidden" name="next" value={p.next} />}
        <label for="li-login">Username or email</label>
        <input id="li-login" name="login" required maxLength={254} autoComplete="username" value={p.login ?? ""} />
        <label for="li-password">Password</label>
        <input id="li-password" name="password" type="password" required maxLength={200} autoComplete="current-password" />
        <button type="submit" class="btn primary">Log in</button>
      </form>
      <p>
        <a href="/forgot">Forgot your password?</a> · New here? <a href="/signup">Sign up</a>.
      </p>
    </section>
  );
}

export function ConfirmPage(p: { csrf: string; token: string; username: string }): VNode {
  return (
    <section class="auth-page">
      <h1>Confirm your email</h1>
      <p>Confirm the address of <strong>{p.username}</strong> and log in.</p>
      <form method="post" action="/confirm" class="stack-form">
        <CsrfField token={p.csrf} />
        <input type="hidden" name="token" value={p.token} />
        <button type="submit" class="btn primary">Confirm my email</button>
      </form>
    </section>
  );
}

export function ForgotPage(p: { csrf: string; sent?: boolean; error?: string | null }): VNode {
  return (
    <section class="auth-page">
      <h1>Reset your password</h1>
      {p.sent ? (
        <Notice>If an account has that address, we sent it a link to choose a new password. The link works for one hour.</Notice>
      ) : (
        <>
          <FormError message={p.error} />
          <form method="post" action="/forgot" class="stack-form">
            <CsrfField token={p.csrf} />
            <label for="fp-email">Email of your account</label>
            <input id="fp-email" name="email" type="email" required maxLength={254} autoComplete="email" />
            <button type="submit" class="btn primary">Email me a link</button>
          </form>
        </>
      )}
    </section>
  );
}

export function ResetPage(p: { csrf: string; token: string; username: string; error?: string | null }): VNode {
  return (
    <section class="auth-page">
      <h1>Choose a new password</h1>
      <p>For <strong>{p.username}</strong>.</p>
      <FormError message={p.error} />
      <form method="post" action="/reset" class="stack-form">
        <CsrfField token={p.csrf} />
        <input type="hidden" name="token" value={p.token} />
        <input type="text" name="username" value={p.username} autoComplete="username" hidden />
        <label for="rp-password">New password</label>
        <input id="rp-password" name="password" type="password" required minLength={10} maxLength={200} autoComplete="new-password" />
        <button type="submit" class="btn primary">Save and log in</button>
      </form>
    </section>
  );
}

export function SettingsPage(p: {
  csrf: string; email: string; confirmed: boolean; notifyByEmail: boolean; displayName: string; saved: boolean; error?: string | null;
  passwordChanged?: boolean; passwordError?: string | null; deleteError?: string | null;
}): VNode {
  return (
    <section class="auth-page">
      <h1>Settings</h1>
      {p.saved && <Notice>Saved.</Notice>}
      <FormError message={p.error} />
      <form method="post" action="/settings" class="stack-form">
        <CsrfField token={p.csrf} />
        <label for="st-name">Display name</label>
        <input id="st-name" name="display_name" required maxLength={60} value={p.displayName} />
        <p>
          Email: <strong>{p.email}</strong> {p.confirmed ? "(confirmed)" : "(not confirmed)"}
        </p>
        <label class="check">
          <input type="checkbox" name="notify_by_email" value="1" checked={p.notifyByEmail} /> Email me when someone mentions me or replies to my comments
        </label>
        <button type="submit" class="btn primary">Save</button>
      </form>
      <p>
        <a href="/digests/settings">Email digest</a>: trending papers, papers for you, topic alerts and authors you follow.
      </p>
      <p>
        <a href="/settings/export" download>Download your data</a>: your account, upvotes, submissions, comments, collections and digest
        settings, as one JSON file.
      </p>
      <h2 id="password">Password</h2>
      {p.passwordChanged && <Notice>Your password is changed. Every other device where you were logged in is logged out.</Notice>}
      <FormError message={p.passwordError} />
      <form method="post" action="/settings/password" class="stack-form">
        <CsrfField token={p.csrf} />
        {/* Lets password managers tie the new password to this account. */}
        <input type="hidden" name="username" autoComplete="username" value={p.email} />
        <label for="st-current">Current password</label>
        <input id="st-current" name="current_password" type="password" required autoComplete="current-password" />
        <label for="st-new">New password</label>
        <input id="st-new" name="new_password" type="password" required minLength={10} maxLength={200} autoComplete="new-password" aria-describedby="st-new-hint" />
        <small id="st-new-hint">At least 10 characters. Other devices are logged out.</small>
        <button type="submit" class="btn">Change password</button>
      </form>
      <h2 id="delete">Delete your account</h2>
      <FormError message={p.deleteError} />
      <details class="danger-zone" open={Boolean(p.deleteError)}>
        <summary>Delete your account and what you wrote</summary>
        <p>
          Your comments' text, your upvotes, collections, digest subscription and notifications are deleted, and you are logged out
          everywhere. Papers you submitted stay in the feed without your name. This cannot be undone.
        </p>
        <form method="post" action="/settings/delete" class="stack-form" data-confirm="Delete your account? This cannot be undone.">
          <CsrfField token={p.csrf} />
          <label for="st-delete-password">Your password</label>
          <input id="st-delete-password" name="password" type="password" required autoComplete="current-password" />
          <button type="submit" class="btn danger">Delete my account</button>
        </form>
      </details>
    </section>
  );
}
