// policydocs: "compare any two versions" on the versions page. The form's
// data-targets maps "<old-ref>...<new-ref>" to the compare page's relative URL.
(function () {
  "use strict";
  function init(form) {
    if (form.dataset.pdReady) return;
    form.dataset.pdReady = "1";
    var targets = JSON.parse(form.getAttribute("data-targets") || "{}");
    var order = Array.prototype.map.call(form.elements.old.options, function (o) { return o.value; });
    var message = form.querySelector(".pd-picker-message");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var a = form.elements.old.value, b = form.elements.new.value;
      if (a === b) { message.textContent = "Choose two different versions."; return; }
      if (order.indexOf(a) > order.indexOf(b)) { var t = a; a = b; b = t; }
      var url = targets[a + "..." + b];
      if (url) { window.location.href = url; }
      else { message.textContent = "No compare page was built for these two versions."; }
    });
  }
  function scan() { document.querySelectorAll("form.pd-picker").forEach(init); }
  if (window.document$ && window.document$.subscribe) { window.document$.subscribe(scan); }
  else if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", scan); }
  else { scan(); }
})();
