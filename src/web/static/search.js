// Search as you type: the results are re-rendered by the server (same ranking, same
// highlighting) and swapped in without a page reload. Without JavaScript the form submits.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var results = document.getElementById("search-results");
  if (!form || !results || !window.fetch || !window.DOMParser || !window.URLSearchParams || !window.FormData) return;
  var timer = 0;
  var inflight = null;
  var last = window.location.search;

  function query() {
    var params = new window.URLSearchParams(new window.FormData(form));
    // Empty filters stay out of the address.
    Array.from(params.keys()).forEach(function (k) {
      if (!params.get(k) || (k === "sort" && params.get(k) === "relevance")) params.delete(k);
    });
    var s = params.toString();
    return s ? "?" + s : "";
  }

  function run() {
    var qs = query();
    if (qs === last) return;
    last = qs;
    if (inflight) inflight.abort();
    inflight = new AbortController();
    results.setAttribute("aria-busy", "true");
    fetch("/search" + qs, { signal: inflight.signal, headers: { accept: "text/html" } })
      .then(function (res) {
        // A paper id redirects to the paper: follow it like a submit would.
        if (res.redirected && !/\/search(\?|$)/.test(new URL(res.url).pathname + "?")) {
          window.location.href = res.url;
          return null;
        }
        return res.text();
      })
      .then(function (html) {
        if (html === null) return;
        var doc = new window.DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("search-results");
        if (!fresh) return;
        results.innerHTML = fresh.innerHTML;
        // The alert and feed links follow the query too.
        var links = document.getElementById("search-links");
        var freshLinks = doc.getElementById("search-links");
        if (links && freshLinks) links.innerHTML = freshLinks.innerHTML;
        window.history.replaceState(null, "", "/search" + qs);
        document.title = doc.title;
      })
      .catch(function () { /* aborted or offline: the form still works */ })
      .finally(function () { results.removeAttribute("aria-busy"); });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(run, 180);
  }

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  form.addEventListener("submit", function (e) {
    // Paper ids and URLs go through a real navigation (the server redirects to the paper).
    var q = (form.elements.namedItem("q") || {}).value || "";
    if (/^(arxiv:)?\d{4}\.\d{4,5}(v\d+)?$|arxiv\.org\//i.test(q.trim())) return;
    e.preventDefault();
    clearTimeout(timer);
    last = null;
    run();
  });
})();
