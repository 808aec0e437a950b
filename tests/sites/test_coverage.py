"""Coverage: a live blog's posts against the Archive's index, exact to the post,
and "archive what is missing" submits exactly the gaps."""

from __future__ import annotations

import dataclasses
import time
from io import StringIO

import pytest
from django.core.management import call_command

from archiver import workflow
from crawler.models import Site
from crawler.services import crawl_site
from sites.coverage import archive_gaps, check_coverage, site_coverage
from tests.support import cdx as index
from tests.support.fake_wayback import recorded, ts14
from tests.support.sites.xuite import XuiteBlog
from tests.support.timings import FAST

pytestmark = pytest.mark.django_db

DAY = 86400.0


def seed(blog: XuiteBlog, wayback) -> dict[str, set[str]]:
    """Of 20 live posts: 10 captured lately (some by their {id}-{title} name),
    4 only two years ago, 6 never; and 2 captured posts no longer live."""
    now = time.time()
    posts = [f"{blog.home}/{blog.post_id(n)}" for n in range(20)]
    for n, url in enumerate(posts[:10]):
        wayback.add_capture(url + ("-title" if n % 2 else ""), now - 3 * DAY)
        wayback.add_capture(url, now - 900 * DAY)
    for url in posts[10:14]:
        wayback.add_capture(url, now - 730 * DAY)
    gone = {f"{blog.home}/{11_000_000 + n}" for n in range(2)}
    for url in gone:
        wayback.add_capture(url + "-old-title", now - 1000 * DAY)
    wayback.add_capture(blog.home + "?&p=2", now)
    return {"captured": set(posts[:10]), "stale": set(posts[10:14]),
            "missing": set(posts[14:]), "gone": gone}  # fmt: skip


def test_it_counts_captured_stale_missing_and_gone_exactly(server, wayback):
    """GIVEN a live Xuite blog of 20 posts, 10 captured lately, 4 long ago, 6
    never, and 2 captured posts since deleted WHEN its coverage is checked
    THEN each post has its state and the counts are exact."""
    blog = XuiteBlog(server, posts=20)
    expected = seed(blog, wayback)
    wayback.cdx_page_size = 5

    coverage = check_coverage(url=blog.home, adapter="xuite", stale_days=365)

    assert {state: set(coverage.urls(state)) for state in expected} == expected
    assert coverage.counts == {"captured": 10, "stale": 4, "missing": 6, "gone": 2,
                               "live": 20, "in_archive": 16}  # fmt: skip
    assert Site.objects.get(url=blog.home).coverage["missing"] == 6


def test_archiving_what_is_missing_submits_exactly_the_gaps(server, wayback, settings):
    """GIVEN a blog with 6 posts never captured WHEN the gaps are archived
    THEN the Archive receives exactly those 6 saves; with the stale ones
    too, exactly those 4 more."""
    for name, value in FAST.items():
        setattr(settings, name, value)
    blog = XuiteBlog(server, posts=20)
    expected = seed(blog, wayback)
    coverage = check_coverage(url=blog.home, adapter="xuite")

    captures = archive_gaps(coverage, enqueue=False)
    workflow.drive([c.pk for c in captures], wait=True, timeout=30)

    assert sorted(a.url for a in wayback.saves()) == sorted(expected["missing"])

    again = site_coverage(site=coverage.site, stale_days=365)
    assert again.counts["missing"] == 0 and again.counts["captured"] == 16
    captures = archive_gaps(again, stale=True, enqueue=False)
    workflow.drive([c.pk for c in captures], wait=True, timeout=30)
    stale_saves = {a.url for a in wayback.saves()} - expected["missing"]
    assert stale_saves == expected["stale"]


def test_the_command_prints_one_line_per_post_and_a_summary(server, wayback):
    """GIVEN the seeded blog WHEN `coverage URL` runs THEN stdout holds one
    URL<TAB>state<TAB>timestamp line per post and stderr the counts."""
    blog = XuiteBlog(server, posts=20)
    expected = seed(blog, wayback)
    out, err = StringIO(), StringIO()

    call_command("coverage", blog.home, "--adapter", "xuite", stdout=out, stderr=err)

    lines = [line.split("\t") for line in out.getvalue().splitlines()]
    assert len(lines) == 22
    assert {url for url, state, _ in lines if state == "missing"} == expected["missing"]
    assert all(stamp == "-" for _, state, stamp in lines if state == "missing")
    assert all(len(stamp) == 14 for _, state, stamp in lines if state != "missing")
    assert "20 live" in err.getvalue() and "6 missing, 2 gone" in err.getvalue()


def test_a_blog_that_is_gone_has_every_captured_post_gone(server, wayback):
    """GIVEN a Xuite blog checked once while live, whose server has since
    stopped WHEN its coverage is checked again THEN it is read from the
    Archive as the Xuite blog it was, and every captured post is gone."""
    blog = XuiteBlog(server, posts=20)
    expected = seed(blog, wayback)
    home = blog.home
    check_coverage(url=home)
    server.stop()

    coverage = check_coverage(url=home)

    assert set(coverage.urls("gone")) == expected["captured"] | expected["stale"] | expected["gone"]
    assert coverage.counts["live"] == 0


def test_the_admin_checks_coverage_and_shows_counts_and_a_bar(server, wayback, admin_client):
    """GIVEN a crawled blog WHEN "Check coverage" is chosen in the admin THEN it
    is queued (the index is not read in the request); once a worker has run it,
    the site's page shows the counts and a bar."""
    from sites import tasks

    blog = XuiteBlog(server, posts=20)
    seed(blog, wayback)
    site = check_coverage(url=blog.home, adapter="xuite").site
    Site.objects.filter(pk=site.pk).update(coverage={})

    # The command made this site, so the list shows it under "added by: anyone".
    response = admin_client.post("/admin/crawler/site/?added_by=all", {
        "action": "check_coverage", "_selected_action": [site.pk]}, follow=True)  # fmt: skip
    assert "Queued 1 coverage check" in response.content.decode()
    assert tasks.coverage(site.pk) == {
        "captured": 10,
        "stale": 4,
        "missing": 6,
        "gone": 2,
        "live": 20,
        "in_archive": 16,
    }  # what the worker does
    page = admin_client.get(f"/admin/crawler/site/{site.pk}/change/").content.decode()

    assert "20 live posts, 16 in the Archive: 10 captured, 4 stale, 6 missing, 2 gone" in page
    assert '<progress max="20" value="14">' in page


def recorded_row(status: str, url: str, when: float, **changes: str) -> index.Row:
    """energystar.gov's recorded 200 (``status`` "200") or revisit row
    (status "-", the same digest), moved to ``url`` and ``when``."""
    rows = index.parse_recorded(recorded("cdx/energystar-revisits.txt"))
    row = next(r for r in rows if r.statuscode == status)
    return dataclasses.replace(
        row, urlkey=index.urlkey(url), original=url, timestamp=ts14(when), **changes
    )


def test_a_post_re_captured_unchanged_last_year_counts_from_that_revisit(server, wayback):
    """GIVEN a live post whose only 200 capture is eight years old and which the
    Archive re-captured unchanged 200 days ago (the recorded `warc/revisit`
    row: status "-", the 200's digest) WHEN coverage is checked THEN it is
    `captured` from the revisit, and archiving the stale posts leaves it alone;
    a revisit of another digest does not count."""
    blog = XuiteBlog(server, posts=3)
    now = time.time()
    fresh, other = (f"{blog.home}/{blog.post_id(n)}" for n in range(2))
    for url in (fresh, other):
        wayback.add_rows([recorded_row("200", url, now - 3000 * DAY)])
    revisit = recorded_row("-", fresh, now - 200 * DAY)
    wayback.add_rows([revisit, recorded_row("-", other, now - 200 * DAY, digest="Z" * 32)])

    coverage = check_coverage(url=blog.home, adapter="xuite", stale_days=365)

    by_url = {post.url: post for post in coverage.posts}
    assert (by_url[fresh].state, by_url[fresh].timestamp) == ("captured", revisit.timestamp)
    assert by_url[other].state == "stale"
    assert fresh not in coverage.urls("missing", "stale")


def test_posts_captured_under_a_lower_cased_path_match_their_live_spelling(server, wayback):
    """GIVEN a live blog at /Heartland/Hills whose posts the index holds as
    /heartland/hills/{id} (its key is lower-cased; the real rows keep
    whatever spelling was captured) WHEN coverage is checked THEN those posts
    are `captured`, spelled as the live blog spells them, not missing and gone."""
    blog = XuiteBlog(server, posts=4, uid="Heartland", blog="Hills")
    now = time.time()
    posts = [f"{blog.home}/{blog.post_id(n)}" for n in range(4)]
    lowered = posts[0].replace("/Heartland/Hills/", "/heartland/hills/")
    wayback.add_capture(lowered, now - 3 * DAY)
    wayback.add_capture(posts[1], now - 3 * DAY)

    coverage = check_coverage(url=blog.home, adapter="xuite", stale_days=365)

    assert set(coverage.urls("captured")) == set(posts[:2])
    assert set(coverage.urls("missing")) == set(posts[2:])
    assert coverage.urls("gone") == []
    by_url = {post.url: post for post in coverage.posts}
    assert by_url[posts[0]].original == lowered  # the capture's own spelling, for its copy


def test_after_a_crawl_from_the_archive_coverage_still_reads_the_live_blog(server, wayback):
    """GIVEN a live blog first crawled with --adapter wayback (so the site is set to be
    read from the Archive) WHEN its coverage is checked THEN the live side is the live
    blog (20 posts, not 0 with every post "gone"), and a post captured as {id} and as
    {id}-{title} is one row."""
    blog = XuiteBlog(server, posts=20)
    expected = seed(blog, wayback)
    crawl_site(url=blog.home, adapter="wayback")

    coverage = check_coverage(url=blog.home, stale_days=365)

    assert coverage.counts["live"] == 20 and coverage.counts["gone"] == 2
    assert {state: set(coverage.urls(state)) for state in expected} == expected
    assert len(coverage.posts) == 22
