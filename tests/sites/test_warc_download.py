"""A site's WARC copies as downloads: whole files and one post's record, in
the admin and the API, for staff and the site's own people only."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from knox.models import AuthToken
from rest_framework.test import APIClient
from warcio.archiveiterator import ArchiveIterator

from crawler.models import DiscoveredURL, Site
from tests.sites.kept_blog import kept_blog
from tests.support.crawling import crawl
from waybrief import warc
from waybrief.warc.tools import check

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def warc_dir(settings, tmp_path) -> Path:
    settings.WARC_DIR = str(tmp_path / "warc")
    return tmp_path / "warc"


@pytest.fixture
def kept(server):
    """A crawled 5-post blog whose site keeps copies: (site, bodies, its one file)."""
    blog, site, bodies = kept_blog(server, 5)
    crawl(blog.base + "/")
    (path,) = warc.site_files(site.url)
    return site, bodies, path


def api_for(*, staff: bool = False, owns: Site | None = None, name: str = "reader") -> APIClient:
    user = get_user_model().objects.create_user(username=name, is_staff=staff)
    if owns is not None:
        owns.added_by.add(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    return client


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def one_record(data: bytes) -> tuple[str, str, bytes]:
    found = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
             for r in ArchiveIterator(io.BytesIO(data))]
    assert len(found) == 1
    return found[0]


# --- the admin ---------------------------------------------------------------


def test_the_admin_action_leads_to_the_sites_files_and_each_downloads_whole(admin_client, kept):
    """GIVEN a kept site WHEN staff choose "Download the WARC copies" on it
    THEN its WARC page lists its file, and the link streams the file, byte
    for byte, as an attachment."""
    site, _, path = kept

    chosen = admin_client.post("/admin/crawler/site/", {
        "action": "download_warc", "_selected_action": [site.pk]})
    page = admin_client.get(chosen["Location"])
    download = admin_client.get(f"/admin/crawler/site/{site.pk}/warc/{path.name}")

    assert (chosen.status_code, chosen["Location"]) == (302, f"/admin/crawler/site/{site.pk}/warc/")
    assert page.status_code == 200 and path.name in page.content.decode()
    assert download.status_code == 200 and body_of(download) == path.read_bytes()
    assert download["Content-Disposition"] == f'attachment; filename="{path.name}"'
    assert download["Content-Type"] == "application/warc"
    assert "Content-Encoding" not in download


def test_the_admin_downloads_one_posts_record_as_a_warc_of_its_own(admin_client, kept, tmp_path):
    site, bodies, _ = kept
    post = sorted(bodies)[2]

    response = admin_client.get(f"/admin/crawler/site/{site.pk}/warc/record/?url={quote(post)}")

    data = body_of(response)
    assert response.status_code == 200 and one_record(data) == ("response", post, bodies[post])
    single = tmp_path / "one.warc.gz"
    single.write_bytes(data)
    assert check(single)[0]  # a whole .warc.gz that warcio's checker passes


def test_the_admin_serves_no_file_outside_the_sites_own_listing(admin_client, kept, warc_dir,
                                                                 server):
    site, _, path = kept
    other = Site.objects.create(url=server.url("/elsewhere/"))
    (warc_dir / "secret.warc.gz").write_bytes(b"not this site's")
    base = f"/admin/crawler/site/{site.pk}/warc/"

    climbed = admin_client.get(base + "..%2Fsecret.warc.gz", follow=True)
    assert not climbed.streaming and b"not this site's" not in climbed.content
    assert admin_client.get(base + "secret.warc.gz").status_code == 404
    assert admin_client.get(base + "nothing.warc.gz").status_code == 404
    assert admin_client.get(f"/admin/crawler/site/{other.pk}/warc/{path.name}").status_code == 404
    assert admin_client.get(base + "record/?url=http://never.test/").status_code == 404


def test_the_action_asks_for_one_site_at_a_time(admin_client, kept, server):
    site, _, _ = kept
    other = Site.objects.create(url=server.url("/other/"))

    response = admin_client.post("/admin/crawler/site/", {
        "action": "download_warc", "_selected_action": [site.pk, other.pk]}, follow=True)

    assert "Choose one site" in response.content.decode()


def test_a_person_who_is_not_staff_gets_the_login_page(client, kept):
    site, _, path = kept
    response = client.get(f"/admin/crawler/site/{site.pk}/warc/{path.name}")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- the API -----------------------------------------------------------------


def test_staff_list_the_sites_files_and_download_one_streamed(kept):
    site, _, path = kept
    api = api_for(staff=True)

    listed = api.get(f"/api/v1/sites/{site.pk}/warc/")
    (entry,) = listed.json()["files"]
    download = api.get(entry["download"])

    assert listed.status_code == 200
    assert entry["name"] == path.name and entry["size"] == path.stat().st_size
    assert download.status_code == 200 and download.streaming
    assert body_of(download) == path.read_bytes() and download["Content-Type"] == "application/warc"


def test_the_api_downloads_one_posts_record_by_its_rows_place(kept):
    """The post's row says where its record is; the answer is that one record."""
    site, bodies, _ = kept
    post = sorted(bodies)[0]
    row = DiscoveredURL.objects.get(site=site, url=post)

    response = api_for(staff=True).get(f"/api/v1/sites/{site.pk}/warc-record", {"url": post})

    data = body_of(response)
    assert response.status_code == 200 and len(data) == row.warc_length
    assert one_record(data) == ("response", post, bodies[post])


def test_the_people_who_added_the_site_may_download_and_to_others_there_is_nothing(kept):
    site, _, path = kept
    owner = api_for(owns=site, name="owner")
    stranger = api_for(name="stranger")

    file = f"/api/v1/sites/{site.pk}/warc-file"
    assert owner.get(file, {"name": path.name}).status_code == 200
    assert stranger.get(f"/api/v1/sites/{site.pk}/warc/").status_code == 404
    assert stranger.get(file, {"name": path.name}).status_code == 404
    assert APIClient().get(f"/api/v1/sites/{site.pk}/warc/").status_code == 401


def test_the_api_serves_no_file_outside_the_sites_own_listing(kept, warc_dir):
    site, _, _ = kept
    (warc_dir / "secret.warc.gz").write_bytes(b"not this site's")
    api = api_for(staff=True)

    folder = warc.folder_for(site.url).name
    for name in ["../secret.warc.gz", "secret.warc.gz", f"{folder}/../secret.warc.gz",
                 f"../{folder}/x.warc.gz", str(warc_dir / "secret.warc.gz"), ""]:
        response = api.get(f"/api/v1/sites/{site.pk}/warc-file", {"name": name})
        assert response.status_code == 404, name
    assert api.get(f"/api/v1/sites/{site.pk}/warc-record", {"url": "http://x.test/"}
                   ).status_code == 404
