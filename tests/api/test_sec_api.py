"""Hostile bodies, internal URLs and token lifetime on /api/v1/ (issue #24,
items 10 and 12)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from api.models import Job
from archiver.models import Capture

pytestmark = pytest.mark.django_db


def nested(depth: int) -> str:
    return '{"urls": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_deeply_nested_json_is_a_400_not_a_500(api, depth):
    response = api.post("/api/v1/jobs/", nested(depth), content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert "nested too deeply" in response.json()["detail"]
    assert not Job.objects.exists()


def test_a_form_encoded_job_is_refused_and_creates_nothing(api):
    """GIVEN a form post (no actions field, so no default either) THEN it is
    refused as a body the API does not read, and no job that does nothing is made."""
    response = api.post(
        "/api/v1/jobs/", "urls=https%3A%2F%2Fexample.org%2F1",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415, response.content
    assert not Job.objects.exists()


def test_a_job_with_no_actions_is_a_400(api):
    body = {"urls": ["https://example.org/1"], "actions": []}
    response = api.post("/api/v1/jobs/", body, format="json")
    assert response.status_code == 400 and "actions" in response.json()
    assert not Job.objects.exists()


def test_a_json_job_without_actions_still_archives_by_default(api):
    response = api.post("/api/v1/jobs/", {"urls": ["https://example.org/1"]}, format="json")
    assert response.status_code == 201 and response.json()["actions"] == ["archive"]


INTERNAL = [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/admin?token=s3cret",
    "http://[fd00::1]/",
    "http://localhost:8000/",
    "http://intranet/",
    "http://db.internal/",
]


def test_an_archive_job_naming_internal_hosts_is_refused_by_index(api):
    urls = ["https://example.org/ok", *INTERNAL]
    response = api.post("/api/v1/jobs/", {"urls": urls, "actions": ["archive"]}, format="json")
    assert response.status_code == 400
    assert [e["index"] for e in response.json()["errors"]] == list(range(1, len(urls)))
    assert not Capture.objects.exists() and not Job.objects.exists()


# --- Tokens: revoke one's own, and expiry ---------------------------------------------


def test_a_client_revokes_its_own_token(api, token, user):
    other = AuthToken.objects.create(user=user, expiry=None)[1]
    response = api.delete("/api/v1/tokens/current")
    assert response.status_code == 204
    assert api.get("/api/v1/jobs/").status_code == 401
    assert api.delete("/api/v1/tokens/current").status_code == 401
    still = APIClient()
    still.credentials(HTTP_AUTHORIZATION=f"Token {other}")
    assert still.get("/api/v1/jobs/").status_code == 200


def test_the_bot_prefix_revokes_too(bot):
    assert bot.delete("/api/v1/tokens/current").status_code == 204
    assert not AuthToken.objects.exists()


def test_revoking_needs_a_token(user):
    client = APIClient()
    client.force_login(user)  # a session is not a token: nothing to revoke
    assert client.delete("/api/v1/tokens/current").status_code in (401, 403)


def test_the_schema_documents_revoking(api):
    import yaml

    schema = yaml.safe_load(api.get("/api/v1/schema/").content)
    assert "delete" in schema["paths"]["/api/v1/tokens/current"]


def create_token(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("createtoken", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_createtoken_gives_a_token_that_expires_after_n_days():
    token, note = create_token("carol", "--create-user", "--expires-days", "7")
    stored = AuthToken.objects.get(user__username="carol")
    left = stored.expiry - timezone.now()
    assert timedelta(days=6, hours=23) < left <= timedelta(days=7)
    assert "expires" in note
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/jobs/").status_code == 200

    AuthToken.objects.filter(pk=stored.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/jobs/").status_code == 401


def test_createtoken_refuses_a_non_positive_expiry():
    with pytest.raises(CommandError, match="expires-days"):
        create_token("dave", "--create-user", "--expires-days", "0")
    assert not AuthToken.objects.exists()

