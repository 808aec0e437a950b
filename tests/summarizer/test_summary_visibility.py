"""Summary pages cannot be walked, and private summaries are their maker's alone.

Permanent links were /s/1, /s/2, …: anyone could read every summary, private
texts from the API included. Now a page is named by a random token, and a
summary made with cache=false or from submitted text is never listed nor
reused, and is shown to its owner only.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from summarizer import selectors, services
from summarizer.models import Summary

pytestmark = pytest.mark.django_db


def finish(summary: Summary, output: str = "A private summary.") -> Summary:
    Summary.objects.filter(pk=summary.pk).update(
        state=Summary.State.DONE, output=output, finished_at=timezone.now()
    )
    summary.refresh_from_db()
    return summary


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice")


@pytest.fixture
def bob():
    return get_user_model().objects.create_user("bob")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_are_named_by_unguessable_tokens_not_row_ids(client):
    """GIVEN two summaries THEN each page is /s/<22+ random characters>, and /s/<id> is a 404."""
    rows = [Summary.objects.create(url=f"https://example.org/{n}", state="done", output="x")
            for n in range(2)]  # fmt: skip
    assert all(len(row.token) >= 22 for row in rows) and rows[0].token != rows[1].token
    assert client.get(f"/s/{rows[0].token}").status_code == 200
    for row in rows:
        assert client.get(f"/s/{row.pk}").status_code == 404
        assert client.get(f"/s/{row.pk}/status.json").status_code == 404


@pytest.mark.parametrize("kind", ["text", "cache_false"])
def test_a_private_summary_is_shown_to_its_owner_alone(kind, alice, bob):
    """GIVEN a summary alice made from submitted text, or with cache=false
    THEN its page, status and events answer alice, and 404 to bob and to anyone
    signed out; the home page never lists it."""
    if kind == "text":
        made = services.request_text_summary(text="A secret memo. " * 20, owner=alice)
    else:
        made = services.request_summary(url="https://example.org/memo", keep=False,
                                        owner=alice, enqueue=False)  # fmt: skip
    summary = finish(made, "The memo says the launch is on Friday.")
    assert summary.private and summary.owner == alice

    assert signed_in(alice).get(f"/s/{summary.token}").status_code == 200
    for other in (Client(), signed_in(bob)):
        for path in ("", "/status.json", "/events"):
            assert other.get(f"/s/{summary.token}{path}").status_code == 404
    home = Client().get("/").content.decode()
    assert "launch is on Friday" not in home and summary.token not in home
    assert summary not in selectors.recent()


def test_a_summary_made_without_the_cache_is_not_reused_for_anyone_else(alice, client):
    """GIVEN alice's summary of a URL made with cache=false (use_cache off), finished
    WHEN someone opens /summarize for the same URL
    THEN a new summary is started for them, not alice's shown."""
    mine = finish(services.request_summary(url="https://example.org/p", use_cache=False,
                                           owner=alice, enqueue=False))  # fmt: skip
    assert mine.private
    page = client.get("/summarize", {"url": "https://example.org/p"}).content.decode()
    assert "A private summary." not in page
    assert Summary.objects.count() == 2


def test_the_home_page_lists_public_summaries_only(alice):
    public = finish(services.request_summary(url="https://example.org/open", enqueue=False),
                    "Open words.")  # fmt: skip
    finish(services.request_text_summary(text="Closed words. " * 10, owner=alice))
    home = Client().get("/").content.decode()
    assert f"/s/{public.token}" in home
    assert list(selectors.recent()) == [public]
