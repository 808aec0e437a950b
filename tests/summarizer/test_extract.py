"""Main text, title, language and kind from what was fetched."""

from summarizer.extract import extract, flat_text
from tests.support.documents import ARTICLE
from waybrief.fetching import FetchedPage


def page(text: str, url: str = "https://example.org/a", content_type: str = "text/html"):
    return FetchedPage(url=url, final_url=url, status=200, content_type=content_type,
                       body=text.encode(), text=text, encoding="utf-8")  # fmt: skip


def test_it_extracts_the_article_without_the_page_furniture():
    result = extract(page(ARTICLE))
    assert result.title == "The Closing of Xuite"
    assert "Volunteers enumerated blog addresses" in result.text
    assert "All rights reserved" not in result.text
    assert (result.kind, result.language) == ("article", "en")
    assert result.canonical_url == "https://example.org/xuite"


def test_it_reads_traditional_chinese_as_zh_hant():
    html = ("<html><head><title>老街</title></head><body><article><p>"
            + "今天我們去了大溪老街，吃了很多好吃的東西，還買了豆干和麻糬回家。" * 5
            + "</p></article></body></html>")  # fmt: skip
    assert extract(page(html)).language == "zh-hant"


def test_pathological_nesting_falls_back_to_a_flat_reading_and_says_so():
    html = "<html><body>" + "<div>" * 5000 + "<p>Deep text survives.</p>" + "</div>" * 5000
    result = extract(page(html + "</body></html>"))
    assert "Deep text survives." in result.text
    assert result.method == "flat-fallback"


def test_a_raw_javascript_file_is_code_named_by_its_language():
    source = "function add(a, b) {\n  return a + b;\n}\n\nconsole.log(add(1, 2));\n"
    result = extract(page(source, url="https://example.org/static/app.js",
                          content_type="application/octet-stream"))  # fmt: skip
    assert (result.kind, result.code_language) == ("code", "JavaScript")


def test_python_served_as_plain_text_is_recognised_by_its_content():
    source = (
        "import sys\n\n\ndef main(argv):\n    total = 0\n    for arg in argv:\n"
        "        total += int(arg)\n    return total\n\n\nclass Counter:\n    pass\n"
    )
    result = extract(page(source, url="https://example.org/raw/abc", content_type="text/plain"))
    assert result.kind == "code" and result.code_language == "Python"


def test_plain_prose_passes_through_as_text():
    result = extract(
        page("Notes\n\nA plain text file about gardens and rain.", content_type="text/plain")
    )
    assert (result.kind, result.title) == ("text", "Notes")


def test_flat_text_skips_scripts_and_styles():
    text = flat_text("<style>p{}</style><p>One</p><script>var x;</script><p>Two</p>")
    assert text == "One\nTwo"


def test_nul_characters_deep_in_a_page_are_dropped():
    html = "<html><body><article><p>" + "Words and more words. " * 300 + "a\x00b</p></article>"
    assert "\x00" not in extract(page(html)).text


def test_markup_inside_a_title_is_text_as_browsers_read_it():
    html = "<html><head><title>&lt;b&gt; <img src=x>Hostile</title></head><body><p>x</p></body>"
    assert extract(page(html)).title == "<b> <img src=x>Hostile"
