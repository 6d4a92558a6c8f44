// The Jupyter widgets HTML manager (1.x) typesets widget labels with MathJax 2's API,
// `MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])`; this book loads MathJax 3, which has no
// `Hub`, so every slider with a description threw a TypeError in the published page. This shim
// gives MathJax 3 a `Hub` whose Queue typesets the elements with MathJax 3 once it is ready.
(function () {
  "use strict";
  function install() {
    var mj = window.MathJax;
    if (!mj || mj.Hub) {
      return;
    }
    mj.Hub = {
      Queue: function () {
        var elements = [];
        Array.prototype.forEach.call(arguments, function (job) {
          if (Array.isArray(job) && job[0] === "Typeset" && job[2]) {
            elements.push(job[2]);
          }
        });
        var ready = mj.startup && mj.startup.promise ? mj.startup.promise : Promise.resolve();
        ready.then(function () {
          if (typeof mj.typesetPromise === "function") {
            return mj.typesetPromise(elements);
          }
        }).catch(function (err) {
          console.warn("widget label typesetting failed", err);
        });
      },
    };
  }
  // MathJax 3 (a deferred script) replaces window.MathJax before DOMContentLoaded; the widget
  // manager renders after it. Installing at both moments covers either order.
  install();
  document.addEventListener("DOMContentLoaded", install, true);
})();
