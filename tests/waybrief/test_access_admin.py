"""Admin actions are staff-only, and need CSRF (issue #10)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from archiver.models import Capture
from crawler.models import CrawlRun, Site
from sites.models import RecoveredPost, Recovery
from summarizer.models import Summary

pytestmark = pytest.mark.django_db


# --- Admin actions --------------------------------------------------------------

ADMIN_ACTIONS = [
    ("crawler/site", "crawl_and_archive"), ("crawler/site", "crawl"),
    ("crawler/site", "check_coverage"), ("crawler/site", "archive_missing"),
    ("crawler/site", "recover"), ("crawler/site", "recover_and_summarize"),
    ("sites/recovery", "download_csv"), ("sites/recovery", "download_json"),
    ("archiver/capture", "retry_failed"), ("summarizer/summary", "delete_selected"),
]  # fmt: skip


@pytest.fixture
def rows() -> dict[str, int]:
    """One row for every changelist an action runs on."""
    site = Site.objects.create(url="https://blog.example.org/", adapter="links")
    recovery = Recovery.objects.create(site=site, state=Recovery.State.DONE, posts_found=1)
    RecoveredPost.objects.create(recovery=recovery, url="https://blog.example.org/1",
                                 timestamp="20200101000000")  # fmt: skip
    capture = Capture.objects.create(url="https://blog.example.org/1", state="failed",
                                     reason="error:gone")  # fmt: skip
    summary = Summary.objects.create(url="https://blog.example.org/1", state="done", output="x")
    return {"crawler/site": site.pk, "sites/recovery": recovery.pk,
            "archiver/capture": capture.pk, "summarizer/summary": summary.pk}  # fmt: skip


def ledger() -> tuple:
    """Everything an admin action could write."""
    return (
        list(CrawlRun.objects.values_list("pk", "state")),
        list(Recovery.objects.values_list("pk", "state")),
        list(Capture.objects.values_list("pk", "state", "retries")),
        list(Summary.objects.values_list("pk", "state")),
        Site.objects.count(),
    )


def post_action(client: Client, changelist: str, action: str, pk: int):
    return client.post(f"/admin/{changelist}/", {"action": action, "_selected_action": [pk],
                                                 "post": "yes"})  # fmt: skip


def non_staff_client() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_user(username="visitor", password="x"))
    return client


def staff_without_permissions_client() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_user(username="clerk", is_staff=True))
    return client


@pytest.mark.parametrize(("changelist", "action"), ADMIN_ACTIONS)
@pytest.mark.parametrize("who", ["anonymous", "a logged-in user who is not staff"])
def test_admin_actions_send_non_staff_to_the_login_page_and_change_nothing(
    rows, django_capture_on_commit_callbacks, changelist, action, who
):
    """GIVEN rows every admin action can work on
    WHEN an anonymous visitor, or a logged-in user without staff status, POSTs
    the action to its changelist
    THEN the answer is a redirect to the admin login, no file is sent, no row
    is written or changed and nothing is queued for the workers."""
    client = Client() if who == "anonymous" else non_staff_client()
    before = ledger()
    with django_capture_on_commit_callbacks() as queued:
        response = post_action(client, changelist, action, rows[changelist])
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not response.has_header("Content-Disposition")
    assert ledger() == before and queued == []


@pytest.mark.parametrize(("changelist", "action"), ADMIN_ACTIONS)
def test_admin_actions_refuse_staff_without_the_models_permissions(
    rows, django_capture_on_commit_callbacks, changelist, action
):
    """GIVEN a staff member with no model permissions WHEN they POST an action
    THEN 403, and nothing is written, queued or sent."""
    client = staff_without_permissions_client()
    before = ledger()
    with django_capture_on_commit_callbacks() as queued:
        response = post_action(client, changelist, action, rows[changelist])
    assert response.status_code == 403
    assert not response.has_header("Content-Disposition")
    assert ledger() == before and queued == []


@pytest.mark.parametrize(("changelist", "action"), ADMIN_ACTIONS)
def test_admin_actions_work_for_a_superuser(
    admin_client, rows, django_capture_on_commit_callbacks, changelist, action
):
    """The control for the refusals above: GIVEN the same rows WHEN a superuser
    POSTs the action THEN it takes effect (a row written, work queued or a file
    sent), so each refusal is the access check and not a broken action."""
    before = ledger()
    with django_capture_on_commit_callbacks() as queued:
        response = post_action(admin_client, changelist, action, rows[changelist])
    assert response.status_code in (200, 302)
    assert ledger() != before or queued or response.has_header("Content-Disposition")


def test_an_admin_action_without_a_csrf_token_is_refused(admin_user, rows):
    """GIVEN a logged-in superuser on a client that checks CSRF like a browser
    WHEN an action is POSTed without the token THEN 403 and no crawl exists."""
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
    response = post_action(strict, "crawler/site", "crawl_and_archive", rows["crawler/site"])
    assert response.status_code == 403
    assert not CrawlRun.objects.exists()
