/* Exec blocks with params=: switch between the outputs computed at build time.
   Each key is a radio group of buttons (arrow keys, Home/End; Tab leaves the group);
   the panel whose data-combo matches the chosen indices is shown, the others stay
   hidden, so their lazy figures are fetched only when shown. Without JavaScript the
   controls stay hidden and the page shows the first value's output. */
(function () {
  "use strict";

  function select(block, group, button, focus) {
    group.querySelectorAll('[role="radio"]').forEach(function (b) {
      var on = b === button;
      b.setAttribute("aria-checked", on ? "true" : "false");
      b.tabIndex = on ? 0 : -1;
    });
    if (focus) button.focus();
    var combo = Array.prototype.map.call(
      block.querySelectorAll(".docexec-params-group"),
      function (g) {
        var checked = g.querySelector('[aria-checked="true"]');
        return checked ? checked.getAttribute("data-index") : "0";
      }).join("-");
    block.querySelectorAll(".docexec-params-panel").forEach(function (panel) {
      panel.hidden = panel.getAttribute("data-combo") !== combo;
    });
  }

  function keydown(block, group, event) {
    var buttons = Array.prototype.slice.call(group.querySelectorAll('[role="radio"]'));
    var i = buttons.indexOf(event.target);
    if (i < 0) return;
    var next = {ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1,
                Home: 0, End: buttons.length - 1}[event.key];
    if (next === undefined) return;
    event.preventDefault();
    next = (next + buttons.length) % buttons.length;
    select(block, group, buttons[next], true);
  }

  function init(root) {
    (root || document).querySelectorAll(".docexec-params").forEach(function (block) {
      if (block.hasAttribute("data-params-ready")) return;
      block.setAttribute("data-params-ready", "");
      block.querySelectorAll(".docexec-params-group").forEach(function (group) {
        group.addEventListener("click", function (event) {
          var button = event.target.closest('[role="radio"]');
          if (button && group.contains(button)) select(block, group, button, false);
        });
        group.addEventListener("keydown", function (event) {
          keydown(block, group, event);
        });
      });
      var controls = block.querySelector(".docexec-params-controls");
      if (controls) controls.hidden = false;
    });
  }

  // Material's instant navigation swaps the page without reloading scripts: it announces
  // each new page on document$; without it, the page is ready once the DOM is
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(function () { init(document); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
