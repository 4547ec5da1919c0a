// Preview only: added to pages as they are served, never written into output/.
// Listens for rebuilds; reloads this page when it changed, swaps stylesheets when only
// CSS changed, and shows build errors over the page until the next good build.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script.getAttribute("data-base");
  var since = script.getAttribute("data-epoch");

  function here() {
    var path = decodeURIComponent(location.pathname);
    if (path.indexOf(base) === 0) path = path.slice(base.length);
    if (path === "" || path.slice(-1) === "/") path += "index.html";
    return path;
  }

  // "*" means the server lost track of what changed since this page loaded.
  function needsReload(path) {
    if (path === "*") return true;
    return path.indexOf("assets/") === 0 && !/\.css$/.test(path); // an image or icon the page may use
  }

  // Swap in the new page's body without a reload: faster, and the reader's scroll
  // position stays where it was. Anything unexpected falls back to a reload.
  function refreshBody() {
    fetch(location.href, { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var box = document.getElementById("sitegen-overlay");
        document.title = doc.title;
        document.body.replaceWith(doc.body);
        if (box) document.body.appendChild(box);
      })
      .catch(function () { location.reload(); });
  }

  function swapStylesheets(epoch) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute("href").split("?")[0];
      links[i].setAttribute("href", href + "?v=" + epoch);
    }
  }

  function overlay(problems) {
    var box = document.getElementById("sitegen-overlay");
    if (!problems.length) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "sitegen-overlay";
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    box.textContent = "";
    var title = document.createElement("p");
    title.className = "sitegen-overlay-title";
    title.textContent = "The build failed; this is the last good version. Fix these and save:";
    box.appendChild(title);
    var list = document.createElement("ul");
    problems.forEach(function (p) {
      var item = document.createElement("li");
      var where = document.createElement("code");
      where.textContent = p.path + ":" + p.line;
      item.appendChild(where);
      item.appendChild(document.createTextNode(" " + p.message));
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = "/__sitegen/overlay.css";
  document.head.appendChild(style);

  var events = new EventSource(
    "/__sitegen/events?since=" + encodeURIComponent(since) + "&page=" + encodeURIComponent(here()));
  events.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    overlay(state.problems);
    if (state.changed.indexOf(here()) >= 0 && !state.changed.some(needsReload)) {
      refreshBody();
    } else if (state.changed.some(needsReload)) {
      location.reload();
    } else if (state.changed.some(function (p) { return /\.css$/.test(p); })) {
      swapStylesheets(state.epoch);
    }
  });
})();
