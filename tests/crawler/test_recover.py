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

from crawler.recovery import export, recover
from tests.crawler.conftest import crawl
from tests.crawler.sites.xuite import XuiteBlog
from tests.summarizer.test_extract import ARTICLE

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

    posts = recover(url=next(iter(stamps)).rsplit("/", 1)[0])

    assert {post.url: post.timestamp for post in posts} == stamps
    rows = list(csv.DictReader(io.StringIO(export(posts, "csv"))))
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


def test_the_admin_exports_a_dead_blogs_captured_posts(server, wayback, admin_client):
    """GIVEN a dead blog with 3 captured posts WHEN "Recover" is chosen in
    the admin THEN a CSV of those posts and their captures comes back."""
    from crawler.models import Site

    stamps = kill_blog(server, wayback)
    site = Site.objects.get()

    response = admin_client.post("/admin/crawler/site/", {
        "action": "export_captured", "_selected_action": [site.pk]})  # fmt: skip

    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["url"]: row["timestamp"] for row in rows} == stamps
