"""Huge, slow, binary and looping responses end with a clear error, within the caps."""

import gzip
import time

import pytest

from tests.support.http import Reply
from waybrief.fetching import Fetcher
from waybrief.fetching.errors import NotText, TooLarge, TooManyRedirects, TooSlow, UpstreamError


@pytest.fixture
def small_fetcher() -> Fetcher:
    return Fetcher(allow_private=True, max_bytes=100_000, timeout=1.5, max_redirects=3)


def test_it_stops_reading_past_the_size_cap_even_without_content_length(small_fetcher, site):
    site.route("/big", Reply(200, lambda: (b"x" * 10_000 for _ in range(1000)),
                             {"Content-Type": "text/plain"}))  # fmt: skip
    with pytest.raises(TooLarge, match="larger than"):
        small_fetcher.fetch(site.url("/big"))


def test_it_refuses_a_declared_length_over_the_cap_without_reading(small_fetcher, site):
    site.route("/declared", Reply(200, b"x" * 200_000, {"Content-Type": "text/html"}))
    with pytest.raises(TooLarge):
        small_fetcher.fetch(site.url("/declared"))


def test_it_caps_the_decompressed_size_of_a_gzip_bomb(small_fetcher, site):
    bomb = gzip.compress(b"\0" * 20_000_000)
    assert len(bomb) < 100_000
    site.route("/bomb", Reply(200, bomb, {"Content-Type": "text/html", "Content-Encoding": "gzip"}))
    with pytest.raises(TooLarge):
        small_fetcher.fetch(site.url("/bomb"))


def test_one_deadline_covers_a_server_that_trickles_a_byte_at_a_time(small_fetcher, site):
    def trickle():
        for _ in range(100):  # bounded: 100 bytes over 10 s at most
            yield b"x"
            time.sleep(0.1)

    site.route("/slow", Reply(200, trickle, {"Content-Type": "text/plain"}))
    started = time.monotonic()
    with pytest.raises(TooSlow, match="did not arrive within"):
        small_fetcher.fetch(site.url("/slow"))
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100), ("application/pdf", b"%PDF-1.7"),
     ("application/octet-stream", b"\x7fELF\x02\x01\x01\0\0\0" + b"\0" * 64)],
)  # fmt: skip
def test_it_refuses_binary_content(small_fetcher, site, content_type, body):
    site.route("/file", Reply(200, body, {"Content-Type": content_type}))
    with pytest.raises(NotText):
        small_fetcher.fetch(site.url("/file"))


def test_it_stops_a_redirect_loop(small_fetcher, site):
    site.route("/loop", Reply(302, headers={"Location": "/loop"}))
    with pytest.raises(TooManyRedirects):
        small_fetcher.fetch(site.url("/loop"))


def test_it_reports_the_sites_error_status(small_fetcher, site):
    with pytest.raises(UpstreamError, match="404") as error:
        small_fetcher.fetch(site.url("/missing"))
    assert error.value.status == 404


def test_it_follows_redirects_and_reports_the_final_url(small_fetcher, site):
    site.route("/old", Reply(301, headers={"Location": "/new"}))
    site.route("/new", Reply(200, b"<p>moved</p>", {"Content-Type": "text/html"}))
    page = small_fetcher.fetch(site.url("/old"))
    assert page.final_url == site.url("/new")
    assert page.text == "<p>moved</p>"


def test_it_sends_a_clear_user_agent(small_fetcher, site):
    site.route("/ua", Reply(200, b"ok", {"Content-Type": "text/plain"}))
    small_fetcher.fetch(site.url("/ua"))
    assert site.requests[-1].headers["User-Agent"].startswith("Waybrief/")
