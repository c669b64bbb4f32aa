/* policydocs redline: switch between the inline and side-by-side views
   (both are in the page; without JavaScript both stay visible). A link to an
   anchor inside the hidden view (a change permalink, a move's other end) shows
   that view first. Works on a plain page and under Material's instant navigation
   (document$), and never sets up one redline twice. */
(function () {
  "use strict";
  function setUp(root) {
    if (root.getAttribute("data-pd-ready")) return;
    root.setAttribute("data-pd-ready", "1");
    var views = root.querySelectorAll("[data-pd-view]");
    var buttons = root.querySelectorAll("[data-pd-show]");
    if (!buttons.length) return;
    function show(name) {
      views.forEach(function (v) { v.classList.toggle("pd-hidden", v.getAttribute("data-pd-view") !== name); });
      buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-pd-show") === name)); });
    }
    buttons.forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { show(b.getAttribute("data-pd-show")); });
    });
    root.pdShow = show;
    show("inline");
  }
  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var view = target.closest("[data-pd-view]");
    var root = target.closest(".pd-redline");
    if (view && root && root.pdShow && view.classList.contains("pd-hidden")) {
      root.pdShow(view.getAttribute("data-pd-view"));
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
