"""A site page's actions: POST with a CSRF token only, each through the
services the admin and the API use."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client

from archiver.models import Capture
from crawler.models import CrawlRun
from sites.coverage import COVERAGE_TASK
from sites.models import Recovery
from summarizer.models import Summary
from tests.sites.pages_data import a_site, every_state

pytestmark = pytest.mark.django_db
ACTIONS = ("archive-gaps", "retry-failed", "summarize", "recover", "crawl")


@pytest.fixture
def strict(admin_user) -> Client:
    """A browser-like client: CSRF is checked, so only the token decides."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    return client


def form_token(client: Client, page: str) -> str:
    html = client.get(page).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def written() -> tuple[int, ...]:
    return (Capture.objects.count(), Summary.objects.count(), Recovery.objects.count(),
            CrawlRun.objects.count(),
            Capture.objects.filter(state="pending").count())  # fmt: skip


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_refuses_get(strict, action):
    site = a_site(posts=8)
    every_state(site)
    before = written()
    assert strict.get(f"/sites/{site.pk}/{action}").status_code == 405
    assert written() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_refuses_a_post_without_the_token(strict, action):
    site = a_site(posts=8)
    every_state(site)
    before = written()
    assert strict.post(f"/sites/{site.pk}/{action}").status_code == 403
    assert written() == before


def test_the_page_offers_each_action_as_a_form_with_its_token(strict):
    site = a_site(posts=2)
    html = strict.get(f"/sites/{site.pk}/").content.decode()
    for action in ACTIONS:
        form = re.search(rf'<form method="post" action="/sites/{site.pk}/{action}">(.*?)</form>',
                         html, re.S)  # fmt: skip
        assert form and "csrfmiddlewaretoken" in form.group(1), action


def test_retry_the_failed_puts_each_posts_latest_failed_capture_back_in_line(strict):
    """GIVEN a failed post and a post whose old failure was since archived
    WHEN "retry the failed" is posted THEN only the first is queued again."""
    site = a_site(posts=8)
    by_state = every_state(site)
    old = Capture.objects.create(url=by_state["archived"], state="failed", reason="old")
    earlier = Capture.objects.get(url=by_state["archived"], state="archived").created_at
    Capture.objects.filter(pk=old.pk).update(created_at=earlier - timedelta(days=1))
    token = form_token(strict, f"/sites/{site.pk}/")
    response = strict.post(f"/sites/{site.pk}/retry-failed", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == f"/sites/{site.pk}/"
    assert Capture.objects.get(url=by_state["failed"]).state == "pending"
    assert Capture.objects.get(url=by_state["archived"], reason="old").state == "failed"


def test_summarize_every_post_asks_once_for_each_post_without_a_summary(strict):
    """GIVEN 8 posts, one summarized and one read from the Archive (the blog is gone)
    WHEN "summarize every post" is posted THEN each of the other posts gets one
    pending summary of its page, the gone one a summary of its capture; again asks for none."""
    site = a_site(posts=8)
    by_state = every_state(site)
    token = form_token(strict, f"/sites/{site.pk}/")
    strict.post(f"/sites/{site.pk}/summarize", {"csrfmiddlewaretoken": token})
    pending = Summary.objects.filter(state="pending")
    assert pending.count() == 7
    assert pending.get(url=by_state["gone"]).source == "archive"
    assert not pending.filter(url=by_state["archived"]).exists()

    strict.post(f"/sites/{site.pk}/summarize", {"csrfmiddlewaretoken": token})
    assert Summary.objects.count() == 8


def test_recover_queues_a_recovery_of_the_site(strict):
    site = a_site(posts=2)
    token = form_token(strict, f"/sites/{site.pk}/")
    strict.post(f"/sites/{site.pk}/recover", {"csrfmiddlewaretoken": token, "summarize": "1"})
    row = Recovery.objects.get()
    assert row.site == site and row.summarize and row.state == "pending"


def test_crawl_again_queues_a_crawl_that_archives(strict):
    site = a_site(posts=2)
    token = form_token(strict, f"/sites/{site.pk}/")
    strict.post(f"/sites/{site.pk}/crawl", {"csrfmiddlewaretoken": token})
    run = site.runs.order_by("-created_at").first()
    assert run.state == "pending" and run.archive_posts


def test_archive_the_gaps_rings_the_coverage_check_that_archives_the_missing(
    strict, django_capture_on_commit_callbacks
):
    """The admin's "archive the missing posts" does the same: a coverage check on
    the workers (reading the index takes longer than a request), with archiving."""
    site = a_site(posts=2)
    token = form_token(strict, f"/sites/{site.pk}/")
    with django_capture_on_commit_callbacks() as rung:
        strict.post(f"/sites/{site.pk}/archive-gaps", {"csrfmiddlewaretoken": token})
    assert [call.args for call in rung] == [(COVERAGE_TASK, site.pk, True)]


def test_an_unknown_action_is_not_found(strict):
    site = a_site(posts=1)
    token = form_token(strict, f"/sites/{site.pk}/")
    assert (
        strict.post(f"/sites/{site.pk}/delete", {"csrfmiddlewaretoken": token}).status_code == 404
    )


def test_summarizing_many_posts_only_the_archive_holds_goes_to_a_recovery(strict, monkeypatch):
    """Past a few hundred gone posts, one request each would hold the page: a
    recovery with summaries does them on the workers, from their captures."""
    from sites.pages import actions

    monkeypatch.setattr(actions, "MANY_GONE", 0)
    site = a_site(posts=8)
    by_state = every_state(site)
    token = form_token(strict, f"/sites/{site.pk}/")
    strict.post(f"/sites/{site.pk}/summarize", {"csrfmiddlewaretoken": token})
    assert Recovery.objects.filter(site=site, summarize=True, state="pending").count() == 1
    assert not Summary.objects.filter(url=by_state["gone"]).exists()
