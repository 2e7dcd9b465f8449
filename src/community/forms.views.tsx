/** Pieces every community form uses: the CSRF field, an error box, a notice. */
import type { ComponentChildren, VNode } from "preact";
import { CSRF_FIELD } from "./csrf.js";

export function CsrfField({ token }: { token: string }): VNode {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

export function FormError({ message }: { message: string | null | undefined }): VNode | null {
  if (!message) return null;
  return (
    <p class="form-error" role="alert">
      {message}
    </p>
  );
}

export function Notice({ children }: { children: ComponentChildren }): VNode {
  return (
    <p class="form-notice" role="status">
      {children}
    </p>
  );
}

/** "Check your inbox" after a form that mails a link: which address, what the link does, and a hint. */
export function CheckInbox(p: { email: string; linkDoes: string; hint: ComponentChildren }): VNode {
  return (
    <section class="auth-page">
      <h1>Check your inbox</h1>
      <Notice>
        We sent a message to <strong>{p.email}</strong>. Follow the link in it to {p.linkDoes}.
      </Notice>
      <p class="muted">{p.hint}</p>
    </section>
  );
}

/** A form that posts one action as a single button (log out, hide, ban, ...). */
export function ButtonForm(p: { action: string; csrf: string; label: string; fields?: Record<string, string>; class?: string; confirm?: string }): VNode {
  return (
    <form method="post" action={p.action} class={`button-form ${p.class ?? ""}`.trim()} data-confirm={p.confirm}>
      <CsrfField token={p.csrf} />
      {Object.entries(p.fields ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button type="submit" class="btn">{p.label}</button>
    </form>
  );
}
