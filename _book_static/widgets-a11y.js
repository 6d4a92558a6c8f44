// Accessible names for the widgets' controls. The HTML widget manager (ipywidgets 8) renders a
// slider as a noUiSlider handle (role="slider") and a dropdown as a <select>, each beside a
// <label class="widget-label"> that is not associated with it; the book's widgets leave that label
// empty and show their label as an HTML widget just before the control (see
// backproplib.teaching.widgets). So screen readers announced "slider" with no name. This script names
// each control after its visible label (its own description, or the label widget beside it), gives
// widget figures an alt text, and does it again whenever the manager renders more widgets.
(function () {
  "use strict";
  var FIGURE_ALT = "Figure of the widget above: it is redrawn when a control changes (in live mode).";

  function text(el) {
    return el ? (el.textContent || "").replace(/\s+/g, " ").trim() : "";
  }

  // The visible label of a control widget: its description, else the widget just before it in its
  // row (a label widget), else the row's first label.
  function labelOf(widget) {
    var own = text(widget.querySelector(":scope > .widget-label"));
    if (own) return own;
    var prev = widget.previousElementSibling;
    while (prev && !text(prev)) prev = prev.previousElementSibling;
    if (prev && (prev.classList.contains("widget-html") || prev.classList.contains("widget-label")))
      return text(prev);
    return "";
  }

  function name(el, label) {
    if (!label || el.getAttribute("aria-label")) return;
    el.setAttribute("aria-label", label);
  }

  function fix(root) {
    root.querySelectorAll(".widget-slider, .widget-hslider, .widget-vslider").forEach(function (w) {
      var label = labelOf(w);
      w.querySelectorAll("[role='slider'], .noUi-handle, input[type='range']").forEach(function (h) {
        name(h, label || "slider");
      });
      var readout = w.querySelector(".widget-readout");
      if (readout) name(readout, (label ? label + ": " : "") + "value");
    });
    root.querySelectorAll(".widget-dropdown, .widget-select").forEach(function (w) {
      var select = w.querySelector("select");
      if (select) name(select, labelOf(w) || "choice");
    });
    root.querySelectorAll(".widget-text, .widget-textarea, .widget-inline-hbox").forEach(function (w) {
      w.querySelectorAll("input, textarea").forEach(function (i) { name(i, labelOf(w)); });
    });
    root.querySelectorAll(".jupyter-widgets img, img.widget-image").forEach(function (img) {
      if (!img.hasAttribute("alt") || !img.getAttribute("alt").trim()) img.setAttribute("alt", FIGURE_ALT);
    });
  }

  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; fix(document); });
  }

  function start() {
    fix(document);
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
