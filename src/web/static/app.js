// Daily Papers: small progressive enhancements. Every page works without this script.
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  // "/" jumps to the search box; Escape leaves it.
  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    var q = document.getElementById("site-q");
    if (!q) return;
    if (e.key === "/" && !typing(document.activeElement)) {
      e.preventDefault();
      q.focus();
      q.select();
    } else if (e.key === "Escape" && document.activeElement === q) {
      q.blur();
    }
  });
})();
