/* policydocs redline: switch between the inline and side-by-side views
   (both are in the page; without JavaScript both stay visible). */
document.querySelectorAll(".pd-redline").forEach(function (root) {
  var views = root.querySelectorAll("[data-pd-view]");
  var buttons = root.querySelectorAll("[data-pd-show]");
  function show(name) {
    views.forEach(function (v) { v.classList.toggle("pd-hidden", v.getAttribute("data-pd-view") !== name); });
    buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-pd-show") === name)); });
  }
  buttons.forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { show(b.getAttribute("data-pd-show")); });
  });
  if (buttons.length) show("inline");
});
