// Added by `sitegen serve` to the HTML pages it serves, never to the files
// `sitegen build` writes. It keeps an EventSource open on the preview server:
// "reload" means a rebuild succeeded and this tab shows an older build;
// "failures" lists why the latest rebuild failed (an empty list: it did not),
// which this script shows over the page until a rebuild succeeds.
//
// Browsers open at most six connections to one server, so a tab that is
// hidden closes its stream and opens it again when shown: the server then
// tells it at once whether a newer build was published meanwhile.
(function () {
  "use strict";
  var gen = document.currentScript.dataset.gen;
  var es = null;

  function connect() {
    if (es) return;
    es = new EventSource("/_sitegen/events?gen=" + encodeURIComponent(gen));
    es.addEventListener("reload", function () {
      disconnect();
      location.reload();
    });
    es.addEventListener("failures", function (e) {
      show(JSON.parse(e.data));
    });
  }

  function disconnect() {
    if (es) es.close();
    es = null;
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") disconnect();
    else connect();
  });
  if (document.visibilityState !== "hidden") connect();

  function show(failures) {
    var old = document.getElementById("sitegen-error-overlay");
    if (old) old.remove();
    if (!failures || failures.length === 0) return;
    var box = el("div", "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
      "background:rgba(30,0,0,.94);color:#fff;font:15px/1.5 ui-monospace,monospace;text-align:left");
    box.id = "sitegen-error-overlay";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-label", "Rebuild failed");
    var close = el("button", "float:right;font:inherit;padding:.2rem .6rem;cursor:pointer");
    close.textContent = "Hide";
    close.onclick = function () { box.remove(); };
    box.appendChild(close);
    var h = el("h2", "margin:0 0 1rem;font:bold 18px/1.4 system-ui,sans-serif;color:#ff8a80");
    h.textContent = "Rebuild failed: this tab shows the last good build until the error is fixed";
    box.appendChild(h);
    failures.forEach(function (f) {
      var p = el("pre", "white-space:pre-wrap;margin:0 0 1rem;font:inherit");
      var where = el("b", "color:#ffd180");
      where.textContent = f.file ? f.file + (f.line ? ":" + f.line : "") + ": " : "";
      p.appendChild(where);
      p.appendChild(document.createTextNode(f.msg + (f.fix ? "\n  fix: " + f.fix : "")));
      box.appendChild(p);
    });
    document.body.appendChild(box);
  }

  function el(tag, css) {
    var e = document.createElement(tag);
    e.style.cssText = css;
    return e;
  }
})();
