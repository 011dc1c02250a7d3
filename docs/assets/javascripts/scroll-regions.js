/* A table wider than the page scrolls sideways inside Material's .md-typeset__scrollwrap.
   A keyboard user must be able to scroll it too: such a region gets tabindex="0", the role
   "region" and a name (the figure caption of a numbered table, else "表格"). Runs after
   Material has wrapped the tables, on every page (also with instant navigation).
   Most tables sit in result blocks that are laid out only near the viewport
   (content-visibility), so measuring one lays its block out: the tables are measured a few
   milliseconds at a time while the page is idle, not in one long task at load. */
(function () {
  "use strict";

  var SLICE_MS = 8;
  var queue = [];
  var scheduled = false;

  var idle = window.requestIdleCallback
    ? function (fn) { window.requestIdleCallback(fn, {timeout: 1000}); }
    : function (fn) { window.setTimeout(fn, 1); };

  function mark(wrap) {
    if (wrap.hasAttribute("tabindex") || wrap.scrollWidth <= wrap.clientWidth + 1) return;
    var figure = wrap.closest("figure");
    var caption = figure && figure.querySelector("figcaption");
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", caption ? caption.textContent : "表格（可左右滚动）");
  }

  function work() {
    scheduled = false;
    var end = performance.now() + SLICE_MS;
    while (queue.length && performance.now() < end) mark(queue.shift());
    if (queue.length) schedule();
  }

  function schedule() {
    if (!scheduled) { scheduled = true; idle(work); }
  }

  function collect() {
    queue = Array.prototype.slice.call(
      document.querySelectorAll(".md-typeset__scrollwrap:not([tabindex])"));
    schedule();
  }

  if (typeof document$ !== "undefined") document$.subscribe(collect);
  else window.addEventListener("load", collect);
  window.addEventListener("resize", collect);
})();
