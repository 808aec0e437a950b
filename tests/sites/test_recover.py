"""Recovering a dead blog: every captured post, its capture date, a summary
read from its archived copy, exported as CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
import time
from io import StringIO

import pytest
from django.core.management import call_command

from sites.recovery import export, recover
from tests.support.crawling import crawl
from tests.support.documents import ARTICLE
from tests.support.sites.xuite import XuiteBlog

pytestmark = pytest.mark.django_db


def kill_blog(server, wayback, *, captured: int = 3) -> dict[str, str]:
    """A Xuite blog crawled while live, some posts captured (one only by its
    {id}-{title} name), then its server stopped. Returns post: timestamp."""
    blog = XuiteBlog(server, posts=8)
    crawl(blog.home)
    stamps = {}
    for n in range(captured):
        url = f"{blog.home}/{blog.post_id(n)}"
        spelled = url + "-title" if n == 1 else url
        body = ARTICLE.replace("The Closing of Xuite", f"Diary {n}").encode()
        wayback.add_page(spelled, time.time() - 800 * 86400, body)
        stamps[url] = wayback.add_capture(spelled, time.time() - (n + 1) * 86400)
    server.stop()
    return stamps


def test_it_lists_every_captured_post_with_its_latest_capture(server, wayback):
    """GIVEN a dead blog with 3 of its 8 posts captured WHEN it is recovered
    THEN exactly those 3 are listed, each with its latest capture."""
    stamps = kill_blog(server, wayback)

    row = recover(url=next(iter(stamps)).rsplit("/", 1)[0])

    assert (row.state, row.posts_found) == ("done", 3)
    assert {post.url: post.timestamp for post in row.posts.all()} == stamps
    rows = list(csv.DictReader(io.StringIO(export(row, "csv"))))
    assert {row["url"] for row in rows} == set(stamps)
    assert all(row["wayback_url"].endswith(row["original"]) for row in rows)


def test_the_command_summarizes_each_post_from_its_archived_copy(
    server, wayback, model, monkeypatch
):
    """GIVEN a dead blog with 3 captured posts WHEN `recover URL --summarize
    --format json` runs THEN each post comes with its title and a summary
    read from the Archive."""
    monkeypatch.setattr("summarizer.services.get_backend", lambda: model)
    stamps = kill_blog(server, wayback)
    home = next(iter(stamps)).rsplit("/", 1)[0]
    out, err = StringIO(), StringIO()

    call_command("recover", home, "--summarize", "--format", "json", stdout=out, stderr=err)

    posts = json.loads(out.getvalue())
    assert {post["url"]: post["timestamp"] for post in posts} == stamps
    assert sorted(post["title"] for post in posts) == ["Diary 0", "Diary 1", "Diary 2"]
    assert all(post["summary"].strip() for post in posts)
    assert "3 captured posts, 3 summarized" in err.getvalue()


def test_the_admin_queues_a_recovery_and_downloads_its_list(server, wayback, admin_client):
    """GIVEN a dead blog with 3 captured posts WHEN "Recover" is chosen in the
    site list THEN a recovery is queued (nothing is read in the request); once
    a worker has run it, the recovery's list downloads as CSV and JSON."""
    from crawler.models import Site
    from sites.models import Recovery
    from sites.recovery import run_recovery

    stamps = kill_blog(server, wayback)
    site = Site.objects.get()

    response = admin_client.post("/admin/crawler/site/?added_by=all", {
        "action": "recover", "_selected_action": [site.pk]}, follow=True)  # fmt: skip

    row = Recovery.objects.get()
    assert (row.site, row.state, row.summarize) == (site, "pending", False)
    assert "Queued 1 recovery" in response.content.decode()
    run_recovery(row.pk)  # what the worker's task does
    csv_response = admin_client.post("/admin/sites/recovery/", {
        "action": "download_csv", "_selected_action": [row.pk]})  # fmt: skip
    json_response = admin_client.post("/admin/sites/recovery/", {
        "action": "download_json", "_selected_action": [row.pk]})  # fmt: skip
    listing = admin_client.get("/admin/sites/recovery/").content.decode()

    assert csv_response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(csv_response.content.decode())))
    assert {row["url"]: row["timestamp"] for row in rows} == stamps
    assert {post["url"] for post in json.loads(json_response.content)} == set(stamps)
    assert "done" in listing and "not asked for" in listing


def test_a_recovery_waits_out_an_archive_outage_then_finishes(server, wayback):
    """GIVEN a dead blog and an Archive whose index is down WHEN a recovery runs
    THEN it stays open with the reason and a retry time (nothing is marked failed);
    run again once the index is back, it lists every captured post."""
    from sites.models import Recovery
    from sites.recovery import run_recovery, start_recovery

    stamps = kill_blog(server, wayback)
    row = start_recovery(url=next(iter(stamps)).rsplit("/", 1)[0])
    wayback.outage(60)

    row = run_recovery(row.pk)

    assert row.state == "listing" and "could not be read" in row.error
    assert row.next_attempt_at is not None and row.claimed_until is None
    wayback.outage_until = 0
    Recovery.objects.filter(pk=row.pk).update(next_attempt_at=None)
    row = run_recovery(row.pk)
    assert (row.state, row.error, row.posts_found) == ("done", "", 3)


def test_an_index_row_whose_timestamp_is_no_date_is_skipped_and_counted(server, wayback):
    """GIVEN a dead blog whose index also holds a row stamped 20000008241731 (month 00:
    the Archive really serves such rows, as the edgi-govdata-archiving/wayback
    project documents) WHEN recovered and exported THEN that row is skipped and
    counted, the other posts are listed, and both exports work."""
    stamps = kill_blog(server, wayback)
    odd = next(iter(stamps)).rsplit("/", 1)[0] + "/99"
    wayback.captures[odd] = ["20000008241731"]

    row = recover(url=odd.rsplit("/", 1)[0])

    assert (row.state, row.posts_found, row.rows_skipped) == ("done", 3, 1)
    assert {post["url"] for post in json.loads(export(row, "json"))} == set(stamps)
    assert len(list(csv.DictReader(io.StringIO(export(row, "csv"))))) == 3


def test_a_csv_export_keeps_archived_titles_from_running_as_formulas():
    """GIVEN a post whose archived title is a spreadsheet formula WHEN exported as CSV
    THEN the cell starts with a quote, so a spreadsheet shows it as text."""
    from sites.recovery import export_rows

    post = {"url": "https://blog.example.org/1", "title": '=HYPERLINK("http://evil","x")',
            "summary": "-2+3", "captured_at": "", "timestamp": "", "wayback_url": "",
            "original": "@SUM(A1)"}  # fmt: skip
    (cells,) = list(csv.DictReader(io.StringIO(export_rows([post], "csv"))))
    assert cells["title"] == "'" + post["title"]
    assert cells["summary"] == "'-2+3" and cells["original"] == "'@SUM(A1)"
    assert cells["url"] == post["url"]


def test_posts_captured_under_a_lower_cased_path_are_recovered(server, wayback):
    """GIVEN a dead blog at /Heartland/Hills, some posts captured only as
    /heartland/hills/{id} (the index's key is lower-cased, so the prefix
    query returns them) WHEN recovered THEN every captured post is listed
    once, spelled as the blog spells it, its copy read by the captured spelling."""
    blog = XuiteBlog(server, posts=4, uid="Heartland", blog="Hills")
    home = blog.home
    server.stop()
    now = time.time()
    posts = [f"{home}/{blog.post_id(n)}" for n in range(3)]
    lowered = [url.replace("/Heartland/Hills/", "/heartland/hills/") for url in posts]
    wayback.add_capture(lowered[0], now - 2 * 86400)
    wayback.add_capture(posts[1], now - 5 * 86400)
    wayback.add_capture(lowered[1], now - 86400)  # later, lower-cased: the same post
    wayback.add_capture(posts[2], now - 86400)

    row = recover(url=home)

    assert (row.state, row.posts_found) == ("done", 3)
    listed = {post.url: post.original for post in row.posts.all()}
    assert listed == {posts[0]: lowered[0], posts[1]: lowered[1], posts[2]: posts[2]}


def test_a_blocked_site_fails_at_once_and_is_never_retried(server, wayback):
    """GIVEN a blog the Archive excludes (its CDX answers the recorded 403
    "Blocked Site Error") WHEN a queued recovery runs THEN it fails at once
    with a plain reason, with no retry time: one CDX request, no more."""
    from urllib.parse import urlsplit

    from sites.recovery import run_recovery, start_recovery

    stamps = kill_blog(server, wayback)
    home = next(iter(stamps)).rsplit("/", 1)[0]
    wayback.blocked.add(urlsplit(home).hostname)
    row = start_recovery(url=home)

    row = run_recovery(row.pk)

    assert row.state == "failed" and "excludes this site" in row.error
    assert row.next_attempt_at is None
    assert run_recovery(row.pk).state == "failed"
    assert len(wayback.cdx_requests()) == 1


def test_posts_captured_only_under_their_mobile_address_are_recovered(wayback):
    """GIVEN a gone Xuite blog whose Archive copies are partly desktop pages and partly
    only mobile ones (m.xuite.net/blog/{uid}/{blog}/{id}, a real shape in ArchiveTeam's
    xuite-grab) WHEN it is recovered THEN every post is listed once, spelled the desktop way."""
    home = "http://blog.xuite.net/alice/diary"
    wayback.add_capture(f"{home}/12000001", time.time() - 3 * 86400)
    wayback.add_capture("https://m.xuite.net/blog/alice/diary/12000002", time.time() - 86400)
    wayback.add_capture("https://m.xuite.net/blog/alice/diary/12000001", time.time() - 86400)

    row = recover(url=home)

    assert sorted(row.posts.values_list("url", flat=True)) == [
        f"{home}/12000001", f"{home}/12000002"]
