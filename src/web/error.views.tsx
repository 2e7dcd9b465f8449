import type { VNode } from "preact";

export function ErrorPage({ status, message, requestId }: { status: number; message: string; requestId: string | null }): VNode {
  return (
    <section class="error-page">
      <p class="error-code">{status}</p>
      <h1>{status === 404 ? "Page not found" : status === 400 ? "That request did not work" : "Something went wrong"}</h1>
      <p>{message}</p>
      {requestId && <p class="muted">If this keeps happening, quote request id <code>{requestId}</code>.</p>}
      <p>
        <a class="btn" href="/papers">Today's papers</a> <a class="btn" href="/search">Search</a>
      </p>
    </section>
  );
}
