"""Old Taiwanese blogs: Big5 with no charset anywhere must come out right."""

import pytest

from tests.support.documents import POST, TITLE
from tests.support.http import Reply
from waybrief.fetching.charsets import decode


def test_a_short_big5_post_without_a_charset_decodes_as_big5():
    decoded = decode(POST.encode("cp950"))
    assert decoded.encoding == "cp950"
    assert TITLE in decoded.text and "碁盤" in decoded.text


def test_a_big5_label_decodes_as_cp950_so_that_rare_characters_survive():
    body = ('<meta charset="big5">' + POST).encode("cp950")
    decoded = decode(body)
    assert (decoded.encoding, decoded.source) == ("cp950", "meta")
    assert "碁盤上的棋子" in decoded.text


def test_a_meta_charset_is_trusted_over_a_guess():
    body = '<meta http-equiv="Content-Type" content="text/html; charset=gbk"><p>简体中文内容</p>'
    decoded = decode(body.encode("gbk"))
    assert (decoded.encoding, decoded.source) == ("gb18030", "meta")


def test_a_wrong_latin_header_on_big5_bytes_is_second_guessed():
    decoded = decode(POST.encode("cp950"), header_charset="iso-8859-1")
    assert decoded.encoding == "cp950"


def test_simplified_chinese_without_a_charset_decodes_as_gb18030():
    body = "<p>今天我们去了老街，吃了很多好吃的东西。这是一篇很短的文章。</p>".encode("gbk")
    assert decode(body).encoding == "gb18030"


def test_latin_text_stays_latin():
    decoded = decode("<p>Café au lait, crème brûlée, déjà vu.</p>".encode("cp1252"))
    assert "crème brûlée" in decoded.text


@pytest.mark.parametrize("hint", [{"host": "blog.example.tw"}, {"site_charset": "big5"}])
def test_hints_break_ties_toward_big5(hint):
    assert decode(POST.encode("cp950"), **hint).encoding == "cp950"


def test_the_fetcher_decodes_a_big5_page_served_without_charset(loopback_fetcher, site):
    site.route("/post", Reply(200, POST.encode("cp950"), {"Content-Type": "text/html"}))
    page = loopback_fetcher.fetch(site.url("/post"))
    assert page.encoding == "cp950"
    assert TITLE in page.text
