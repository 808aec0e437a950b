"""The wayback adapter lists a blog's posts from the Archive's CDX index."""

from __future__ import annotations

from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from crawler.models import CrawlRun
from tests.support.crawling import crawl, stored

pytestmark = pytest.mark.django_db

HOME = "http://blog.xuite.net/alice/diary"
DAY = 86400.0
START = 1_300_000_000.0


def seed_dead_xuite(wayback, posts: int = 30) -> set[str]:
    """Captures of a Xuite blog: each post as {id} and/or {id}-{title}, some
    twice, plus list, category, feed, image and error captures, and a
    neighbouring blog whose name starts the same."""
    expected = set()
    for n in range(posts):
        post_id = 12_000_000 + n * 37
        expected.add(f"{HOME}/{post_id}")
        if n % 3:
            wayback.add_capture(f"{HOME}/{post_id}", START + n * DAY)
        if n % 3 != 1:
            wayback.add_capture(
                f"https://blog.xuite.net/alice/diary/{post_id}-%E6%97%85", START + n
            )
        if n % 5 == 0:
            wayback.add_capture(f"{HOME}/{post_id}", START + 400 * DAY)
    for page in range(1, 5):
        wayback.add_capture(f"{HOME}?&p={page}", START)
    wayback.add_capture(f"{HOME}?st=c&w=12&p=1", START)
    wayback.add_capture(f"{HOME}/rss.xml", START)
    wayback.add_page(f"{HOME}/12000999", START, b"", kind=("text/html", "404"))
    wayback.add_page(f"{HOME}/12001000", START, b"", kind=("image/jpeg", "200"))
    wayback.add_capture("http://blog.xuite.net/alice/diary2/12000000", START)
    wayback.add_capture("http://blog.xuite.net/bob/diary/12000000", START)
    return expected


def test_it_lists_every_captured_post_of_a_dead_blog_once(wayback):
    """GIVEN a gone Xuite blog whose 30 posts the Archive holds as {id} and
    {id}-{title}, with list, category, feed, image and 404 captures besides,
    paged 7 rows at a time WHEN it is crawled with --adapter wayback THEN
    exactly its 30 posts are found, each once, in the {home}/{id} form."""
    expected = seed_dead_xuite(wayback)
    wayback.cdx_page_size = 7

    run, announced = crawl(HOME, adapter="wayback")

    assert run.state == CrawlRun.State.DONE
    assert sorted(announced) == sorted(expected)
    assert stored(run) == expected
    assert run.stats["cdx_pages"] == len(wayback.cdx_requests()) > 4


def test_it_asks_for_one_row_per_url_of_good_html_captures_a_page_at_a_time(wayback):
    """GIVEN a captured blog WHEN it is read from CDX THEN every request is a
    prefix query with fl, the status and HTML filters, collapse=urlkey and
    showResumeKey, and each later one sends back the key the last gave."""
    seed_dead_xuite(wayback)
    wayback.cdx_page_size = 10

    crawl(HOME, adapter="wayback")

    *queries, mobile = [
        parse_qs(urlsplit(r.path).query) for r in wayback.requests_to("/cdx/search/cdx")
    ]
    assert len(queries) > 2
    assert mobile["url"] == ["m.xuite.net/blog/alice/diary/*"]  # its mobile address, after
    for index, query in enumerate(queries):
        assert query["url"] == ["blog.xuite.net/alice/diary/*"]
        assert query["output"] == ["json"] and query["fl"] == ["original,timestamp"]
        assert set(query["filter"]) == {"statuscode:200", "mimetype:text/html"}
        assert query["collapse"] == ["urlkey"] and query["showResumeKey"] == ["true"]
        assert ("resumeKey" in query) == (index > 0)


def test_a_stopped_run_resumes_from_the_page_it_reached(wayback):
    """GIVEN a wayback crawl that read every page WHEN the same run is carried
    out again THEN no CDX page is asked for a second time."""
    expected = seed_dead_xuite(wayback)
    wayback.cdx_page_size = 7
    run, _ = crawl(HOME, adapter="wayback")
    asked = len(wayback.cdx_requests())
    CrawlRun.objects.filter(pk=run.pk).update(state=CrawlRun.State.STOPPED)

    again, announced = crawl(HOME, adapter="wayback")

    assert again.pk == run.pk
    assert set(announced) == expected
    assert len(wayback.cdx_requests()) == asked


def test_a_site_that_answers_404_is_listed_from_the_archive(server, wayback):
    """GIVEN a blog whose every page answers 404 and whose posts the Archive
    holds WHEN it is crawled without --adapter THEN the wayback adapter is
    fallen back on and the captured posts (not its home or feed) are found."""
    posts = {server.url(f"/2019/0{n}/post-{n}.html") for n in range(1, 6)}
    for n, url in enumerate(sorted(posts)):
        wayback.add_capture(url, START + n)
    wayback.add_capture(server.url("/"), START)
    wayback.add_capture(server.url("/feed/"), START)

    run, announced = crawl(server.url("/"))

    assert run.state == CrawlRun.State.DONE
    assert run.adapter == "wayback"
    assert "answered 404" in run.stats["fallback"]
    assert set(announced) == posts


def test_a_stopped_server_with_nothing_captured_fails_with_both_reasons(server, wayback):
    """GIVEN a blog whose server is gone and of which the Archive holds
    nothing WHEN it is crawled THEN the run fails and says both."""
    home = server.url("/")
    server.stop()

    run, announced = crawl(home)

    assert run.state == CrawlRun.State.FAILED
    assert "cannot be read" in run.error and "no capture" in run.error
    assert announced == []


def test_the_crawl_command_prints_a_dead_blogs_posts(wayback):
    """GIVEN a gone blog the Archive holds WHEN `crawl URL --adapter wayback`
    runs THEN stdout holds exactly its captured posts, one a line."""
    expected = seed_dead_xuite(wayback, posts=12)
    out, err = StringIO(), StringIO()

    call_command("crawl", HOME, "--adapter", "wayback", stdout=out, stderr=err)

    assert sorted(out.getvalue().splitlines()) == sorted(expected)
    assert "12 posts from" in err.getvalue() and "wayback adapter" in err.getvalue()


def test_a_blog_whose_name_no_longer_resolves_is_listed_from_the_archive(wayback):
    """GIVEN a Xuite blog whose host name (stub resolver) no longer resolves
    WHEN it is crawled without --adapter THEN its captured posts are listed
    from the Archive's index, and the run says why."""
    from crawler.services import crawl_site
    from waybrief.fetching.errors import Unreachable

    expected = seed_dead_xuite(wayback, posts=9)

    def resolver(host: str, port: int) -> list[str]:
        raise Unreachable(f"The host name {host!r} could not be resolved.")

    announced: list[str] = []
    run = crawl_site(url=HOME, on_url=announced.append, resolver=resolver)

    assert run.state == CrawlRun.State.DONE and run.adapter == "wayback"
    assert "could not be resolved" in run.stats["fallback"]
    assert set(announced) == expected


def test_a_site_the_archive_excludes_is_reported_plainly_never_to_run_again(wayback):
    """GIVEN a blog whose CDX query the Archive answers with its recorded 403
    "Blocked Site Error" WHEN `crawl URL --adapter wayback` runs THEN it fails
    saying the site is excluded, without "run the same command again", and
    the index is asked once."""
    from django.core.management.base import CommandError

    wayback.blocked.add("blog.xuite.net")
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("crawl", HOME, "--adapter", "wayback", stdout=out, stderr=err)

    said = str(failed.value) + err.getvalue()
    assert "excludes this site" in said and "run the same command again" not in said
    assert CrawlRun.objects.get().state == CrawlRun.State.FAILED
    assert len(wayback.cdx_requests()) == 1
