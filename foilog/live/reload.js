// Live reload for `build.py serve`, added to pages by the preview server only (never written into output/).
// It listens for build news over Server-Sent Events: a new build, or a letter page edited and shown before the
// site is rebuilt, reloads the page if its file changed; a failed build, or a build that left letters out,
// shows the report in an overlay. Report text is set with textContent, never as markup.
(function () {
  "use strict";
  var script = document.currentScript;
  var shown = Number(script && script.getAttribute("data-served")) || 0;
  var page = (script && script.getAttribute("data-page")) || "";
  var base = new URL("/__foilog/", script ? script.src : window.location.href);
  var box = null;
  var opened = null;
  var HIDDEN = "foilog-live-hidden";

  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = new URL("reload.css", base).href;
  document.head.appendChild(style);

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function container() {
    if (!box) {
      box = make("div", "foilog-live");
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      document.body.appendChild(box);
    }
    box.replaceChildren();
    return box;
  }

  function problemList(problems) {
    var list = make("ul", "foilog-live-problems");
    problems.forEach(function (problem) {
      list.appendChild(make("li", "foilog-live-" + problem.severity, problem.severity + ": " + problem.text));
    });
    return list;
  }

  function badge(text, onClick) {
    var root = container();
    var button = make("button", "foilog-live-badge", text);
    button.type = "button";
    if (onClick) button.addEventListener("click", onClick); else button.disabled = true;
    root.appendChild(button);
  }

  function overlay(status, key) {
    var root = container();
    var panel = make("section", "foilog-live-overlay" + (status.failed || status.errors ? "" : " foilog-live-mild"));
    panel.setAttribute("aria-labelledby", "foilog-live-title");
    var title;
    var lead;
    if (status.failed) {
      title = "The site could not be rebuilt";
      lead = "You are looking at the last version that built. Fix the problem and save: this page reloads by itself.";
    } else if (status.errors) {
      title = status.errors + (status.errors === 1 ? " problem" : " problems") + " left something out of the site";
      lead = "The rest of the site was rebuilt. Fix the problems and save: this page reloads by itself.";
    } else {
      title = status.warnings + (status.warnings === 1 ? " warning" : " warnings");
      lead = "The site was rebuilt. These are worth checking: letters whose facts could not all be found are " +
        "published with what was found.";
    }
    var heading = make("h2", "foilog-live-title", title);
    heading.id = "foilog-live-title";
    panel.appendChild(heading);
    panel.appendChild(make("p", "foilog-live-lead", lead));
    if (status.failed) panel.appendChild(make("pre", "foilog-live-failed", status.failed));
    if (status.problems.length) panel.appendChild(problemList(status.problems));
    var close = make("button", "foilog-live-close", "Hide");
    close.type = "button";
    close.addEventListener("click", function () {
      opened = null;
      try { window.sessionStorage.setItem(HIDDEN, key); } catch (e) { /* storage may be off */ }
      render(status, key);
    });
    panel.appendChild(close);
    root.appendChild(panel);
  }

  // A failed build, or one that left something out, opens the overlay; so does a build with more warnings
  // than the one before (the ones you just caused). Other warnings, and a report the person hid (on any
  // page of the site), wait behind a button.
  function wantsOverlay(status, key) {
    if (opened === key) return true;
    var hidden = null;
    try { hidden = window.sessionStorage.getItem(HIDDEN); } catch (e) { /* storage may be off */ }
    return hidden !== key && Boolean(status.failed || status.errors || status.more);
  }

  function render(status, key) {
    if (status.building) {
      badge("Rebuilding…");
    } else if ((status.failed || status.errors || status.warnings) && wantsOverlay(status, key)) {
      overlay(status, key);
    } else if (status.failed || status.errors || status.warnings) {
      var count = status.failed ? "Build failed" : status.errors ? status.errors + " error" +
        (status.errors === 1 ? "" : "s") : status.warnings + " warning" + (status.warnings === 1 ? "" : "s");
      badge(count, function () { opened = key; render(status, key); });
    } else if (box) {
      box.remove();
      box = null;
    }
  }

  var events = new EventSource(new URL("events", base).href);
  // Whether the page shown is older than what is served now: any page is after `everything`; a page of the
  // site only if its own file changed since (the preview's own pages, with no file, always are).
  function outdated(status) {
    if (status.served <= shown) return false;
    var changed = Object.prototype.hasOwnProperty.call(status.pages, page) ? status.pages[page] : 0;
    return !page || status.everything > shown || changed > shown;
  }

  events.addEventListener("status", function (event) {
    var status = JSON.parse(event.data);
    if (outdated(status)) {
      events.close();
      window.location.reload();
      return;
    }
    shown = Math.max(shown, status.served);
    var report = Object.assign({}, status);  // the report, told apart from others by what it says
    ["building", "served", "everything", "pages"].forEach(function (name) { delete report[name]; });
    var key = JSON.stringify(report);
    render(status, key);
  });
  events.addEventListener("error", function () {
    if (events.readyState !== EventSource.OPEN) badge("Not connected to build.py serve");
  });
})();
