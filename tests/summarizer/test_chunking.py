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


class Counting:
    """A tokenizer that counts its calls: each is a round trip on ``openai``."""

    def __init__(self, count=lambda text: len(text) // 4 + 1) -> None:
        self.count = count
        self.calls = 0

    def __call__(self, text: str) -> int:
        self.calls += 1
        return self.count(text)


def test_paragraphs_on_single_newlines_split_between_lines():
    """trafilatura separates paragraphs with one newline, and many have no full stop."""
    lines = [f"line {i} of the post has some words but no full stop" for i in range(60)]
    parts = split("\n".join(lines), budget=60, count=words)
    assert len(parts) > 1
    for part in parts:
        assert all(line in lines for line in part.split("\n"))
    assert "\n".join(parts).split("\n") == lines


def test_every_part_is_within_budget_by_the_exact_count():
    """Joining pieces costs tokens of its own: the packed part is what must fit."""

    def costly_newlines(text: str) -> int:
        return words(text) + 3 * text.count("\n")

    text = "\n\n".join(" ".join(["w"] * 5) for _ in range(100))
    parts = split(text, budget=40, count=costly_newlines)
    assert all(costly_newlines(part) <= 40 for part in parts)
    assert sum(words(p) for p in parts) == 500


def test_a_big_text_costs_a_few_tokenizer_calls_per_part():
    counter = Counting()
    text = "\n".join(f"Paragraph {i} is about the archive and its blogs." for i in range(20_000))
    parts = split(text, budget=1000, count=counter)
    assert len(parts) > 100
    assert counter.calls <= 2 * len(parts) + 2  # not one per paragraph (20,000)


def test_a_ten_megabyte_text_is_chunked_in_well_under_a_second():
    import time

    counter = Counting()
    text = ("The archive keeps blogs that would otherwise vanish. " * 8 + "\n") * 24_000
    assert len(text) >= 10_000_000
    started = time.monotonic()
    parts = split(text, budget=4000, count=counter)
    assert time.monotonic() - started < 1.0
    assert len(parts) > 500 and counter.calls <= 2 * len(parts) + 2
