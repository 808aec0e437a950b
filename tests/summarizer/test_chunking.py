"""Long texts split on natural boundaries, in order, with nothing dropped."""

from summarizer.chunking import split


def words(text: str) -> int:
    return len(text.split())


def test_a_text_that_fits_is_one_part():
    assert split("a b c", budget=10, count=words) == ["a b c"]


def test_paragraphs_are_packed_up_to_the_budget_in_order():
    paragraphs = [" ".join([f"p{i}"] * 4) for i in range(10)]
    parts = split("\n\n".join(paragraphs), budget=10, count=words)
    assert len(parts) == 5
    assert all(words(p) <= 10 for p in parts)
    assert " ".join(parts).split() == "\n\n".join(paragraphs).split()


def test_an_enormous_paragraph_splits_on_sentences_then_hard_cuts():
    sentence = "word " * 30 + "end."
    text = " ".join([sentence] * 4) + " " + "x" * 500
    parts = split(text, budget=40, count=lambda t: max(words(t), len(t) // 10))
    assert len(parts) > 4
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")


def test_code_splits_before_top_level_definitions():
    code = "\n".join(f"def f{i}():\n    return {i}\n" for i in range(6))
    parts = split(code, budget=12, count=words, code=True)
    assert len(parts) > 1
    assert all(part.lstrip().startswith("def ") for part in parts)
