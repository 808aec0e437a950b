"""Nothing internal is handed to the Archive, and the archive button is not an
open relay for the operator's Archive keys (issue #24, item 10)."""

from __future__ import annotations

import pytest
from django.test import Client

from archiver.models import Capture
from archiver.services import InvalidURL, archive_urls, why_not_archivable
from summarizer.models import Summary
from waybrief.fetching.addresses import why_not_public_host

INTERNAL = [
    "http://169.254.169.254/latest/meta-data/iam/",
    "http://10.0.0.5/admin?token=s3cret",
    "http://[fd00::1]/",
    "http://[fd00:ec2::254]/",
    "http://127.0.0.1:8000/",
    "http://2130706433/",  # 127.0.0.1 as one number
    "http://0x7f.1/",
    "http://[::ffff:10.0.0.1]/",
    "http://192.0.0.192/",
    "http://100.100.100.200/",
    "http://localhost/",
    "http://LOCALHOST./",
    "http://admin.localhost/",
    "http://printer.local/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://nas.lan/",
    "http://router.home.arpa/",
    "http://intranet/",
    "http://wiki:8080/",
]
PUBLIC = [
    "https://example.org/post/1",
    "http://8.8.8.8/",
    "https://[2606:4700:4700::1111]/",
    "https://blog.xuite.net/alice/diary",
    "https://www.local-news.example/",  # "local" inside a name is fine
    "https://internal.example.com/",
]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_and_names_cannot_be_archived(url, settings):
    settings.FETCH_ALLOW_PRIVATE = False
    assert "not a public" in why_not_archivable(url) or "local or internal" in (
        why_not_archivable(url)
    )


@pytest.mark.parametrize("url", PUBLIC)
def test_public_addresses_and_names_can(url, settings):
    settings.FETCH_ALLOW_PRIVATE = False
    assert why_not_archivable(url) == ""


def test_the_check_never_looks_a_name_up(settings, monkeypatch):
    """GIVEN a name that would resolve to loopback THEN it is judged by its
    spelling only: a 10,000-URL job must not cost 10,000 lookups."""
    import socket

    def no_lookups(*args, **kwargs):
        raise AssertionError("looked a name up")

    monkeypatch.setattr(socket, "getaddrinfo", no_lookups)
    monkeypatch.setattr(socket, "gethostbyname", no_lookups)
    settings.FETCH_ALLOW_PRIVATE = False
    assert why_not_public_host("loopback.example.com") == ""
    assert why_not_archivable("https://loopback.example.com/") == ""


def test_fetch_allow_private_still_lets_loopback_through(settings):
    """The test suite's own sites live on loopback, as FETCH_ALLOW_PRIVATE says."""
    settings.FETCH_ALLOW_PRIVATE = True
    assert why_not_archivable("http://127.0.0.1:8123/post/1") == ""
    assert why_not_archivable("http://localhost:8123/") == ""


@pytest.mark.django_db
def test_archive_urls_refuses_a_batch_with_an_internal_url_whole(settings):
    settings.FETCH_ALLOW_PRIVATE = False
    with pytest.raises(InvalidURL, match="169.254.169.254"):
        archive_urls(["https://example.org/a", "http://169.254.169.254/"], enqueue=False)
    assert not Capture.objects.exists()


# --- The archive button -------------------------------------------------------------


def press(client: Client, url: str):
    return client.post("/archive", {"url": url})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/", "http://10.0.0.5/admin?token=x", "http://[fd00::1]/"]
)
def test_the_button_refuses_internal_urls_even_for_staff(admin_client, url, settings):
    settings.FETCH_ALLOW_PRIVATE = False
    response = press(admin_client, url)
    assert response.status_code == 400
    assert "cannot be archived" in response.content.decode()
    assert not Capture.objects.exists()


@pytest.mark.django_db
def test_an_anonymous_visitor_cannot_archive_a_url_nobody_summarized(client):
    response = press(client, "https://example.org/never-summarized")
    assert response.status_code == 403
    assert "Sign in" in response.content.decode()
    assert not Capture.objects.exists()


@pytest.mark.django_db
def test_an_anonymous_visitor_may_archive_a_page_summarized_here(client):
    Summary.objects.create(url="https://example.org/post", state=Summary.State.DONE, output="S.")
    assert press(client, "https://example.org/post").status_code == 302
    assert Capture.objects.filter(url="https://example.org/post").exists()


@pytest.mark.django_db
def test_a_failed_summary_does_not_open_the_button(client):
    Summary.objects.create(url="https://example.org/gone", state=Summary.State.FAILED)
    assert press(client, "https://example.org/gone").status_code == 403


@pytest.mark.django_db
def test_a_signed_in_user_may_archive_any_public_url(admin_client):
    assert press(admin_client, "https://example.org/anything").status_code == 302
    assert Capture.objects.filter(url="https://example.org/anything").exists()


@pytest.mark.django_db
def test_the_button_still_needs_its_csrf_token(admin_user):
    """GIVEN a signed-in user WHEN the form comes without its CSRF token THEN 403."""
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
    response = press(strict, "https://example.org/anything")
    assert response.status_code == 403 and "CSRF" in response.content.decode()
    assert not Capture.objects.exists()
