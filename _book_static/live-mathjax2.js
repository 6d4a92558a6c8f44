// Loaded by thebe's output renderer in live mode: it typesets LaTeX outputs (SymPy) through the
// MathJax 2 API (it loads this file as "MathJax.js", then calls Hub.Config, Hub.Register.StartupHook,
// Hub.Configured and Hub.Queue). The book runs MathJax 3, and widgets-mathjax-shim.js already routes
// Hub.Queue(["Typeset", hub, element]) to it. This file adds the configuration calls (MathJax 3 needs
// none) and rewrites an output that is one "$...$" or "$$...$$" formula (what the book's MathJax 3
// does not treat as math) to "\(...\)" or "\[...\]" before it is typeset.
(function () {
  "use strict";
  var mj = window.MathJax || (window.MathJax = {});
  var hub = mj.Hub || (mj.Hub = { Queue: function () {} });
  var noop = function () {};
  hub.Config = noop;
  hub.Configured = noop;
  hub.Register = { StartupHook: noop };
  mj.Ajax = mj.Ajax || {};
  if (hub.bpLiveQueue) return;
  var queue = hub.Queue;
  hub.Queue = function () {
    Array.prototype.forEach.call(arguments, function (job) {
      var node = Array.isArray(job) && job[0] === "Typeset" ? job[2] : null;
      if (!node || node.children.length) return;
      var text = node.textContent, m;
      if ((m = text.match(/^\s*\$\$([\s\S]+)\$\$\s*$/))) node.textContent = "\\[" + m[1] + "\\]";
      else if ((m = text.match(/^\s*\$([^$]+)\$\s*$/))) node.textContent = "\\(" + m[1] + "\\)";
      node.classList.add("mathjax_process");
    });
    return queue.apply(this, arguments);
  };
  hub.bpLiveQueue = true;
})();
