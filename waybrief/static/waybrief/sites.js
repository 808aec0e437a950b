// Keeps the sites pages current without a reload: the server's feed
// (server-sent events) sends each site's progress when it changes, with every
// line already written in the page's language; this script only puts the
// numbers and lines in place (textContent, never innerHTML).
//
// A site's own page also re-reads itself after a change and swaps in the
// parts marked data-live (the coverage bar, the chart, the posts table),
// so those stay the server's rendering.
(function () {
  "use strict";
  var root = document.querySelector("[data-sites-feed]");
  if (!root || !window.EventSource) return;
  var kinds = ["crawl", "archive", "summaries", "copies"];

  function setText(box, name, text) {
    var el = box.querySelector('[data-text="' + name + '"]');
    if (el && el.textContent !== text) el.textContent = text;
  }

  function update(site) {
    var box = document.querySelector('.site-bars[data-site="' + site.id + '"]');
    if (!box) return;
    box.dataset.busy = site.busy ? "true" : "false";
    kinds.forEach(function (kind) {
      var bar = box.querySelector('[data-bar="' + kind + '"] progress');
      var percent = site[kind].percent;
      if (bar) {
        if (percent === null) bar.removeAttribute("value");
        else bar.value = percent;
      }
      setText(box, kind, site.text[kind]);
    });
    setText(box, "eta", site.text.eta);
    var posts = document.querySelector('[data-site-posts="' + site.id + '"]');
    if (posts) posts.textContent = site.text.posts;
  }

  var refreshing = false;
  var again = false;

  function refresh() {
    if (!root.dataset.refresh || !window.fetch || !window.DOMParser) return;
    if (refreshing) { again = true; return; }
    refreshing = true;
    fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live]").forEach(function (part) {
          var next = part.id && fresh.getElementById(part.id);
          if (next && !part.contains(document.activeElement)) {
            part.replaceWith(document.importNode(next, true));
          }
        });
      })
      .catch(function () {})
      .then(function () {
        refreshing = false;
        if (again) { again = false; setTimeout(refresh, 1000); }
      });
  }

  var events = new EventSource(root.dataset.sitesFeed);
  events.addEventListener("progress", function (e) {
    JSON.parse(e.data).sites.forEach(update);
    refresh(); // something changed (the first event too: the page may be older)
  });
})();
