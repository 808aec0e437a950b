"""`manage.py crawl URL`: post URLs on stdout, progress on stderr, a clear
error and a non-zero exit when the site cannot be read."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command

from tests.support.sites.xuite import XuiteBlog
from tests.support.waiting import ROOT


def run_command(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "crawl", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip


@pytest.mark.django_db
def test_it_prints_exactly_the_posts_one_a_line(server):
    """GIVEN a Xuite-shaped fixture blog WHEN `crawl URL --adapter xuite` runs
    THEN stdout holds exactly its posts, one a line, and stderr the summary."""
    blog = XuiteBlog(server, posts=33, title_only=frozenset({2}))
    out, err = StringIO(), StringIO()

    call_command("crawl", blog.home, "--adapter", "xuite", stdout=out, stderr=err)

    lines = out.getvalue().splitlines()
    assert sorted(lines) == sorted(blog.expected)
    assert "crawling" in err.getvalue()  # the progress bar
    assert "33 posts from" in err.getvalue()


@pytest.mark.django_db
def test_the_site_it_makes_is_not_one_a_person_added(server, admin_client):
    """GIVEN a blog crawled only by the command WHEN a staff user opens the site list
    and runs "Crawl again" on every site THEN that site is not listed (only under
    "added by: a command") and no crawl is queued for it."""
    from crawler.models import CrawlRun, Site

    blog = XuiteBlog(server, posts=3)
    call_command("crawl", blog.home, "--adapter", "xuite", stdout=StringIO(), stderr=StringIO())
    site = Site.objects.get()
    added = Site.objects.create(url="https://blog.example.org/")
    runs = CrawlRun.objects.filter(site=site).count()

    listing = admin_client.get("/admin/crawler/site/").content.decode()
    shown = admin_client.get("/admin/crawler/site/?added_by=command").content.decode()
    # "Select all N" sends the rows on the page and select_across: every row the list shows.
    admin_client.post("/admin/crawler/site/", {
        "action": "crawl", "select_across": "1", "index": "0", "_selected_action": [added.pk]})

    assert not site.added_by_user
    assert site.url not in listing and site.url in shown
    assert CrawlRun.objects.filter(site=site).count() == runs
    assert CrawlRun.objects.filter(site=added).count() == 1  # "select all" did run


@pytest.mark.django_db
def test_adding_a_blog_a_command_crawled_takes_its_row_over(server, admin_client):
    """GIVEN a site the command made WHEN a person adds the same blog in the admin
    THEN that row becomes theirs (no "already exists") and a crawl-and-archive is queued."""
    from crawler.models import CrawlRun, Site

    blog = XuiteBlog(server, posts=3)
    call_command("crawl", blog.home, "--adapter", "xuite", stdout=StringIO(), stderr=StringIO())

    response = admin_client.post("/admin/crawler/site/add/", {"url": blog.home, "adapter": ""})

    assert response.status_code == 302, response.content.decode()[-2000:]
    site = Site.objects.get()
    assert site.added_by_user
    assert CrawlRun.objects.filter(site=site, archive_posts=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_its_output_is_plain_urls_for_xargs(server, worker_env, tmp_path):
    """GIVEN a fixture blog WHEN the command runs as a process THEN it exits 0,
    stdout is nothing but URLs and the progress bar stays on stderr."""
    blog = XuiteBlog(server, posts=21)

    result = run_command(blog.home, "--adapter", "xuite", "--concurrency", "2",
                         env={**worker_env, "WAYBRIEF_DATA_DIR": str(tmp_path)})  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert set(result.stdout.splitlines()) == blog.expected
    assert result.stdout.count("\n") == 21
    assert "pages" in result.stderr


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "allow_private", "message"),
    [
        ("/nothing/here", True, "cannot be read: it answered 404"),
        ("/alice/diary", False, "only fetches public addresses"),
    ],
)
def test_it_fails_clearly_when_the_site_cannot_be_read(
    server, worker_env, tmp_path, path, allow_private, message
):
    """GIVEN a site that answers 404, or one on loopback with private
    addresses refused WHEN it is crawled THEN the error says why on stderr,
    stdout is empty and the exit status is not 0."""
    XuiteBlog(server, posts=3)
    env = {**worker_env, "WAYBRIEF_DATA_DIR": str(tmp_path)}
    if not allow_private:
        env.pop("FETCH_ALLOW_PRIVATE")

    result = run_command(server.url(path), "--no-progress", env=env)

    assert result.returncode == 1
    assert message in result.stderr
    assert result.stdout == ""
    if not allow_private:
        assert server.requests == []


def test_it_refuses_an_unknown_adapter(worker_env, tmp_path):
    result = run_command("http://127.0.0.1:9/", "--adapter", "tumblr",
                         env={**worker_env, "WAYBRIEF_DATA_DIR": str(tmp_path)})  # fmt: skip

    assert result.returncode == 2
    assert "invalid choice: 'tumblr'" in result.stderr
