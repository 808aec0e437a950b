// The bookmarklet follows the form: it asks for the kind and language chosen
// above it (the server wrote the link for the choices the page opened with).
(function () {
  "use strict";
  var link = document.getElementById("bookmarklet");
  var code = document.getElementById("bookmarklet-code");
  var mode = document.getElementById("summary_type");
  var language = document.getElementById("target_language");
  if (!link || !mode || !language) return;

  function update() {
    var params = new URLSearchParams(); // encodes every quote: safe inside the javascript: string
    if (mode.value && mode.value !== "summary") params.set("summary_type", mode.value);
    if (language.value) params.set("target_language", language.value);
    var query = params.toString();
    var base = link.dataset.endpoint + "?" + (query ? query + "&" : "") + "url=";
    var href = "javascript:location='" + base + "'+encodeURIComponent(location)";
    link.setAttribute("href", href);
    if (code) code.textContent = href;
  }

  mode.addEventListener("change", update);
  language.addEventListener("change", update);
})();
