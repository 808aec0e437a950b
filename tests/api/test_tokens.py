"""`createtoken` prints a token that is stored only hashed and works under both prefixes."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from knox.models import AuthToken
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def create_token(*args) -> str:
    out = StringIO()
    call_command("createtoken", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_it_prints_a_token_that_is_stored_hashed():
    token = create_token("alice", "--create-user")
    stored = AuthToken.objects.get(user__username="alice")
    assert len(token) >= 32
    assert token not in (stored.digest, stored.token_key)
    assert stored.expiry is None


def test_it_refuses_an_unknown_user_without_create_user():
    with pytest.raises(CommandError, match="--create-user"):
        create_token("nobody")
    assert not get_user_model().objects.filter(username="nobody").exists()


@pytest.mark.parametrize(
    ("prefix", "path"), [("Token", "/api/v1/jobs/"), ("Bot", "/api/v0/summarize")]
)
def test_one_token_serves_both_apis(prefix, path):
    token = create_token("bob", "--create-user")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{prefix} {token}")
    response = client.get(path)
    assert response.status_code != 401, response.content
