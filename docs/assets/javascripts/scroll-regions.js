/* A table wider than the page scrolls sideways inside Material's .md-typeset__scrollwrap.
   A keyboard user must be able to scroll it too: such a region gets tabindex="0", the role
   "region" and a name (the figure caption of a numbered table, else "表格"). Runs after
   Material has wrapped the tables, on every page (also with instant navigation). */
(function () {
  "use strict";

  function mark() {
    var wraps = document.querySelectorAll(".md-typeset__scrollwrap:not([tabindex])");
    // every width read before any attribute is written: one layout, not one per table
    var wide = Array.prototype.filter.call(wraps, function (wrap) {
      return wrap.scrollWidth > wrap.clientWidth + 1;
    });
    wide.forEach(function (wrap) {
      var figure = wrap.closest("figure");
      var caption = figure && figure.querySelector("figcaption");
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", caption ? caption.textContent : "表格（可左右滚动）");
    });
  }

  function later() { window.requestAnimationFrame(mark); }

  if (typeof document$ !== "undefined") document$.subscribe(later);
  else window.addEventListener("load", later);
  window.addEventListener("resize", later);
})();
