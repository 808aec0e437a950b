"""The sites pages' live feed: server-sent progress, pushed by a notice on the
site's channel, with a slow poll behind it."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import AsyncClient, Client

from archiver.models import Capture
from sites.pages import feed
from tests.sites.pages_data import a_site
from waybrief import notify, streaming

pytestmark = pytest.mark.django_db(transaction=True)  # the feed reads in its own thread


@pytest.fixture(autouse=True)
def _close_stream_thread():
    yield
    streaming.close_connection()  # that thread's connection, before the database goes


def progress_of(chunk: str) -> dict | None:
    if not chunk.startswith("event: progress"):
        return None
    return json.loads(chunk.split("data: ", 1)[1])


def signed_in(user, cls=AsyncClient):
    client = cls()
    client.force_login(user)
    return client


async def next_progress(content, timeout: float = 10) -> dict:
    while True:
        chunk = (await asyncio.wait_for(anext(content), timeout)).decode()
        if (value := progress_of(chunk)) is not None:
            return value


def archive_one(url: str, site_id: int) -> None:
    """What a worker does: write the row, then say so on the site's channel."""
    try:
        Capture.objects.filter(url=url).update(state="archived")
        notify.publish(feed.channel(site_id))
    finally:
        connection.close()  # this thread's own


def test_the_feed_sends_a_sites_progress_then_each_change_as_it_is_announced(
    admin_user, monkeypatch
):
    """GIVEN a site of 4 posts, 2 being archived, and a poll too slow to matter (30 s)
    WHEN one capture is archived and announced on the site's channel
    THEN the feed sent the progress at once, and the change when announced."""
    monkeypatch.setattr(feed, "POLL_SECONDS", 30.0)
    site = a_site(posts=4)
    Capture.objects.bulk_create(Capture(url=f"{site.url}/{n}") for n in range(2))
    client = signed_in(admin_user)

    async def scenario():
        response = await client.get(f"/sites/{site.pk}/events")
        content = aiter(response.streaming_content)
        first = await next_progress(content)
        assert await notify.ready()
        await sync_to_async(archive_one, thread_sensitive=False)(f"{site.url}/0", site.pk)
        second = await next_progress(content)
        await content.aclose()
        return response, first, second

    response, first, second = asyncio.run(scenario())
    assert response["Content-Type"] == "text/event-stream"
    assert [s["id"] for s in first["sites"]] == [site.pk]
    before, after = first["sites"][0], second["sites"][0]
    assert before["archive"]["pending"] == 2 and before["archive"]["done"] == 0
    assert after["archive"]["pending"] == 1 and after["archive"]["done"] == 1
    assert after["archive"]["percent"] == 25 and after["text"]["archive"].startswith("1 of 4")
    assert before["crawl"]["state"] == "done" and after["busy"] is True


def test_the_list_feed_follows_only_the_sites_its_reader_may_see(monkeypatch):
    users = get_user_model().objects
    alice = users.create_user("alice", password="a-long-password-1")
    bob = users.create_user("bob", password="a-long-password-2")
    mine = a_site(url="https://blog.example.org/mine", posts=2, owner=alice)
    theirs = a_site(url="https://blog.example.org/theirs", posts=2, owner=bob)
    client = signed_in(alice)

    async def first_event():
        response = await client.get(f"/sites/events?ids={mine.pk},{theirs.pk}")
        content = aiter(response.streaming_content)
        value = await next_progress(content)
        await content.aclose()
        return value

    assert [s["id"] for s in asyncio.run(first_event())["sites"]] == [mine.pk]


def test_the_feed_is_only_for_signed_in_people_and_their_own_sites():
    users = get_user_model().objects
    alice = users.create_user("alice", password="a-long-password-1")
    bob = users.create_user("bob", password="a-long-password-2")
    theirs = a_site(posts=1, owner=bob)

    async def status(client) -> int:
        response = await client.get(f"/sites/{theirs.pk}/events")
        if response.streaming:  # read into it: the stream gives its request's thread back
            content = aiter(response.streaming_content)
            await next_progress(content)
            await content.aclose()
        return response.status_code

    assert asyncio.run(status(AsyncClient())) == 403
    assert asyncio.run(status(signed_in(alice))) == 404
    assert asyncio.run(status(signed_in(bob))) == 200


def test_under_a_wsgi_server_the_same_events_are_polled(admin_user):
    """Django's test live server is WSGI: it gets a polled stream of the same events."""
    site = a_site(posts=3)
    response = signed_in(admin_user, Client).get(f"/sites/{site.pk}/events")
    content = iter(response.streaming_content)
    chunks = [next(content).decode(), next(content).decode()]
    response.close()
    assert chunks[0].startswith("retry:")
    assert progress_of(chunks[1])["sites"][0]["posts"] == 3


def test_twenty_viewers_of_one_site_cost_about_one_read_per_notice(monkeypatch):
    """GIVEN 20 viewers of one site in one process and a 30 s poll WHEN a change is
    announced THEN each viewer gets it, and the site is read about once, not 20 times."""
    monkeypatch.setattr(feed, "POLL_SECONDS", 30.0)
    site = a_site(posts=3)
    Capture.objects.create(url=f"{site.url}/0")
    reads: list[int] = []
    original = feed.site_snapshot
    monkeypatch.setattr(feed, "site_snapshot", lambda s: reads.append(s.pk) or original(s))

    async def viewer(seen: list) -> None:
        async for chunk in feed._events([site.pk], "en"):
            if (value := progress_of(chunk)) is not None:
                seen.append(value)
            if len(seen) == 2:
                return

    async def scenario() -> tuple[list[list], int]:
        seen: list[list] = [[] for _ in range(20)]
        tasks = [asyncio.create_task(viewer(each)) for each in seen]
        await asyncio.wait_for(_until(lambda: all(seen)), 10)
        assert await notify.ready()
        before = len(reads)
        await sync_to_async(archive_one, thread_sensitive=False)(f"{site.url}/0", site.pk)
        await asyncio.wait_for(asyncio.gather(*tasks), 10)
        return seen, before

    seen, before = asyncio.run(scenario())
    assert all(each[1]["sites"][0]["archive"]["done"] == 1 for each in seen)
    assert before <= 3 and len(reads) - before <= 2, f"{len(reads)} reads for 20 viewers"


async def _until(predicate) -> None:
    while not predicate():
        await asyncio.sleep(0.01)
