// Small accessibility repairs of the theme's (pydata-sphinx-theme 0.17 / sphinx-book-theme 1.3) own
// markup, found by axe-core in the browser test:
// - the search buttons' aria-label "Search" hides their visible text "Search Ctrl+K" (WCAG 2.5.3,
//   label in name): the name becomes the visible text;
// - the sidebar's <summary> toggles (an icon only) have no name: "Show or hide subsections";
// - a box that scrolls sideways (a long code line, a wide equation) cannot be scrolled from the
//   keyboard unless it can take the focus: it gets tabindex="0" and a name.
(function () {
  "use strict";
  function text(el) { return (el.textContent || "").replace(/\s+/g, " ").trim(); }

  function fix() {
    document.querySelectorAll("button[aria-label]").forEach(function (b) {
      var visible = text(b);
      var label = b.getAttribute("aria-label");
      if (visible && visible.toLowerCase().indexOf(label.toLowerCase()) === 0 && visible !== label) {
        b.setAttribute("aria-label", visible);
      }
    });
    document.querySelectorAll("summary").forEach(function (s) {
      if (!text(s) && !s.getAttribute("aria-label")) s.setAttribute("aria-label", "Show or hide subsections");
    });
    document.querySelectorAll("main pre, main .cell_output, main div.math, main mjx-container[display='true'], main table")
      .forEach(function (e) {
        // (the theme gives a box that did not scroll when the page loaded tabindex -1: one hidden in
        // a closed solution, say)
        if (e.scrollWidth > e.clientWidth + 1 && e.getAttribute("tabindex") !== "0") {
          e.setAttribute("tabindex", "0");
          if (!e.getAttribute("aria-label") && !e.getAttribute("role")) {
            e.setAttribute("role", "region");
            e.setAttribute("aria-label", "wide content, scrolls sideways");
          }
        }
      });
  }
  // A bibliography is a list (role="list") of entries with docutils' role "doc-biblioentry", which
  // ARIA 1.2 deprecates and a list does not accept as items (axe: aria-required-children): they
  // become list items.
  function fixCitations() {
    document.querySelectorAll(".citation-list[role='list'] > [role='doc-biblioentry']").forEach(function (c) {
      c.setAttribute("role", "listitem");
    });
  }
  // after MathJax has typeset (wide equations exist only then) and after the theme's own scripts
  function start() {
    fixCitations();
    fix();
    var mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) mj.startup.promise.then(fix);
    window.addEventListener("load", function () { setTimeout(fix, 0); });
    // a solution or a "show code" toggle reveals boxes whose width was 0 while hidden
    // (again once its opening animation is over)
    var later = function () { setTimeout(fix, 50); setTimeout(fix, 700); };
    document.addEventListener("click", later, true);
    document.addEventListener("keyup", later, true);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
