// Follows a summary as the worker writes it. Text only: model output is
// untrusted, so it goes in with textContent, never innerHTML.
//
// When it ends, done or failed, the browser goes to the summary's own page
// (/s/<token>) and stays there: never back to /summarize?url=..., which
// would start a new summary each time a failed one ended.
(function () {
  "use strict";
  var article = document.getElementById("summary");
  if (!article || article.dataset.finished === "true") return;
  var stage = document.getElementById("stage");
  var output = document.getElementById("output");
  var pageUrl = article.dataset.pageUrl;

  function show(snapshot) {
    if (stage && snapshot.stage) stage.textContent = snapshot.stage + "…";
    if (output) output.textContent = snapshot.partial || "";
  }

  function goToPage() {
    location.replace(pageUrl); // the server renders the final text, links and timings
  }

  // Without a stream (no EventSource, or one the server refused): ask
  // status.json every few seconds, and go to the page once it has ended.
  function poll() {
    if (!window.fetch) { setTimeout(goToPage, 3000); return; }
    fetch(article.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (snapshot) {
        if (snapshot) show(snapshot);
        if (snapshot && snapshot.finished) goToPage();
        else setTimeout(poll, 3000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }

  if (!window.EventSource) { poll(); return; }
  var events = new EventSource(article.dataset.eventsUrl);
  events.addEventListener("progress", function (e) { show(JSON.parse(e.data)); });
  events.addEventListener("done", function () { events.close(); goToPage(); });
  events.addEventListener("timeout", function () { events.close(); goToPage(); });
  events.addEventListener("error", function () {
    if (events.readyState === EventSource.CLOSED) poll(); // refused, not just reconnecting
  });
})();
