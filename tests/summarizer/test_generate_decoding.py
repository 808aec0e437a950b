"""Decoding settings are part of a cached summary's key, through prompts.VERSION."""

from summarizer import prompts
from summarizer.generate import DECODING

# The decoding each prompt version was written with. Changing DECODING without
# bumping prompts.VERSION (and adding its line here) would serve summaries
# written under other settings from the cache.
WRITTEN_WITH = {
    3: {
        "summary": (0.2, 0.9, 1.15, 42),
        "takeaway": (0.3, 0.9, 1.2, 42),
        "explain": (0.1, 0.9, 1.1, 42),
        "note": (0.1, 0.9, 1.15, 42),
    },
}


def test_decoding_changes_bump_the_prompt_version():
    current = {
        mode: (d.temperature, d.top_p, d.repeat_penalty, d.seed) for mode, d in DECODING.items()
    }
    assert WRITTEN_WITH[prompts.VERSION] == current
