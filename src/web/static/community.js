/* global location, FormData, DOMParser, HTMLFormElement, URLSearchParams */
// Daily Papers: voting and commenting in place. Every form also works without this script:
// it posts the same form with fetch (asking for JSON, with the CSRF token in a header) and
// updates the page instead of reloading it. Any failure falls back to a normal submit.
(function () {
  "use strict";

  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }

  function post(form) {
    return fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded", "x-csrf-token": csrf() },
      body: new URLSearchParams(new FormData(form)).toString(),
    }).then(function (res) {
      return res.json().then(function (body) {
        return { status: res.status, body: body };
      });
    });
  }

  function announce(text) {
    var live = document.getElementById("community-live");
    if (!live) {
      live = document.createElement("div");
      live.id = "community-live";
      live.className = "visually-hidden-live";
      live.setAttribute("aria-live", "polite");
      document.body.appendChild(live);
    }
    live.textContent = text;
  }

  function showError(form, message) {
    var box = form.querySelector(".form-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "form-error";
      box.setAttribute("role", "alert");
      form.insertBefore(box, form.firstChild);
    }
    box.textContent = message;
  }

  function onVote(form) {
    var button = form.querySelector("button");
    button.disabled = true;
    post(form)
      .then(function (r) {
        if (r.status === 401) return void (location.href = "/login?next=" + encodeURIComponent(location.pathname));
        if (r.status !== 200) return void announce(r.body.error || "The vote did not go through.");
        // Every button for this paper on the page (a card and a profile list may both show it).
        var forms = document.querySelectorAll('form[data-vote][action="' + form.getAttribute("action") + '"]');
        for (var i = 0; i < forms.length; i++) {
          forms[i].querySelector(".count").textContent = String(r.body.upvotes);
          forms[i].querySelector("button").setAttribute("aria-pressed", r.body.upvoted ? "true" : "false");
          forms[i].querySelector('input[name="vote"]').value = r.body.upvoted ? "0" : "1";
          var box = forms[i].closest(".votes");
          if (box && box.hasAttribute("aria-label")) box.setAttribute("aria-label", r.body.upvotes + " upvotes");
        }
        announce(r.body.upvoted ? "Upvoted" : "Upvote removed");
      })
      .catch(function () {
        form.submit();
      })
      .then(function () {
        button.disabled = false;
      });
  }

  // After a comment is posted, edited or removed, the discussion is fetched again and swapped
  // in: the server renders the thread, so it looks exactly as after a reload.
  function refreshDiscussion(focusId) {
    return fetch(location.pathname, { credentials: "same-origin", headers: { accept: "text/html" } })
      .then(function (res) { return res.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("discussion");
        var current = document.getElementById("discussion");
        if (!fresh || !current) return void location.reload();
        current.replaceWith(fresh);
        var target = focusId ? document.getElementById(focusId) : fresh;
        if (target) {
          target.setAttribute("tabindex", "-1");
          target.focus();
        }
      });
  }

  function onComment(form) {
    var button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    post(form)
      .then(function (r) {
        if (r.status === 401) return void (location.href = "/login?next=" + encodeURIComponent(location.pathname));
        if (r.status >= 400) {
          showError(form, r.body.error || "That did not work.");
          if (button) button.disabled = false;
          return;
        }
        var id = r.body.comment ? "c" + r.body.comment.id : (form.closest(".comment") || {}).id;
        announce("Saved");
        return refreshDiscussion(id);
      })
      .catch(function () {
        form.submit();
      });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) return void e.preventDefault();
    if (!window.fetch || !window.URLSearchParams) return;
    if (form.hasAttribute("data-vote")) {
      e.preventDefault();
      onVote(form);
    } else if (form.hasAttribute("data-comment-form") || (form.closest("#discussion") && form.classList.contains("button-form"))) {
      e.preventDefault();
      onComment(form);
    }
  });
})();
