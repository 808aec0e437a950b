"""Who may call the API: every operation needs a token; the schema and docs are public.

The walk is driven by the schema the API serves, so an endpoint added later is
covered without touching this file.
"""

from __future__ import annotations

import re

import pytest
import yaml
from rest_framework.test import APIClient

from api.models import Job
from crawler.models import Site
from summarizer.models import Summary

pytestmark = pytest.mark.django_db

# What the walk must at least see, so that a schema which lost its paths
# cannot make the access checks pass by checking nothing.
KNOWN_OPERATIONS = {
    ("get", "/api/v1/jobs/"), ("post", "/api/v1/jobs/"), ("delete", "/api/v1/jobs/{id}/"),
    ("get", "/api/v1/jobs/{id}/items/"), ("post", "/api/v1/sites/"),
    ("get", "/api/v1/sites/{id}/coverage/"), ("post", "/api/v1/sites/{id}/recover/"),
    ("get", "/api/v1/summaries/{id}/"), ("post", "/api/v0/summarize"),
    ("get", "/api/v0/summarize/{id}"),
}  # fmt: skip
ANONYMOUS = {"no credentials": {}, "a wrong token": {"HTTP_AUTHORIZATION": "Token not-a-token"},
             "a wrong bot token": {"HTTP_AUTHORIZATION": "Bot not-a-token"}}  # fmt: skip


@pytest.fixture
def objects(user) -> dict[str, str]:
    """One existing object per resource, to fill the schema's path parameters."""
    job = Job.objects.create(owner=user, actions=["archive"])
    site = Site.objects.create(url="https://blog.example.org/", adapter="links")
    summary = Summary.objects.create(url="https://example.org/a", state=Summary.State.DONE,
                                     output="Words.", owner=user)  # fmt: skip
    return {"jobs": str(job.pk), "sites": str(site.pk), "summaries": str(summary.pk),
            "summarize": str(summary.pk)}  # fmt: skip


def operations(schema: dict, objects: dict[str, str]) -> list[tuple[str, str]]:
    """Every (method, concrete path) in the schema, path parameters filled in."""
    found = []
    for template, item in schema["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                found.append((method, template))
    assert set(found) >= KNOWN_OPERATIONS, KNOWN_OPERATIONS - set(found)
    # Revoking the token in use goes last, or it would end the walk's own token.
    ordered = sorted(found, key=lambda op: (op == ("delete", "/api/v1/tokens/current"), op))
    return [(method, fill(template, objects)) for method, template in ordered]


def fill(template: str, objects: dict[str, str]) -> str:
    """/api/v1/jobs/{id}/items/ -> /api/v1/jobs/<an existing job's id>/items/"""

    def value(match: re.Match) -> str:
        resource = template[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        return objects[resource]

    return re.sub(r"\{[^}]+\}", value, template)


def served_schema(client: APIClient) -> dict:
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200, response.content
    return yaml.safe_load(response.content)


@pytest.mark.parametrize("credentials", ANONYMOUS.values(), ids=ANONYMOUS.keys())
def test_every_operation_in_the_schema_refuses_a_request_without_a_valid_token(
    api, objects, credentials
):
    """GIVEN every path and method the served OpenAPI schema lists, path
    parameters filled with existing objects' ids
    WHEN each is called with no token, or with a token that does not exist
    THEN each answers 401 with a WWW-Authenticate challenge, and nothing is created."""
    counts = (Job.objects.count(), Site.objects.count(), Summary.objects.count())
    stranger = APIClient()
    for method, path in operations(served_schema(api), objects):
        response = getattr(stranger, method)(path, {}, format="json", **credentials)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.has_header("WWW-Authenticate"), (method, path)
    assert (Job.objects.count(), Site.objects.count(), Summary.objects.count()) == counts


def test_every_operation_in_the_schema_is_reachable_with_a_token(api, objects):
    """GIVEN the same walk WHEN each operation is called with a valid token
    THEN none answers 401 or 403: the refusals above come from the missing
    token, not from a route that refuses everyone."""
    for method, path in operations(served_schema(api), objects):
        response = getattr(api, method)(path, {}, format="json")
        assert response.status_code not in (401, 403), (method, path, response.content[:300])


def test_the_api_root_needs_a_token_too(api):
    """GIVEN the router's index of /api/v1/ (not in the schema)
    WHEN it is asked without a token, then with one THEN 401, then 200."""
    assert APIClient().get("/api/v1/").status_code == 401
    assert api.get("/api/v1/").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/docs/"])
def test_the_schema_and_its_docs_page_are_public(path):
    """Decision: the schema and the docs page describe the API and hold no data,
    and API clients (code generators, schemathesis) fetch the schema before they
    have a token; so both answer anonymous requests.
    GIVEN no credentials WHEN the schema or the docs page is asked for THEN 200."""
    assert APIClient().get(path).status_code == 200


def test_the_public_schema_is_the_whole_schema_and_carries_no_data(api, objects):
    """GIVEN stored objects WHEN the schema is fetched anonymously
    THEN it lists the same operations a token holder sees, every one of them
    marked as needing a token, and none of the stored data appears in it."""
    Site.objects.filter(pk=objects["sites"]).update(url="https://secret-blog.example.org/")
    public = APIClient().get("/api/v1/schema/")
    schema = yaml.safe_load(public.content)
    assert schema["paths"] == served_schema(api)["paths"]
    for item in schema["paths"].values():
        for method, operation in item.items():
            assert operation["security"] and {} not in operation["security"], (method, operation)
    assert b"secret-blog" not in public.content


def test_a_token_past_api_rate_gets_429_with_retry_after(api, settings, django_user_model):
    """GIVEN API_RATE of 3 a minute WHEN one token makes a fourth request
    THEN it answers 429 with a Retry-After of at most a minute, while another
    user's token still gets through; and the count lives in the default cache
    (clearing it lets the first token through again)."""
    from django.core.cache import cache
    from knox.models import AuthToken

    settings.API_RATE = "3/min"
    codes = [api.get("/api/v1/jobs/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = api.get("/api/v1/jobs/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60

    other = APIClient()
    other_user = django_user_model.objects.create_user(username="other")
    other.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(other_user)[1]}")
    assert other.get("/api/v1/jobs/").status_code == 200

    cache.clear()
    assert api.get("/api/v1/jobs/").status_code == 200


def test_the_kagi_endpoint_shares_the_limit_and_answers_429_in_its_own_shape(api, bot, settings):
    """GIVEN API_RATE of 2 a minute, spent on /api/v1/ WHEN the same token asks
    /api/v0/summarize THEN 429 in Kagi's error shape, with Retry-After."""
    settings.API_RATE = "2/min"
    assert [api.get("/api/v1/jobs/").status_code for _ in range(2)] == [200, 200]
    response = bot.post("/api/v0/summarize", {"url": "https://example.org/"}, format="json")
    assert response.status_code == 429
    # Kagi has no rate-limit code: 101 (insufficient credit) is its nearest.
    assert response.json()["error"][0]["code"] == 101 and response.json()["data"] is None
    assert 1 <= int(response["Retry-After"]) <= 60
    assert not Summary.objects.exists()
