"""Pages the tests and benches summarize: an English article, a short Big5 post
with no charset anywhere, and a source file."""

ARTICLE = """<!doctype html><html lang="en"><head><title>The Closing of Xuite</title>
<link rel="canonical" href="https://example.org/xuite"></head><body>
<nav><a href="/">Home</a> <a href="/about">About us</a> <a href="/contact">Contact</a></nav>
<article><h1>The Closing of Xuite</h1>
<p>Xuite was a Taiwanese blogging platform that hosted millions of personal blogs for two
decades before its owner announced in 2023 that it would close.</p>
<p>Volunteers enumerated blog addresses and submitted post URLs to the Wayback Machine,
racing a deadline to save writing that would otherwise be lost for good.</p>
</article><footer>Copyright 2024 Example Media. All rights reserved.</footer></body></html>"""

JS = b"""// Debounce: run fn only after calls stop for `wait` milliseconds.
function debounce(fn, wait) {
  let timer = null;
  return function (...args) {
    clearTimeout(timer);
    timer = setTimeout(() => fn.apply(this, args), wait);
  };
}
module.exports = { debounce };
"""

TITLE = "我的部落格：大溪老街與美食"

POST = f"""<html><head><title>{TITLE}</title></head><body>
<div id="header"><a href="/">home</a> | <a href="/about">about</a></div>
<div class="post"><p>今天我們去了大溪老街，吃了很多好吃的東西。碁盤上的棋子。</p></div>
</body></html>"""

