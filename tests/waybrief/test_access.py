"""Who may change what through the web pages (issue #10).

Admin actions are staff-only; every state-changing page takes POST with a
CSRF token; /summarize, the one GET that starts work, is bounded per client and
never sends anyone off-site; hostile page titles and model output stay text.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from archiver.models import Capture
from crawler.models import CrawlRun, RecoveredPost, Recovery, Site
from summarizer.models import Summary
from waybrief.models import Heartbeat

pytestmark = pytest.mark.django_db


# --- Admin actions --------------------------------------------------------------

ADMIN_ACTIONS = [
    ("crawler/site", "crawl_and_archive"), ("crawler/site", "crawl"),
    ("crawler/site", "check_coverage"), ("crawler/site", "archive_missing"),
    ("crawler/site", "recover"), ("crawler/site", "recover_and_summarize"),
    ("crawler/recovery", "download_csv"), ("crawler/recovery", "download_json"),
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
    return {"crawler/site": site.pk, "crawler/recovery": recovery.pk,
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


# --- State-changing pages: POST with CSRF -----------------------------------------

# (the page, the page whose form posts to it, the form's fields, what the POST writes)
STATE_CHANGING = {
    "/archive": ("/s/{summary}", {"url": "https://example.org/post", "next": "/s/{summary}"},
                 lambda: Capture.objects.count()),
    "/sites/archive": ("/", {"url": "https://blog.xuite.net/alice/diary"},
                       lambda: CrawlRun.objects.count()),
    "/status/ping": ("/status", {}, lambda: Heartbeat.objects.count()),
}  # fmt: skip


@pytest.fixture
def strict(admin_user) -> Client:
    """A browser-like client (CSRF checked) logged in as staff, so that only
    the method and the token decide, not the login."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    return client


@pytest.fixture
def summary() -> Summary:
    return Summary.objects.create(url="https://example.org/post", state=Summary.State.DONE,
                                  output="A short summary.")  # fmt: skip


def form_token(client: Client, page: str) -> str:
    html = client.get(page).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("path", STATE_CHANGING)
def test_state_changing_pages_refuse_get(strict, summary, path):
    """GIVEN a page that changes state WHEN it is fetched with GET (a link, an
    <img>, a prefetch) THEN 405 and nothing is written."""
    _, fields, written = STATE_CHANGING[path]
    response = strict.get(path, {k: v.format(summary=summary.pk) for k, v in fields.items()})
    assert response.status_code == 405
    assert written() == 0


@pytest.mark.parametrize("path", STATE_CHANGING)
def test_state_changing_pages_refuse_a_post_without_a_csrf_token(strict, summary, path):
    """GIVEN a page that changes state WHEN another site's form POSTs to it
    (no CSRF token) THEN 403 and nothing is written."""
    _, fields, written = STATE_CHANGING[path]
    response = strict.post(path, {k: v.format(summary=summary.pk) for k, v in fields.items()})
    assert response.status_code == 403
    assert written() == 0


@pytest.mark.parametrize("path", STATE_CHANGING)
def test_state_changing_pages_take_a_post_from_their_own_form(strict, summary, path):
    """GIVEN the token from the page whose form posts there WHEN the form is
    POSTed with it THEN the change is made and the browser is sent on."""
    page, fields, written = STATE_CHANGING[path]
    token = form_token(strict, page.format(summary=summary.pk))
    data = {k: v.format(summary=summary.pk) for k, v in fields.items()}
    response = strict.post(path, {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert written() == 1
