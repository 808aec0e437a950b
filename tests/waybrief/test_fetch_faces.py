"""One client, two faces: the sync ``Fetcher`` (the summarizer's) and the async
``AsyncFetcher`` (under the crawler's politeness) share one page type, one
redirect policy with ``check_url`` on every hop, one size cap and one deadline;
only what they hand back differs."""

from __future__ import annotations

import gzip
import time

import anyio
import pytest

from tests.support.http import Reply
from waybrief.fetching import AsyncFetcher, FetchedPage, Fetcher
from waybrief.fetching.errors import InvalidURL, NotText, TooLarge, TooSlow, UpstreamError

HOP = "/where-the-hop-leads/"


def get(url: str, **options) -> FetchedPage:
    async def main() -> FetchedPage:
        async with AsyncFetcher(allow_private=True, **options) as fetcher:
            return await fetcher.get(url)

    return anyio.run(main)


def sync_get(url: str, **options) -> FetchedPage:
    return Fetcher(allow_private=True, **options).fetch(url)


FACES = {"sync": sync_get, "async": get}


def hostile_hops(port: int) -> list[str]:
    return [
        "javascript:alert(1)",
        "data:text/html,x",
        f"http://reader@127.0.0.1:{port}{HOP}",
        f"http://127.0.0.1:{port}/a\\b",
    ]


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("hop", range(4), ids=["javascript", "data", "user name", "backslash"])
def test_both_faces_refuse_a_hop_that_check_url_refuses(site, face, hop):
    """GIVEN a page that redirects to javascript:, data:, an address with a user
    name, or one with a backslash WHEN either face fetches it THEN it fails with
    InvalidURL naming the hop, and the hop is never requested."""
    site.route(HOP, Reply(200, b"<p>reached</p>", {"Content-Type": "text/html"}))
    target = hostile_hops(site.port)[hop]
    url = site.route("/post", Reply(302, headers={"Location": target}))

    with pytest.raises(InvalidURL, match="It redirects to ") as refusal:
        FACES[face](url)

    assert target in str(refusal.value)
    assert site.hits[HOP] == 0


@pytest.mark.parametrize("face", FACES)
def test_both_faces_follow_redirects_to_the_same_page(site, face):
    html = {"Content-Type": "text/html; charset=utf-8"}
    site.route("/b", Reply(200, "<p>café</p>".encode(), html))
    site.route("/a", Reply(301, headers={"Location": "/b"}))

    page = FACES[face](site.url("/a"))

    assert (page.url, page.final_url, page.status) == (site.url("/a"), site.url("/b"), 200)
    assert (page.content_type, page.text, page.encoding) == ("text/html", "<p>café</p>", "utf-8")
    assert page.headers["content-type"] == "text/html; charset=utf-8"


def test_the_async_face_hands_back_error_statuses_and_binary_bodies_as_pages(site):
    """GIVEN a 404 page and a gzipped sitemap served as application/gzip WHEN the
    async face fetches them THEN both come back as pages (the crawler reads the
    status, and inflates the sitemap itself); the sync face refuses both,
    unless told it is not fetching for reading."""
    site.route("/gone", Reply(404, b"<p>gone</p>", {"Content-Type": "text/html"}))
    packed = gzip.compress(b"<urlset/>")
    site.route("/sitemap.xml.gz", Reply(200, packed, {"Content-Type": "application/gzip"}))

    gone, sitemap = get(site.url("/gone")), get(site.url("/sitemap.xml.gz"))

    assert (gone.status, gone.ok, gone.body) == (404, False, b"<p>gone</p>")
    assert (sitemap.status, sitemap.content_type, sitemap.body) == (200, "application/gzip", packed)
    with pytest.raises(UpstreamError, match="404"):
        sync_get(site.url("/gone"))
    with pytest.raises(NotText):
        sync_get(site.url("/sitemap.xml.gz"))
    assert sync_get(site.url("/gone"), for_reading=False).body == gone.body
    assert sync_get(site.url("/sitemap.xml.gz"), for_reading=False).body == packed


@pytest.mark.parametrize("face", FACES)
def test_both_faces_cap_the_size_alike(site, face):
    site.route(
        "/big",
        Reply(200, lambda: (b"x" * 10_000 for _ in range(100)), {"Content-Type": "text/html"}),
    )
    with pytest.raises(TooLarge, match=r"/big is larger than 100000 bytes"):
        FACES[face](site.url("/big"), max_bytes=100_000)


@pytest.mark.parametrize("face", FACES)
def test_one_deadline_covers_every_hop(site, face):
    """GIVEN a chain of redirects that each take 0.4 s WHEN a face fetches it
    with a 1 s deadline THEN it gives up after about 1 s, not 0.4 s a hop."""

    def slow(request):
        time.sleep(0.4)
        number = int(request.path.rsplit("/", 1)[1])
        return Reply(302, headers={"Location": f"/hop/{number + 1}"})

    for number in range(8):
        site.route(f"/hop/{number}", slow)
    started = time.monotonic()

    with pytest.raises(TooSlow, match="did not arrive within 1 seconds"):
        FACES[face](site.url("/hop/0"), timeout=1)

    assert time.monotonic() - started < 1.6
