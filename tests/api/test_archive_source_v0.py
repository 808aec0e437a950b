"""source=archive on /api/v0/summarize and /summarize asks for the archived copy."""

from __future__ import annotations

import pytest

from summarizer.models import Summary

pytestmark = pytest.mark.django_db


def test_v0_passes_source_archive_on(bot, settings):
    """GIVEN a v0 request with source=archive WHEN it is answered THEN the
    summary it started reads the archived copy."""
    settings.API_V0_WAIT_SECONDS = 0

    response = bot.get("/api/v0/summarize", {"url": "https://e.org/gone", "source": "archive"},
                       HTTP_PREFER="respond-async")  # fmt: skip

    assert response.status_code == 202
    assert Summary.objects.get(url="https://e.org/gone").source == "archive"


def test_v0_refuses_an_unknown_source(bot):
    response = bot.get("/api/v0/summarize", {"url": "https://e.org/", "source": "moon"})
    assert response.status_code == 400


def test_the_summarize_page_passes_source_archive_on(client):
    """GIVEN a finished summary of the live page WHEN /summarize is opened
    with source=archive THEN a new summary of the archived copy is started."""
    live = Summary.objects.create(url="https://e.org/p", state=Summary.State.DONE, output="x")

    response = client.get("/summarize", {"url": "https://e.org/p", "source": "archive"})

    assert response.status_code == 200
    started = Summary.objects.exclude(pk=live.pk).get()
    assert started.source == "archive"
    assert client.get("/summarize", {"url": "https://e.org/p", "source": "x"}).status_code == 400


def test_v0_refuses_text_that_is_not_a_string(bot):
    """Found by schemathesis: a JSON number as ``text`` was a 500."""
    response = bot.post("/api/v0/summarize", {"text": -15149130}, format="json")
    assert response.status_code == 400
