"""A site's page lists every post with its state, filtered, sorted and paged
by the server (a site may have 10,000 posts)."""

from __future__ import annotations

import re

import pytest

from sites.pages import posts
from tests.sites.pages_data import a_site, every_state

pytestmark = pytest.mark.django_db


def rows(html: str) -> list[tuple[str, str]]:
    """(state, first link's text) of each post row in the page."""
    row = r'<tr class="post state-(\w+)">\s*<td class="post-title"><a [^>]*>([^<]*)</a>'
    found = re.findall(row, html)
    return [(state, text.strip()) for state, text in found]


def test_each_post_gets_its_one_state():
    site = a_site(posts=8)
    by_state = every_state(site)
    states = dict(posts.site_posts(site=site).values_list("url", "state"))
    assert {url: states[url] for url in by_state.values()} == {
        url: state for state, url in by_state.items()
    }
    counts = posts.state_counts(site)
    assert counts == {"captured": 1, "stale": 1, "missing": 2, "gone": 1, "archived": 1,
                      "pending": 1, "failed": 1, "total": 8}  # fmt: skip


def test_a_row_shows_the_failure_reason_and_links_to_the_capture_and_summary(admin_client):
    site = a_site(posts=8)
    by_state = every_state(site)
    html = admin_client.get(f"/sites/{site.pk}/").content.decode()
    assert "error:blocked-url" in html
    assert f'href="https://web.archive.org/web/1/{by_state["archived"]}"' in html
    summary = re.search(r'href="(/s/[\w-]{22,})"', html).group(1)
    assert admin_client.get(summary).status_code == 200
    # a capture the Archive holds (read by a recovery) links to its replay
    assert re.search(r'href="http[^"]*/web/\d{14}/' + re.escape(by_state["captured"]) + '"', html)


def test_the_page_filters_by_state(admin_client):
    site = a_site(posts=8)
    by_state = every_state(site)
    html = admin_client.get(f"/sites/{site.pk}/?state=failed").content.decode()
    assert rows(html) == [("failed", by_state["failed"])]
    html = admin_client.get(f"/sites/{site.pk}/?state=missing").content.decode()
    assert [state for state, _ in rows(html)] == ["missing", "missing"]


def test_an_unknown_state_or_sort_shows_every_post_in_the_default_order(admin_client):
    site = a_site(posts=8)
    every_state(site)
    html = admin_client.get(f"/sites/{site.pk}/?state=nonsense&sort=';drop").content.decode()
    assert len(rows(html)) == 8


def test_the_page_sorts_by_title_either_way(admin_client):
    """Posts without a summary have no title yet: they sort before the titled one."""
    site = a_site(posts=8)
    every_state(site)  # only the archived post has a summary, titled "An archived post"
    up = rows(admin_client.get(f"/sites/{site.pk}/?sort=title").content.decode())
    down = rows(admin_client.get(f"/sites/{site.pk}/?sort=-title").content.decode())
    assert up[-1] == ("archived", "An archived post") and down[0] == up[-1]
    assert [text for _, text in up[:-1]] == sorted(text for _, text in up[:-1])


def test_the_page_sorts_by_state(admin_client):
    site = a_site(posts=8)
    every_state(site)
    states = [
        s for s, _ in rows(admin_client.get(f"/sites/{site.pk}/?sort=state").content.decode())
    ]
    assert states == sorted(states)


def test_a_site_of_120_posts_is_paged_by_50_and_the_filter_stays_on_each_page(admin_client):
    site = a_site(posts=120)
    first = admin_client.get(f"/sites/{site.pk}/?state=missing").content.decode()
    assert len(rows(first)) == 50 and "Page 1 of 3" in first
    assert 'href="?state=missing&amp;page=2"' in first
    last = admin_client.get(f"/sites/{site.pk}/?state=missing&page=3").content.decode()
    assert len(rows(last)) == 20
    pages = [f"/sites/{site.pk}/?state=missing&page={n}" for n in (1, 2, 3)]
    seen = {text for page in pages for _, text in rows(admin_client.get(page).content.decode())}
    assert len(seen) == 120


def test_the_site_page_reads_its_posts_in_a_bounded_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    """GIVEN a site of 600 posts WHEN its page is shown THEN the rows, states and counts
    come from a fixed number of queries, not one or more per post."""
    site = a_site(posts=600)
    every_state(site)
    with django_assert_max_num_queries(40):
        assert admin_client.get(f"/sites/{site.pk}/").status_code == 200


def test_the_site_page_links_the_blog_in_brief_in_each_export_format(admin_client):
    site = a_site(posts=1)
    html = admin_client.get(f"/sites/{site.pk}/").content.decode()
    for fmt in ("md", "html", "csv", "json"):
        assert f'href="/library/sites/{site.pk}/export.{fmt}"' in html
