/* policydocs redline: switch between the views of a redline (the document with its
   changes, side by side); the chosen view is kept in the URL (?view=sides), so a
   reload or a shared link opens it. The page carries the redline once: the
   side-by-side view is built here from the document with changes (each changed block
   twice: without its insertions, the old side; without its deletions, the new side;
   unchanged blocks counted). Without JavaScript the document with changes shows. A
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
  function side(block, drop) {
    var copy = block.cloneNode(true);
    copy.querySelectorAll(drop + ", .pd-move-link").forEach(function (e) { e.remove(); });
    if (copy.matches && copy.matches(drop === "ins" ? ".pd-ins-block" : ".pd-del-block")) return null;
    if (!copy.textContent.trim() && !copy.querySelector("img")) return null;  // all of it was inserted (deleted)
    [copy].concat(Array.prototype.slice.call(copy.querySelectorAll("[id]"))).forEach(function (e) {
      e.removeAttribute("id");  // ids stay on the document with changes: links land there
    });
    return copy;
  }
  function cell(cls, node) {
    var div = document.createElement("div");
    div.className = "pd-side " + cls;
    if (node) div.appendChild(node);
    return div;
  }
  function row(cls) {
    var div = document.createElement("div");
    div.className = "pd-side-row" + (cls ? " " + cls : "");
    return div;
  }
  function buildSides(root) {
    var target = root.querySelector('[data-pd-build="inline"]');
    var text = root.querySelector(".pd-inline .pd-text");
    if (!target || !text || target.getAttribute("data-pd-built")) return;
    target.setAttribute("data-pd-built", "1");
    var head = row("pd-side-head");
    head.appendChild(cell("", document.createTextNode("Before")));
    head.appendChild(cell("", document.createTextNode("Now")));
    var rows = [head], skipped = 0, waiting = [];  // rows with an old side still facing nothing
    function skip() {
      if (!skipped) return;
      var note = document.createElement("div");
      note.className = "pd-skip";
      note.textContent = "\u22ef " + skipped + " unchanged paragraph" + (skipped === 1 ? "" : "s");
      rows.push(note);
      skipped = 0;
    }
    Array.prototype.forEach.call(text.children, function (block) {
      var changed = block.matches(".pd-del-block, .pd-ins-block") || block.querySelector("ins, del");
      if (!changed) { skipped += 1; waiting = []; return; }
      skip();
      var old = side(block, "ins"), now = side(block, "del");
      if (!old && now && waiting.length) {  // deleted blocks, then what replaced them: face to face
        waiting.shift().querySelector(".pd-new").appendChild(now);
        return;
      }
      var r = row("");
      r.appendChild(cell("pd-old", old));
      r.appendChild(cell("pd-new", now));
      rows.push(r);
      if (old && !now) { waiting.push(r); } else { waiting = []; }
    });
    skip();
    target.textContent = "";
    rows.forEach(function (r) { target.appendChild(r); });
  }
  function setUp(root) {
    if (root.getAttribute("data-pd-ready")) return;
    root.setAttribute("data-pd-ready", "1");
    buildSides(root);
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
