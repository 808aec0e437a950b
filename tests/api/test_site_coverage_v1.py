"""GET /api/v1/sites/{id}/coverage: a site's posts against the Archive's index."""

from __future__ import annotations

import pytest

from crawler.services import add_owner, crawl_site
from tests.support.sites.xuite import XuiteBlog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def allow_loopback(settings):
    settings.FETCH_ALLOW_PRIVATE = True


def test_it_answers_counts_and_each_posts_state(api, user, blog_server, cdx_wayback):
    """GIVEN a crawled blog of 12 posts, 5 captured WHEN its coverage is asked
    for THEN the counts are exact and each post has its state and capture."""
    blog = XuiteBlog(blog_server, posts=12)
    posts = sorted(blog.expected)
    for url in posts[:5]:
        cdx_wayback.add_capture(url, 1_700_000_000)
    site = crawl_site(url=blog.home, adapter="xuite").site
    add_owner(site, user)

    response = api.get(f"/api/v1/sites/{site.pk}/coverage/?stale_days=100000")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counts"] == {"captured": 5, "stale": 0, "missing": 7, "gone": 0, "live": 12,
                              "in_archive": 5}  # fmt: skip
    states = {post["url"]: (post["state"], post["timestamp"]) for post in body["posts"]}
    assert states[posts[0]] == ("captured", "20231114221320")
    assert states[posts[-1]] == ("missing", "")


def test_it_says_so_when_the_index_cannot_be_read(api, user, settings):
    """GIVEN the Archive unreachable WHEN coverage is asked for THEN 503."""
    from crawler.models import Site

    settings.WAYBACK_URL = "http://127.0.0.1:9"
    site = Site.objects.create(url="http://127.0.0.1:9/blog")
    add_owner(site, user)

    response = api.get(f"/api/v1/sites/{site.pk}/coverage/")

    assert response.status_code == 503
    assert "cannot be read" in response.json()["detail"]


def test_recover_is_queued_by_post_and_its_list_read_by_get(api, user, cdx_wayback):
    """GIVEN a site of which the Archive holds 2 posts WHEN a recovery is POSTed
    THEN it answers 202 at once with the queued recovery; once a worker has run
    it, GET answers its state and both posts with their captures, as JSON and CSV."""
    from crawler.models import Site
    from sites.recovery import run_recovery

    site = Site.objects.create(url="http://blog.xuite.net/alice/diary")
    add_owner(site, user)
    stamps = {f"{site.url}/{n}": cdx_wayback.add_capture(f"{site.url}/{n}-t", 1_700_000_000 + n)
              for n in (101, 102)}  # fmt: skip
    assert api.get(f"/api/v1/sites/{site.pk}/recover/").status_code == 404

    queued = api.post(f"/api/v1/sites/{site.pk}/recover/", {"summarize": True}, format="json")
    assert queued.status_code == 202, queued.content
    assert (queued.json()["state"], queued.json()["summarize"]) == ("pending", True)
    run_recovery(queued.json()["id"])  # what the worker's task does
    body = api.get(f"/api/v1/sites/{site.pk}/recover/").json()
    csv_response = api.get(f"/api/v1/sites/{site.pk}/recover/?export=csv")
    json_export = api.get(f"/api/v1/sites/{site.pk}/recover/?export=json").json()

    assert (body["state"], body["posts_found"]) == ("done", 2)
    assert body["progress"] == {"posts": 2, "summarized": 0, "summary_failed": 0,
                                "summarizing": 2}  # fmt: skip
    assert {post["url"]: post["timestamp"] for post in body["posts"]} == stamps
    assert {post["url"] for post in json_export} == set(stamps)
    csv_text = csv_response.content.decode()
    assert csv_response["Content-Type"] == "text/csv"
    assert csv_text.startswith("url,captured_at,timestamp") and csv_text.count("\n") == 3
    bad = api.get(f"/api/v1/sites/{site.pk}/recover/?export=xml")
    assert bad.status_code == 400


def test_a_site_someone_else_added_is_not_shown(api, user):
    """GIVEN a site another user added WHEN this user asks for it THEN 404, and the
    list holds only this user's own sites (staff see every site, as on /sites/)."""
    from django.contrib.auth import get_user_model

    from crawler.models import Site

    other = get_user_model().objects.create_user(username="someone-else")
    theirs = Site.objects.create(url="http://blog.xuite.net/bob/diary")
    add_owner(theirs, other)
    mine = Site.objects.create(url="http://blog.xuite.net/alice/diary")
    add_owner(mine, user)

    assert api.get(f"/api/v1/sites/{theirs.pk}/").status_code == 404
    listed = api.get("/api/v1/sites/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["url"] for row in rows] == [mine.url]
