/** The public moderation log. */
import type { VNode } from "preact";
import type { LogRow } from "./moderation.queries.js";
import { CsrfField } from "./forms.views.js";

const ACTIONS: Record<string, string> = {
  hide_paper: "hid paper",
  unhide_paper: "restored paper",
  hide_comment: "hid comment",
  unhide_comment: "restored comment",
  ban_user: "banned",
  unban_user: "lifted the ban of",
  feature_paper: "featured",
};

export function ModerationLogPage(p: { rows: LogRow[]; page: number; hasMore: boolean; csrf: string | null }): VNode {
  return (
    <section>
      <h1>Moderation log</h1>
      <p class="intro">Every action curators and admins take, in public: what, on what, by whom and why.</p>
      {p.rows.length === 0 ? (
        <p class="empty">Nothing yet.</p>
      ) : (
        <div class="table-scroll">
          <table class="log-table">
            <thead>
              <tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Reason</th></tr>
            </thead>
            <tbody>
              {p.rows.map((r) => (
                <tr>
                  <td><time dateTime={r.createdAt}>{r.createdAt.slice(0, 16).replace("T", " ")}</time></td>
                  <td>{r.moderator ? <a href={`/u/${r.moderator}`}>{r.moderator}</a> : "(deleted)"}</td>
                  <td>
                    {ACTIONS[r.action] ?? r.action}{" "}
                    {r.targetKind === "user" ? <a href={`/u/${r.targetLabel}`}>{r.targetLabel}</a> : r.paperArxivId ? <a href={`/papers/${r.paperArxivId}${r.targetKind === "comment" ? `#c${r.targetId}` : ""}`}>{r.targetLabel}</a> : r.targetLabel}
                    {p.csrf && r.action === "hide_paper" && r.paperArxivId && (
                      <form method="post" action={`/moderate/paper/${r.paperArxivId}`} class="button-form">
                        <CsrfField token={p.csrf} />
                        <input type="hidden" name="action" value="unhide" />
                        <input type="hidden" name="reason" value="restored from the log" />
                        <button type="submit" class="btn">Restore</button>
                      </form>
                    )}
                  </td>
                  <td>{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(p.page > 0 || p.hasMore) && (
        <nav class="pager" aria-label="Pages">
          {p.page > 0 && <a class="btn" href={`/moderation?p=${p.page - 1}`}>← Newer</a>}
          {p.hasMore && <a class="btn" href={`/moderation?p=${p.page + 1}`}>Older →</a>}
        </nav>
      )}
    </section>
  );
}
