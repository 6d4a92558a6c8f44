// Live mode: one click runs the chapter's own code cells in the reader's browser (Pyodide, through
// thebe and thebe-lite; no server). Until that click this file is all a page loads of it: it adds the
// "Live mode" bar to notebook pages (with a link that opens the chapter in the in-browser JupyterLab,
// lab/) and marks each widget as a static picture. On click it loads live/config.json, thebe-lite
// (the in-browser Jupyter server) and thebe (cells as editors, outputs, the widget manager), starts
// the kernel and runs every cell from the top, so sliders, step buttons and exercise checks compute
// with backproplib's own code. Built by tools/build_live.py.
(function () {
  "use strict";
  var script = document.currentScript;
  var ROOT = new URL("../", script ? script.src : location.href); // this file is _static/live-mode.js
  var LIVE = new URL("live/", ROOT);
  var state = { started: false, ready: null, cells: [] };
  window.bpLive = state;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }

  function codeCells() {
    return Array.prototype.slice.call(document.querySelectorAll("div.cell"))
      .filter(function (c) { return c.querySelector(":scope > .cell_input pre"); });
  }

  function setStatus(text, kind) {
    document.querySelectorAll(".bp-live-status").forEach(function (s) {
      s.textContent = text;
      s.dataset.kind = kind || "";
    });
  }

  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      var s = el("script", { src: url });
      s.onload = resolve;
      s.onerror = function () { reject(new Error("could not load " + url)); };
      document.head.appendChild(s);
    });
  }

  function addBar(cells) {
    var article = document.querySelector("article.bd-article") || document.querySelector("main");
    if (!article || !cells.length) return;
    var bar = el("div", { class: "bp-live-bar", role: "region", "aria-label": "live mode" });
    var start = el("button", { class: "bp-live-start", type: "button" }, "\u25B6 Live mode");
    start.addEventListener("click", startLive);
    bar.appendChild(start);
    bar.appendChild(el("span", { class: "bp-live-status", "aria-live": "polite" },
      "Runs this chapter's code in your browser (Python via Pyodide, no server; about 40 MB on " +
      "first start). Until then, figures and widgets are static pictures."));
    var notebook = chapterNotebook();
    if (notebook) {
      // The chapter as a notebook in the JupyterLite lab built beside live/ (same Pyodide and wheels).
      var lab = new URL("lab/lab/index.html?path=" + notebook.split("/").map(encodeURIComponent).join("/"),
        ROOT);
      bar.appendChild(el("a", { class: "bp-live-lab", href: lab.href },
        "open this chapter in JupyterLab (in your browser)"));
    }
    article.insertBefore(bar, article.firstChild);
  }

  // This page's notebook, as the lab's contents name it (book/02_linear_neuron.ipynb), or null.
  function chapterNotebook() {
    var page = decodeURIComponent(location.pathname);
    var root = decodeURIComponent(ROOT.pathname);
    if (page.indexOf(root) !== 0 || !/\.html$/.test(page)) return null;
    var rel = page.slice(root.length);
    return /^book\/[^/]+\.html$/.test(rel) ? rel.replace(/\.html$/, ".ipynb") : null;
  }

  // A widget in a static page: dim its controls and say, beside them, that nothing computes yet.
  function markStaticWidgets() {
    document.querySelectorAll("script[type='application/vnd.jupyter.widget-view+json']")
      .forEach(function (view) {
        var out = view.closest(".cell_output") || view.parentElement;
        if (!out || out.querySelector(".bp-static-note")) return;
        out.classList.add("bp-static");
        var note = el("div", { class: "bp-static-note" });
        note.appendChild(el("span", {}, "static picture: start live mode to compute"));
        var b = el("button", { class: "bp-live-start", type: "button" }, "\u25B6 start live mode");
        b.addEventListener("click", startLive);
        note.appendChild(b);
        out.insertBefore(note, out.firstChild);
      });
  }

  // thebe pairs the n-th code cell with the n-th output placeholder: give every code cell one.
  function prepareCells(cells) {
    cells.forEach(function (cell) {
      var pre = cell.querySelector(":scope > .cell_input pre");
      pre.setAttribute("data-executable", "true");
      pre.setAttribute("data-language", "python");
      var out = cell.querySelector(":scope > .cell_output");
      if (!out) {
        out = el("div", { class: "cell_output docutils container" });
        cell.appendChild(out);
      }
      out.setAttribute("data-output", "");
      out.classList.remove("bp-static");
      out.querySelectorAll(".bp-static-note").forEach(function (n) { n.remove(); });
      cell.querySelectorAll("button.copybtn").forEach(function (b) { b.remove(); });
    });
  }

  // thebe-core's widget manager fetches require.js from this hard-coded CDN address (to load widget
  // modules it does not bundle, in an isolated frame). The book serves require.js itself.
  var REQUIRE_CDN = "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js";
  function serveRequireLocally() {
    var realFetch = window.fetch;
    window.fetch = function (input, init) {
      if (input === REQUIRE_CDN) input = new URL("_static/require.js", ROOT).href;
      return realFetch.call(this, input, init);
    };
  }

  // thebe-lite registers JupyterLite's service worker at the site root, where it would then sit in
  // front of every request of the whole book; in-page cells need none of the file syncing it offers.
  function skipServiceWorker() {
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.register = function () {
      return Promise.reject(new Error("live mode: in-page cells use no service worker"));
    };
  }

  var KERNEL_PACKAGES = ["micropip", "ssl", "sqlite3", "comm", "ipython"];

  function liteSettings(config) {
    var abs = function (u) { return new URL(u, LIVE).href; };
    var kernel = {
      pyodideUrl: abs(config.pyodideUrl),
      pipliteUrls: [abs(config.pipliteIndex)],
      pipliteWheelUrl: abs(config.pipliteWheel),
      disablePyPIFallback: true,
      // The packages the kernel itself needs, loaded in one batch with the runtime (the kernel would
      // otherwise install them one after another, and it skips those listed here).
      loadPyodideOptions: { lockFileURL: abs(config.lockFile), packages: KERNEL_PACKAGES },
    };
    return { "@jupyterlite/pyodide-kernel-extension:kernel": kernel };
  }

  // thebe does not route update_display_data (an output replaced through its display id) to the cell
  // that displayed it: the explorer empties its static figure that way when its live one appears.
  function followDisplayIds(kernel, notebook) {
    var shown = {};
    kernel.iopubMessage.connect(function (_k, msg) {
      var c = msg.content || {}, id = c.transient && c.transient.display_id;
      if (!id) return;
      if (msg.header.msg_type === "display_data") shown[id] = c.data;
      if (msg.header.msg_type !== "update_display_data" || !shown[id]) return;
      notebook.cells.forEach(function (cell) {
        var model = cell.area && cell.area.model;
        for (var i = 0; model && i < model.length; i++) {
          var data = model.get(i).toJSON().data || {};
          if (data["image/png"] === shown[id]["image/png"] && data["text/plain"] === shown[id]["text/plain"]) {
            model.set(i, { output_type: "display_data", data: c.data, metadata: c.metadata || {} });
          }
        }
      });
      shown[id] = c.data;
    });
  }

  // A chapter runs in the book/ folder of a checkout and may read ../benchmarks/results/*.json: give
  // the kernel that layout (/book/book as the working directory) with the files the build listed.
  async function setUpFiles(kernel, config) {
    var code = [
      "import os as _os",
      "from pyodide.http import pyfetch as _pyfetch",
      "for _rel in " + JSON.stringify(config.files || []) + ":",
      "    _os.makedirs(_os.path.dirname('/book/' + _rel), exist_ok=True)",
      "    with open('/book/' + _rel, 'wb') as _f:",
      "        _f.write(await (await _pyfetch(" + JSON.stringify(new URL("files/", LIVE).href) +
        " + _rel)).bytes())",
      "_os.makedirs('/book/book', exist_ok=True)",
      "_os.chdir('/book/book')",
      "del _os, _pyfetch, _rel, _f",
    ].join("\n");
    var reply = await kernel.requestExecute({ code: code, silent: true, store_history: false }).done;
    if (reply.content.status !== "ok") throw new Error("could not set up the chapter's files: " +
      reply.content.ename + ": " + reply.content.evalue);
  }

  async function runAll() {
    var nb = window.thebe.notebook;
    var t0 = performance.now();
    var failed = [];
    for (var i = 0; i < nb.cells.length; i++) {
      var cell = nb.cells[i];
      setStatus("running cell " + (i + 1) + " of " + nb.cells.length + "\u2026", "busy");
      await cell.execute(cell.source);
      var err = (cell.outputs || []).filter(function (o) { return o.output_type === "error"; })[0];
      if (err) failed.push({ cell: i + 1, error: err.ename + ": " + err.evalue });
    }
    state.runSeconds = (performance.now() - t0) / 1000;
    state.failedCells = failed;
    return failed;
  }

  async function startLive() {
    if (state.started) return state.ready;
    state.started = true;
    state.clickedAt = performance.now();
    document.querySelectorAll(".bp-live-start").forEach(function (b) { b.disabled = true; });
    setStatus("starting Python in your browser\u2026", "busy");
    state.ready = (async function () {
      var config = await (await fetch(new URL("config.json", LIVE))).json();
      serveRequireLocally();
      skipServiceWorker();
      await loadScript(new URL("thebe-lite/thebe-lite.min.js", LIVE).href);
      var start = window.thebeLite.startJupyterLiteServer;
      var settings = liteSettings(config);
      window.thebeLite.startJupyterLiteServer = function (c) {
        return start(Object.assign({}, c || {}, { litePluginSettings: settings }));
      };
      document.head.appendChild(el("link", { rel: "stylesheet", href: new URL("thebe/thebe.css", LIVE).href }));
      await loadScript(new URL("thebe/index.js", LIVE).href);
      window.thebe.on("status", function (_evt, data) {
        if (data && data.message && !state.kernelReadySeconds) setStatus(data.message, "busy");
      });
      var cells = codeCells();
      prepareCells(cells);
      document.body.classList.add("bp-live");
      await window.thebe.bootstrap({
        useBinder: false, useJupyterLite: true, requestKernel: true,
        selector: "[data-executable]", outputSelector: "[data-output]",
        mountActivateWidget: false, mountStatusWidget: false,
        mountRestartButton: false, mountRestartAllButton: false,
        mathjaxUrl: new URL("_static/live-mathjax2.js", ROOT).href,
        kernelOptions: { name: "python", kernelName: "python", path: "." },
        codeMirrorConfig: { mode: "python", theme: "default", lineNumbers: false },
      });
      setStatus("starting Python (Pyodide) and loading packages\u2026", "busy");
      await window.thebe.session.kernel.requestExecute({ code: "", silent: true }).done;
      state.kernelReadySeconds = (performance.now() - state.clickedAt) / 1000;
      followDisplayIds(window.thebe.session.kernel, window.thebe.notebook);
      await setUpFiles(window.thebe.session.kernel, config);
      var failed = await runAll();
      state.done = true;
      setStatus(failed.length ? "live: cells " + failed.map(function (f) { return f.cell; }).join(", ") +
        " raised an error"
        : "live: Python is running in this page; move a slider, edit and run any cell",
        failed.length ? "error" : "live");
      return failed;
    })().catch(function (err) {
      state.error = String(err);
      setStatus("live mode failed: " + err, "error");
      console.warn("live mode failed", err);
    });
    return state.ready;
  }
  state.start = startLive;

  function init() {
    var cells = codeCells();
    addBar(cells);
    markStaticWidgets();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
