"""NUL characters from a page or a model never reach a PostgreSQL text column
(issue #24, item 12): the summary finishes, without them."""

from __future__ import annotations

import pytest
from django.db import connection

from summarizer import services
from summarizer.backends.base import Usage
from summarizer.models import Summary
from tests.support.http import Reply

pytestmark = pytest.mark.django_db

# The fetcher treats NUL bytes in the first 4 kB as binary data, so the hostile
# canonical link comes after a long <head>, as a real page's could.
PAGE = (
    "<html><head><title>Tea notes</title>"
    f'<meta name="description" content="{"steeping " * 600}">'
    '<link rel="canonical" href="https://example.org/tea\x00%00/notes">'
    "</head><body><article>"
    + "<p>Green tea wants water below boiling, steeped for two minutes at most.</p>" * 20
    + "</article></body></html>"
)


class NulModel:
    """A model stand-in whose answer is laced with NUL characters."""

    model_name = "nul-stand-in"
    context_length = 4096

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1

    def stream_chat(self, messages, *, max_tokens: int, usage: Usage):
        yield from ["Brew\x00 green tea", "\x00", " cool and short.\x00"]
        usage.prompt_tokens, usage.completion_tokens = 100, 3


def test_nul_in_model_output_and_canonical_link_is_dropped_not_fatal(site, loopback_fetcher):
    assert connection.vendor == "postgresql", "NUL only fails on PostgreSQL"
    url = site.route("/tea", Reply(200, PAGE.encode(), {"Content-Type": "text/html"}))
    summary = services.request_summary(url=url, enqueue=False)

    summary = services.run_summary(summary_id=summary.pk, fetcher=loopback_fetcher,
                                   backend=NulModel())  # fmt: skip

    assert summary.state == Summary.State.DONE, summary.error_message
    assert "\x00" not in summary.output
    assert " ".join(summary.output.split()) == "Brew green tea cool and short."
    assert summary.document.canonical_url == "https://example.org/tea%00/notes"
    assert "\x00" not in summary.document.title + summary.document.text
