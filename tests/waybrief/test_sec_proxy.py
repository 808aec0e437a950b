"""Behind a proxy a client is the address the trusted proxy saw, never what the
client wrote into X-Forwarded-For (issue #24, item 3)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from rest_framework.request import Request

from api.throttling import TokenRateThrottle
from waybrief import throttle

FORGED = "203.0.113.{i}, 198.51.100.9"  # nginx appends the real peer (198.51.100.9) last


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_it_reads_the_right_most_entry_behind_one_proxy(settings):
    settings.WAYBRIEF_BEHIND_PROXY = True
    assert throttle.client_key(request_from("10.0.0.1", "1.2.3.4, 198.51.100.9")) == "198.51.100.9"
    assert throttle.client_key(request_from("10.0.0.1", "198.51.100.9")) == "198.51.100.9"
    assert throttle.client_key(request_from("10.0.0.1", " 1.1.1.1 ,, 198.51.100.9 ")) == (
        "198.51.100.9"
    )


def test_it_reads_the_nth_from_the_right_for_n_trusted_hops(settings):
    settings.WAYBRIEF_BEHIND_PROXY = True
    settings.WAYBRIEF_TRUSTED_PROXY_HOPS = 2
    chain = "6.6.6.6, 198.51.100.9, 10.0.0.2"  # forged, the client, the outer proxy
    assert throttle.client_key(request_from("10.0.0.1", chain)) == "198.51.100.9"


def test_it_falls_back_to_the_peer_without_a_header_or_without_a_proxy(settings):
    settings.WAYBRIEF_BEHIND_PROXY = True
    assert throttle.client_key(request_from("10.0.0.1")) == "10.0.0.1"
    settings.WAYBRIEF_BEHIND_PROXY = False
    assert throttle.client_key(request_from("192.0.2.1", "198.51.100.9")) == "192.0.2.1"


def test_drf_throttles_count_anonymous_clients_the_same_way(settings):
    """GIVEN the API's throttle THEN it identifies a client as client_key does,
    not by DRF's own reading (which takes the forged left-most entry)."""
    settings.WAYBRIEF_BEHIND_PROXY = True
    idents = {
        TokenRateThrottle().get_ident(Request(request_from("10.0.0.1", FORGED.format(i=i))))
        for i in range(5)
    }
    assert idents == {"198.51.100.9"}


@pytest.mark.django_db
def test_forged_prefixes_do_not_buy_new_summaries(client, settings):
    """GIVEN a proxy in front and a limit of 3 new summaries a minute WHEN one
    client sends 25 requests, each with a different forged X-Forwarded-For
    prefix THEN only 3 start a summary and the rest get 429."""
    settings.WAYBRIEF_BEHIND_PROXY = True
    settings.SUMMARY_RATE_PER_MINUTE = 3
    settings.SUMMARY_CONCURRENCY_PER_CLIENT = 0
    codes = [
        client.get(
            "/summarize", {"url": f"https://example.org/p{i}"},
            REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=FORGED.format(i=i),
        ).status_code
        for i in range(25)
    ]
    assert codes.count(200) == 3 and codes.count(429) == 22


@pytest.mark.django_db
def test_forged_prefixes_do_not_lift_the_api_limit(settings):
    """GIVEN an API limit of 2 a minute WHEN an anonymous client forges a new
    prefix on each request to a public API page THEN the third is refused."""
    from rest_framework.test import APIClient

    settings.WAYBRIEF_BEHIND_PROXY = True
    settings.API_RATE = "2/min"
    api = APIClient()
    codes = [
        api.get(
            "/api/v1/schema/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=FORGED.format(i=i)
        ).status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]
