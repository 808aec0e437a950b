"""Huge, slow, binary and looping responses end with a clear error, within the caps."""

import gzip
import time
import zlib

import pytest

from tests.support.bombs import MB, gigabyte_gzip, peak_memory_of
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




@pytest.fixture(scope="module")
def gigabyte_bomb() -> bytes:
    return gigabyte_gzip()


def encoded(encoding: str) -> dict[str, str]:
    return {"Content-Type": "text/html", "Content-Encoding": encoding}


def test_a_gigabyte_gzip_bomb_ends_at_the_cap_in_bounded_memory(site, gigabyte_bomb):
    """GIVEN a page whose gzip body inflates to 1 GiB WHEN it is fetched with a
    10 MB cap THEN the fetch ends with TooLarge, quickly, and Python's peak
    memory stays near the cap (httpx inflating whole reads peaked at 81 MB)."""
    site.route("/bomb", Reply(200, gigabyte_bomb, encoded("gzip")))
    fetcher = Fetcher(allow_private=True, max_bytes=10 * MB, timeout=10)

    def fetch():
        with pytest.raises(TooLarge, match=r"larger than 10485760 bytes \(10 MB\)"):
            fetcher.fetch(site.url("/bomb"))

    started = time.monotonic()
    assert peak_memory_of(fetch) < 24 * MB
    assert time.monotonic() - started < 5


def test_a_bomb_inside_a_second_gzip_layer_is_bounded_too(site, gigabyte_bomb):
    """GIVEN the gigabyte bomb gzipped again (a few KB, 'Content-Encoding: gzip,
    gzip') WHEN it is fetched THEN it ends at the cap in bounded memory: the
    inner layer is inflated step by step too, never 1 GiB at once."""
    twice = gzip.compress(gigabyte_bomb)
    assert len(twice) < 100_000
    site.route("/twice", Reply(200, twice, encoded("gzip, gzip")))
    fetcher = Fetcher(allow_private=True, max_bytes=10 * MB, timeout=10)

    def fetch():
        with pytest.raises(TooLarge):
            fetcher.fetch(site.url("/twice"))

    assert peak_memory_of(fetch) < 24 * MB


PAGE = b"<html><body><p>" + b"Compressed but ordinary. " * 400 + b"</p></body></html>"


@pytest.mark.parametrize(
    ("encoding", "body"),
    [("gzip", gzip.compress(PAGE)), ("x-gzip", gzip.compress(PAGE)),
     ("deflate", zlib.compress(PAGE)), ("deflate", zlib.compress(PAGE, wbits=-15)),
     ("gzip, deflate", zlib.compress(gzip.compress(PAGE))), ("identity", PAGE), ("", PAGE)],
)  # fmt: skip
def test_ordinary_compressed_pages_come_out_whole(small_fetcher, site, encoding, body):
    """GIVEN a page gzipped, deflated (zlib-wrapped or raw, as servers really
    send it) or both WHEN it is fetched THEN the text is the original page."""
    site.route("/page", Reply(200, body, encoded(encoding)))
    assert small_fetcher.fetch(site.url("/page")).body == PAGE


def test_a_corrupt_gzip_body_is_a_clear_upstream_error(small_fetcher, site):
    site.route("/broken", Reply(200, b"\x1f\x8b\x08\x00" + b"not deflate" * 10, encoded("gzip")))
    with pytest.raises(UpstreamError, match="cannot be decompressed"):
        small_fetcher.fetch(site.url("/broken"))


def test_an_encoding_it_did_not_ask_for_is_refused_not_read_as_text(small_fetcher, site):
    site.route("/br", Reply(200, b"\x0b\x02\x80hello\x03", encoded("br")))
    with pytest.raises(NotText, match="compressed as 'br'"):
        small_fetcher.fetch(site.url("/br"))
    assert site.requests[-1].headers["Accept-Encoding"] == "gzip, deflate"


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
