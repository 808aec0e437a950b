"""A whole site as one file ("the blog in brief"), streamed, in four formats."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import pytest
from asgiref.sync import async_to_sync
from django.http import StreamingHttpResponse
from django.test import AsyncRequestFactory
from django.urls import reverse

from archiver.models import Capture
from library import views
from summarizer.models import Summary
from tests.library import corpus
from wayback.urls import capture_url

pytestmark = pytest.mark.django_db
POSTS = 300
STAMP = "20260102030405"
INJECTED_TITLE = '=HYPERLINK("http://evil.test","click")'


@pytest.fixture
def blog(django_user_model):
    """300 posts: every third archived, every other summarized (the first with a
    formula for a title), and one summary private to somebody else."""
    urls = corpus.post_urls(POSTS)
    site = corpus.make_site("http://blog.test/", urls)
    Capture.objects.bulk_create(
        [
            Capture(
                url=url,
                state=Capture.State.ARCHIVED,
                timestamp=STAMP,
                wayback_url=capture_url(STAMP, url),
            )
            for url in urls[::3]
        ]
    )
    for i, url in enumerate(urls[::2]):
        corpus.make_summary(
            url=url,
            title=INJECTED_TITLE if i == 0 else f"Post *{i * 2 + 1}*",
            output=f"Post {i * 2 + 1} says **something** <script>x()</script>.",
        )
    stranger = django_user_model.objects.create_user("stranger", password="pw")
    corpus.make_summary(
        url=urls[1], title="Secret title", output="secret words", private=True, owner=stranger
    )
    return site


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_user("root", password="pw", is_staff=True)
    client.force_login(user)
    return user


def download(client, site, fmt: str) -> tuple[StreamingHttpResponse, str]:
    response = client.get(reverse("library:site-export", args=[site.pk, fmt]))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse) and not response.has_header("Content-Length")
    return response, b"".join(response.streaming_content).decode()


def test_csv_has_a_row_a_post_with_its_capture_and_summary(client, staff, blog):
    response, body = download(client, blog, "csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="blogtest-brief.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == POSTS
    by_url = {row["url"]: row for row in rows}
    first, second, fourth = (by_url[f"http://blog.test/post/{n}"] for n in (1, 2, 4))
    assert first["wayback_url"] == capture_url(STAMP, first["url"])
    assert first["captured_at"] == "2026-01-02T03:04:05Z"
    assert fourth["wayback_url"] and not second["wayback_url"]
    assert by_url["http://blog.test/post/3"]["summary"].startswith("Post 3 says")
    assert by_url["http://blog.test/post/3"]["summary_url"].startswith("http://testserver/s/")
    assert second["summary"] == "" and "secret" not in body  # another's private summary


def test_csv_cells_cannot_run_as_formulas(client, staff, blog):
    _response, body = download(client, blog, "csv")
    first = next(csv.DictReader(io.StringIO(body)))
    assert first["title"] == "'" + INJECTED_TITLE


def test_json_is_one_document_with_every_post(client, staff, blog):
    response, body = download(client, blog, "json")
    assert response["Content-Type"] == "application/json"
    document = json.loads(body)
    assert document["site"] == "http://blog.test/"
    assert [post["url"] for post in document["posts"]] == corpus.post_urls(POSTS)
    assert document["posts"][0]["title"] == INJECTED_TITLE  # JSON is data, kept as written
    assert document["posts"][2]["title"] == "Post *3*"


def test_markdown_holds_each_post_title_link_and_summary(client, staff, blog):
    _response, body = download(client, blog, "md")
    assert body.startswith("# http://blog.test/ in brief")
    assert body.count("\n## [") == POSTS
    for n, url in enumerate(corpus.post_urls(POSTS), 1):
        assert f"(<{url}>)" in body
        if n % 2:
            assert f"Post {n} says **something** &lt;script>x()&lt;/script>." in body
    assert f"[Wayback Machine](<{capture_url(STAMP, 'http://blog.test/post/1')}>)" in body
    assert '## [=HYPERLINK("http://evil.test","click")](' in body
    assert "## [Post \\*3\\*]" in body  # a title is text, not Markdown
    assert "<script>" not in body  # nor is a summary's raw HTML


class _Articles(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.articles, self.links, self.scripts = 0, set(), 0

    def handle_starttag(self, tag, attrs) -> None:
        self.articles += tag == "article"
        self.scripts += tag == "script"
        self.links.update(value for name, value in attrs if name == "href")


def test_html_is_a_page_with_an_article_a_post_rendered_safely(client, staff, blog):
    response, body = download(client, blog, "html")
    assert response["Content-Type"].startswith("text/html")
    parsed = _Articles()
    parsed.feed(body)
    assert parsed.articles == POSTS and parsed.scripts == 0
    assert set(corpus.post_urls(POSTS)) <= parsed.links
    assert capture_url(STAMP, "http://blog.test/post/4") in parsed.links
    assert "Post 3 says <strong>something</strong>" in body
    summary = Summary.objects.get(url="http://blog.test/post/3")
    assert f"http://testserver/s/{summary.token}" in parsed.links


def test_under_asgi_the_export_streams_from_an_async_iterator(staff, blog):
    """Django reads a plain iterator whole before sending it under ASGI; the
    view hands it an async one there, read a chunk at a time."""
    request = AsyncRequestFactory().get(reverse("library:site-export", args=[blog.pk, "csv"]))
    request.user = staff
    response = views.site_export(request, pk=blog.pk, fmt="csv")
    assert response.is_async

    async def read() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    rows = list(csv.DictReader(io.StringIO(async_to_sync(read)().decode())))
    assert len(rows) == POSTS


def test_a_site_is_exported_to_staff_and_to_those_who_added_it_alone(
    client, blog, django_user_model
):
    url = reverse("library:site-export", args=[blog.pk, "json"])
    assert client.get(url).status_code == 302  # to the sign-in page
    other = django_user_model.objects.create_user("other", password="pw")
    client.force_login(other)
    assert client.get(url).status_code == 404
    blog.added_by.add(other)
    assert client.get(url).status_code == 200


def test_an_unknown_format_is_not_found(client, staff, blog):
    assert client.get(f"/library/sites/{blog.pk}/export.xlsx").status_code == 404
