// Follows a summary as the worker writes it. Text only: model output is
// untrusted, so it goes in with textContent, never parsed as markup. The
// finished summary's Markdown is rendered (and sanitized) by the server.
//
// When it ends, done or failed, the browser goes to the summary's own page
// (/s/<token>) and stays there: never back to /summarize?url=..., which
// would start a new summary each time a failed one ended. That page shows the
// rendered summary, its links and timings, and the copy button.
(function () {
  "use strict";
  var article = document.getElementById("summary");
  if (!article) return;

  // --- the copy button (a finished summary) --------------------------------
  var copy = document.getElementById("copy");
  var source = document.getElementById("summary-text");
  if (copy && source && navigator.clipboard) {
    var copyStatus = document.getElementById("copy-status");
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(JSON.parse(source.textContent)).then(
        function () { copyStatus.textContent = copy.dataset.copied; },
        function () { copyStatus.textContent = copy.dataset.failed; }
      );
    });
  }

  if (article.dataset.finished === "true") return;
  var stage = document.getElementById("stage");
  var output = document.getElementById("output");
  var pageUrl = article.dataset.pageUrl;
  var textsNode = document.getElementById("stage-texts");
  var texts = textsNode ? JSON.parse(textsNode.textContent) : { stages: {} };
  var locale = document.documentElement.lang || undefined;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return name in values ? String(values[name]) : whole;
    });
  }

  function number(value) {
    return Number(value).toLocaleString(locale);
  }

  // What the worker is doing, in the page's language: how far the model has
  // read its prompt (before its first word), else the stage, translated when known.
  function label(snapshot) {
    var reading = snapshot.reading;
    if (reading && reading.parts && texts.reading) {
      return fill(texts.reading, {
        part: Math.min(reading.parts_done + 1, reading.parts), parts: reading.parts,
        read: number(reading.tokens_read), total: number(reading.tokens_total)
      });
    }
    var part = /^summarizing part (\d+) of (\d+)$/.exec(snapshot.stage || "");
    if (part && texts.part) return fill(texts.part, { index: part[1], parts: part[2] });
    var known = texts.stages[snapshot.stage || ""];
    return known || snapshot.stage;
  }

  function show(snapshot) {
    var line = label(snapshot);
    if (stage && line) stage.textContent = line + "…";
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
