"""Very long URLs and host names are refused at once, with a clear message,
by check_url and the Fetcher (the pages and APIs: test_long_url_pages)."""

import time

import pytest

from tests.support.http import Reply
from waybrief.fetching import Fetcher
from waybrief.fetching.errors import InvalidURL
from waybrief.fetching.urls import MAX_URL_LENGTH, check_url

HUGE_URL = "https://example.org/search?q=" + "a" * 100_000
LONG_LABEL_HOST = "a" * 300 + ".example"


def test_a_100000_character_url_is_refused_quickly():
    started = time.monotonic()
    with pytest.raises(InvalidURL, match=f"longer than {MAX_URL_LENGTH} characters") as refusal:
        check_url(HUGE_URL)
    assert time.monotonic() - started < 0.1
    assert len(refusal.value.url) <= 200  # the error does not carry the whole URL around


def test_the_longest_url_allowed_is_exactly_the_limit():
    """GIVEN URLs of MAX_URL_LENGTH and one character more WHEN checked
    THEN the first passes and the second is refused."""
    at_limit = "https://example.org/" + "a" * (MAX_URL_LENGTH - len("https://example.org/"))
    assert check_url(at_limit) == at_limit
    with pytest.raises(InvalidURL):
        check_url(at_limit + "a")


@pytest.mark.parametrize(
    "host",
    [LONG_LABEL_HOST, "a" * 64 + ".example", ".".join(["abcdefghi"] * 26) + ".example"],
    ids=["300-character label", "64-character label", "267-character name"],
)
def test_a_host_name_past_the_dns_limits_is_refused(host):
    """GIVEN a label over 63 characters or a name over 253 WHEN checked
    THEN it is refused as invalid, not passed on to a resolver that would
    raise UnicodeError instead of a lookup error."""
    with pytest.raises(InvalidURL, match="host name is too long"):
        check_url(f"https://{host}/")


def test_a_host_name_at_the_dns_limits_passes():
    label = "a" * 63
    assert check_url(f"https://{label}.example/")
    assert check_url("https://" + ".".join([label] * 3) + "." + "b" * 61 + "/")  # 253


@pytest.mark.parametrize("kind", ["huge url", "long label"])
def test_the_fetcher_refuses_long_urls_before_connecting(site, kind):
    """GIVEN a fetcher that allows loopback and a stub resolver that sends the long
    name to the local server WHEN a long URL aimed there is fetched THEN it is
    refused as invalid at once and the server sees nothing."""
    site.route("/", Reply(200, b"reached", {"Content-Type": "text/plain"}))
    fetcher = Fetcher(
        allow_private=True, resolver=lambda host, port: ["127.0.0.1"], timeout=5, max_redirects=0
    )
    url = (
        f"http://127.0.0.1:{site.port}/?q=" + "a" * 100_000
        if kind == "huge url"
        else f"http://{LONG_LABEL_HOST}:{site.port}/"
    )
    started = time.monotonic()
    with pytest.raises(InvalidURL):
        fetcher.fetch(url)
    assert time.monotonic() - started < 0.5
    assert sum(site.hits.values()) == 0
