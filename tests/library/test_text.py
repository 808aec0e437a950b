"""The index's terms: words folded, CJK runs as overlapping bigrams."""

from __future__ import annotations

from library.backends import PostgresBackend, SQLiteBackend
from library.text import index_terms, parse_query, snippet


def test_cjk_runs_become_bigrams_and_their_last_character_and_words_are_folded():
    assert index_terms("保存網頁 Café ＡＢＣ_def") == "保存 存網 網頁 頁 cafe abc def"
    assert index_terms("ひらがな、한국어") == "ひら らが がな な 한국 국어 어"


def test_a_query_is_its_terms_once_each_in_both_query_languages():
    terms = parse_query("彩虹 it's 彩虹 虹")
    assert [t.text for t in terms] == ["彩虹", "it", "s", "虹"]
    assert PostgresBackend.tsquery(terms) == "('彩虹') & 'it' & 's' & '虹':*"
    assert SQLiteBackend.fts_query(parse_query('高山烏龍 "x')) == '"高山 山烏 烏龍" "x"'


def test_a_snippet_is_escaped_and_marks_each_match():
    text = "x " * 200 + "<b>Starter</b> and the starter, not starters." + " y" * 200
    found = snippet(text, parse_query("starter"))
    assert (
        "&lt;b&gt;<mark>Starter</mark>&lt;/b&gt; and the <mark>starter</mark>, not starters"
        in found
    )
    assert found.startswith("…") and found.endswith("…")
    assert snippet("nothing here", parse_query("starter")) is None
