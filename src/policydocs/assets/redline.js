/* policydocs redline: switch between the views of a redline (the document with its
   changes, side by side); the chosen view is kept in the URL (?view=sides), so a
   reload or a shared link opens it. Without JavaScript every view stays visible. A
   link to an anchor inside a hidden view (a change permalink, a move's other end)
   shows that view first. Works on a plain page and under Material's instant
   navigation (document$), and never sets up one redline twice. */
(function () {
  "use strict";
  function wanted() {
    try { return new URLSearchParams(window.location.search).get("view"); } catch (e) { return null; }
  }
  function remember(name) {
    try {
      var url = new URL(window.location.href);
      if (name === "inline") { url.searchParams.delete("view"); } else { url.searchParams.set("view", name); }
      window.history.replaceState(window.history.state, "", url.toString());
    } catch (e) { /* file:// or an old browser: the view is not kept */ }
  }
  function setUp(root) {
    if (root.getAttribute("data-pd-ready")) return;
    root.setAttribute("data-pd-ready", "1");
    var views = root.querySelectorAll("[data-pd-view]");
    var buttons = root.querySelectorAll("[data-pd-show]");
    if (!buttons.length) return;
    var names = Array.prototype.map.call(buttons, function (b) { return b.getAttribute("data-pd-show"); });
    function show(name, keep) {
      views.forEach(function (v) { v.classList.toggle("pd-hidden", v.getAttribute("data-pd-view") !== name); });
      buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-pd-show") === name)); });
      if (keep) remember(name);
    }
    buttons.forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { show(b.getAttribute("data-pd-show"), true); });
    });
    root.pdShow = show;
    var first = wanted();
    show(names.indexOf(first) >= 0 ? first : names[0], false);
  }
  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var view = target.closest("[data-pd-view]");
    var root = target.closest(".pd-redline");
    if (view && root && root.pdShow && view.classList.contains("pd-hidden")) {
      root.pdShow(view.getAttribute("data-pd-view"), true);
      target.scrollIntoView();
    }
  }
  function scan() {
    document.querySelectorAll(".pd-redline").forEach(setUp);
    reveal();
  }
  window.addEventListener("hashchange", reveal);
  if (window.document$ && window.document$.subscribe) { window.document$.subscribe(scan); }
  else if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", scan); }
  else { scan(); }
})();
