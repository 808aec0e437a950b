"""Prompts written for small models: the document first, the task last, the
language named in that language."""

import dataclasses

from summarizer import prompts


def job(**extra) -> prompts.Job:
    values = {"mode": "summary", "language": "ZH-HANT", "title": "T", "kind": "article"}
    return prompts.Job(**(values | extra))


def user(messages) -> str:
    assert messages[-1]["role"] == "user"
    return messages[-1]["content"]


def test_the_task_and_the_language_come_after_the_document():
    content = user(prompts.document_messages(job(), "DOCUMENT TEXT"))
    assert content.index("DOCUMENT TEXT") < content.index("Summarize")
    assert content.rstrip().endswith("請用繁體中文回答。")


def test_the_language_is_named_in_that_language():
    for code, line in (("ZH", "请用简体中文回答"), ("JA", "日本語で"), ("EN", "English")):
        assert line in user(prompts.document_messages(job(language=code), "x"))


def test_every_mode_puts_its_instruction_last():
    for mode in prompts.MODES:
        content = user(prompts.document_messages(job(mode=mode, kind="code"), "CODE"))
        assert content.index("CODE") < content.index("3" if mode != "explain" else "Explain")


def test_explain_asks_for_prose_and_no_code():
    content = user(prompts.document_messages(job(mode="explain", kind="code"), "x = 1"))
    assert "Do not write any code" in content


def test_the_map_step_has_its_instruction_after_its_part():
    content = user(prompts.part_messages(job(), "PART TEXT", 2, 5))
    assert content.index("PART TEXT") < content.index("part 2 of 5")
    assert "whole part" in content
    assert content.rstrip().endswith("請用繁體中文回答。")


def test_the_reduce_step_lists_every_note_before_the_task():
    content = user(prompts.combine_messages(job(), ["first note", "second note", "third note"]))
    for i, note in enumerate(["first note", "second note", "third note"], 1):
        assert f"Part {i}: {note}" in content
    assert content.index("third note") < content.index("Summarize the whole document")


def test_the_stricter_retry_insists_on_the_language():
    strict = dataclasses.replace(job(), strict=True)
    assert prompts.STRICT["ZH-HANT"] in user(prompts.document_messages(strict, "x"))


def test_chinese_languages_py3langid_names_map_to_chinese_not_english():
    assert prompts.language_code("yue") == "ZH-HANT"
