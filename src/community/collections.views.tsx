/** Collections: your list of them, one collection's page, and "Save" on a paper page. */
import type { VNode } from "preact";
import type { CollectionRow } from "../db/schema.js";
import type { FeedEntry } from "../papers/feed.queries.js";
import type { PaperRow } from "../db/schema.js";
import { PaperCard } from "../papers/papers.views.js";
import { ButtonForm, CsrfField, FormError } from "./forms.views.js";
import type { VoteState } from "./votes.views.js";
import type { CollectionSummary } from "./collections.queries.js";

export const collectionPath = (id: number) => `/collections/${id}`;

function Visibility({ isPublic }: { isPublic: boolean }): VNode {
  return <span class={`badge ${isPublic ? "" : "private"}`.trim()}>{isPublic ? "public" : "private"}</span>;
}

function count(n: number): string {
  return `${n} ${n === 1 ? "paper" : "papers"}`;
}

/** The fields of a collection, empty to create one or filled to edit it. */
function CollectionFields({ value, idPrefix }: { value?: { name: string; description: string; isPublic: boolean }; idPrefix: string }): VNode {
  const isPublic = value?.isPublic ?? false;
  return (
    <>
      <label for={`${idPrefix}-name`}>Name</label>
      <input id={`${idPrefix}-name`} name="name" required maxLength={100} value={value?.name ?? ""} autoComplete="off" />
      <label for={`${idPrefix}-description`}>Description (optional)</label>
      <input id={`${idPrefix}-description`} name="description" maxLength={500} value={value?.description ?? ""} autoComplete="off" />
      <fieldset class="inline-choices">
        <legend>Who can see it</legend>
        <label><input type="radio" name="visibility" value="public" checked={isPublic} /> Anyone (shown on your profile)</label>
        <label><input type="radio" name="visibility" value="private" checked={!isPublic} /> Only you</label>
      </fieldset>
    </>
  );
}

export function CollectionList({ collections, empty }: { collections: CollectionSummary[]; empty: string }): VNode {
  if (collections.length === 0) return <p class="empty">{empty}</p>;
  return (
    <ul class="collection-list">
      {collections.map((c) => (
        <li>
          <a href={collectionPath(c.id)}>{c.name}</a> <span class="muted">· {count(c.papers)}</span> {c.public === 0 && <Visibility isPublic={false} />}
          {c.description && <p class="muted">{c.description}</p>}
        </li>
      ))}
    </ul>
  );
}

export function CollectionsPage(p: { collections: CollectionSummary[]; csrf: string; error?: string | null; value?: { name: string; description: string; isPublic: boolean } }): VNode {
  return (
    <section>
      <h1>Your collections</h1>
      <p class="intro">Keep papers in named lists: to read later, for a reading group, on a topic. Save a paper from its page. Papers you save also shape the "for you" part of your digest.</p>
      <CollectionList collections={p.collections} empty="No collections yet." />
      <h2>New collection</h2>
      <FormError message={p.error} />
      <form method="post" action="/collections" class="stack-form">
        <CsrfField token={p.csrf} />
        <CollectionFields value={p.value} idPrefix="nc" />
        <button type="submit" class="btn primary">Create</button>
      </form>
    </section>
  );
}

export interface CollectionPageProps {
  collection: CollectionRow;
  owner: { username: string; displayName: string };
  items: Array<{ paper: PaperRow; entry: FeedEntry | null }>;
  total: number;
  page: number;
  hasMore: boolean;
  vote: (paperId: number) => VoteState | undefined;
  /** The owner's tools (edit, remove, delete), or null for everyone else. */
  manage: { csrf: string } | null;
}

export function CollectionPage(p: CollectionPageProps): VNode {
  const c = p.collection;
  const self = collectionPath(c.id);
  const here = p.page > 0 ? `${self}?p=${p.page}` : self;
  return (
    <section>
      <h1>{c.name}</h1>
      <p class="muted">
        A collection by <a href={`/u/${p.owner.username}`}>{p.owner.displayName}</a> · {count(p.total)} · <Visibility isPublic={c.public === 1} />
        {p.total > 0 && <> · <a href={`${self}.bib`} title="Every paper of this collection as BibTeX entries">BibTeX</a></>}
      </p>
      {c.description && <p class="intro">{c.description}</p>}
      {p.items.length === 0 ? (
        <p class="empty">{p.manage ? "Nothing here yet. Save papers to this collection from their pages." : "This collection is empty."}</p>
      ) : (
        <ol class="cards">
          {p.items.map((it) => (
            <li>
              <PaperCard paper={it.paper} entry={it.entry} vote={p.vote(it.paper.id)} returnTo={here} />
              {p.manage && (
                <ButtonForm action={`${self}/papers`} csrf={p.manage.csrf} label="Remove from this collection" class="card-tool"
                  fields={{ paper: it.paper.arxiv_id, action: "remove", return_to: here }} />
              )}
            </li>
          ))}
        </ol>
      )}
      {(p.page > 0 || p.hasMore) && (
        <nav class="pager" aria-label="Pages">
          {p.page > 0 && <a class="btn" href={p.page === 1 ? self : `${self}?p=${p.page - 1}`}>← Newer</a>}
          {p.hasMore && <a class="btn" href={`${self}?p=${p.page + 1}`}>Older →</a>}
        </nav>
      )}
      {p.manage && (
        <details class="mod-tools">
          <summary>Edit this collection</summary>
          <form method="post" action={self} class="stack-form">
            <CsrfField token={p.manage.csrf} />
            <CollectionFields value={{ name: c.name, description: c.description, isPublic: c.public === 1 }} idPrefix="ec" />
            <button type="submit" class="btn">Save changes</button>
          </form>
          <ButtonForm action={`${self}/delete`} csrf={p.manage.csrf} label="Delete this collection" confirm="Delete this collection? The papers stay on the site." />
        </details>
      )}
    </section>
  );
}

/** "Save" on a paper page: into one of the viewer's collections, or a new one. */
export function SaveToCollection(p: { arxivId: string; csrf: string; collections: Array<{ id: number; name: string; holds: boolean }> }): VNode {
  const holding = p.collections.filter((c) => c.holds);
  const others = p.collections.filter((c) => !c.holds);
  const back = `/papers/${p.arxivId}`;
  return (
    <section class="save-to" aria-labelledby="save-h">
      <h2 id="save-h">Collections</h2>
      {holding.length > 0 && (
        <ul class="collection-list">
          {holding.map((c) => (
            <li>
              Saved in <a href={collectionPath(c.id)}>{c.name}</a>{" "}
              <ButtonForm action={`${collectionPath(c.id)}/papers`} csrf={p.csrf} label="Remove" class="inline"
                fields={{ paper: p.arxivId, action: "remove", return_to: back }} />
            </li>
          ))}
        </ul>
      )}
      <form method="post" action="/collections/save" class="inline-form">
        <CsrfField token={p.csrf} />
        <input type="hidden" name="paper" value={p.arxivId} />
        <input type="hidden" name="return_to" value={back} />
        <label for="save-collection">Save to</label>
        <select id="save-collection" name="collection">
          {others.map((c) => <option value={String(c.id)}>{c.name}</option>)}
          <option value="new">a new collection named…</option>
        </select>
        <label for="save-name" class="visually-hidden">Name of the new collection</label>
        <input id="save-name" name="name" maxLength={100} placeholder="Name of a new collection" autoComplete="off" />
        <button type="submit" class="btn">Save</button>
      </form>
    </section>
  );
}
