"""The pipeline around the model: language checks, loops, caps, map-reduce."""

import time

from summarizer import prompts
from summarizer.generate import DECODING, generate
from summarizer.postprocess import cut_notice
from tests.summarizer.scripted import ScriptedBackend, looping, user_text

ENGLISH = "The lighthouse was built in 1871. It is 34 metres tall. It was automated in 1989."
CHINESE = "燈塔建於一八七一年。燈塔高三十四公尺。燈塔在一九八九年改為自動化。"


def job(mode: str = "summary", language: str = "EN", **extra) -> prompts.Job:
    return prompts.Job(mode=mode, language=language, title="The Lighthouse", kind="article",
                       **extra)  # fmt: skip


def test_an_answer_in_the_wrong_language_is_retried_once_with_a_stricter_instruction():
    backend = ScriptedBackend([ENGLISH, CHINESE])
    result = generate(backend, job(language="ZH-HANT"), "The text.", max_output=128)
    assert len(backend.prompts) == 2
    assert prompts.STRICT["ZH-HANT"] in user_text(backend.prompts[1])
    assert prompts.STRICT["ZH-HANT"] not in user_text(backend.prompts[0])
    assert (result.output, result.language, result.retried) == (CHINESE, "ZH-HANT", True)


def test_an_answer_still_in_the_wrong_language_is_labelled_with_the_language_it_is_in():
    backend = ScriptedBackend([ENGLISH, ENGLISH])
    result = generate(backend, job(language="ZH-HANT"), "The text.", max_output=128)
    assert len(backend.prompts) == 2  # one retry, no more
    assert result.output == ENGLISH
    assert result.language == "EN"


def test_an_answer_in_the_language_asked_is_not_retried():
    backend = ScriptedBackend([CHINESE])
    result = generate(backend, job(language="ZH-HANT"), "文字。", max_output=128)
    assert len(backend.prompts) == 1 and result.language == "ZH-HANT"


def test_a_model_in_a_loop_is_stopped_and_its_repeats_removed():
    backend = ScriptedBackend(looping("The lighthouse is on the point."))
    result = generate(backend, job(), "The text.", max_output=400)
    assert result.tokens_out < 30  # stopped at the first repeat, not at the cap
    assert result.output == "The lighthouse is on the point."
    assert not result.capped


def test_an_answer_cut_at_the_cap_ends_at_a_whole_sentence_and_says_so():
    backend = ScriptedBackend([ENGLISH + " The keepers wound the clockwork every two hours"])
    result = generate(backend, job(), "The text.", max_output=20)
    assert result.capped
    assert result.output == f"{ENGLISH} {cut_notice('EN')}"


def test_each_mode_gets_its_own_decoding():
    for mode in ("summary", "takeaway", "explain"):
        backend = ScriptedBackend(["- One point here.\n- Two points here.\n- Three points."])
        generate(backend, job(mode=mode), "The text.", max_output=64)
        assert backend.decodings == [DECODING[mode]]


def test_map_reduce_notes_cover_every_part_and_the_reduce_uses_every_note():
    paragraphs = [f"Paragraph {i} says that fact number {i} holds. " * 6 for i in range(40)]
    text = "\n".join(paragraphs)  # single newlines, as trafilatura writes them

    def answer(messages):
        content = user_text(messages)
        if content.startswith("Notes on"):
            return "The whole document, combined."
        numbers = sorted({int(n) for n in __import__("re").findall(r"Paragraph (\d+)", content)})
        return f"Facts {numbers[0]} to {numbers[-1]} hold."

    backend = ScriptedBackend(answer, context_length=1024)
    result = generate(backend, job(), text, max_output=128)

    assert result.parts > 2
    notes = [user_text(p) for p in backend.prompts[:-1]]
    assert all(n.index("Paragraph") < n.index("The text above is part") for n in notes)
    reduce = user_text(backend.prompts[-1])
    for index in range(1, result.parts + 1):
        assert f"Part {index}: Facts" in reduce
    assert "Facts 0 to" in reduce and "to 39 hold." in reduce  # the first and last parts
    assert reduce.rindex("Summarize the whole document") > reduce.rindex("Part ")


def test_a_ten_megabyte_text_is_cut_and_says_so_in_well_under_a_second():
    text = ("A sentence about the archive and its many blogs. " * 20 + "\n") * 10_200
    assert len(text) > 10_000_000
    backend = ScriptedBackend(lambda m: "Notes on the blogs." if "part" in user_text(m)
                              else "The archive keeps blogs.", context_length=4096)  # fmt: skip
    started = time.monotonic()
    result = generate(backend, job(), text, max_output=128, max_input_chars=200_000)
    elapsed = time.monotonic() - started

    assert elapsed < 1.0
    assert result.input_cut
    assert result.output.endswith(
        "[Only the first 200,000 characters of a longer text were summarized.]")  # fmt: skip
    # A few exact counts per part, not one per paragraph (25,520 round trips before).
    assert backend.count_calls <= 3 * result.parts + 10
