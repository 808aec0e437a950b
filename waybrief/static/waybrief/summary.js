// Follows a summary as the worker writes it. Text only: model output is
// untrusted, so it goes in with textContent, never innerHTML.
(function () {
  "use strict";
  var article = document.getElementById("summary");
  if (!article || article.dataset.finished === "true") return;
  var stage = document.getElementById("stage");
  var output = document.getElementById("output");

  function show(snapshot) {
    if (stage && snapshot.stage) stage.textContent = snapshot.stage + "…";
    if (output) output.textContent = snapshot.partial || "";
  }

  if (!window.EventSource) {
    setTimeout(function () { location.reload(); }, 3000);
    return;
  }
  var events = new EventSource(article.dataset.eventsUrl);
  events.addEventListener("progress", function (e) { show(JSON.parse(e.data)); });
  events.addEventListener("done", function () {
    events.close();
    location.reload(); // the server renders the final text, links and timings
  });
  events.addEventListener("timeout", function () { events.close(); location.reload(); });
})();
