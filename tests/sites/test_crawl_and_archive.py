"""One action crawls a blog and hands every post to the archiver."""

import pytest

from archiver.models import Capture
from crawler.models import CrawlRun
from crawler.services import execute_run, start_crawl
from sites.archiving import archive_posts, site_progress
from tests.support.sites.xuite import XuiteBlog

pytestmark = pytest.mark.django_db


def test_a_crawl_with_archiving_queues_a_capture_for_every_post(server):
    """GIVEN a Xuite blog of 23 posts WHEN it is crawled with archiving
    THEN each post gets exactly one pending capture, and the site's progress says so."""
    blog = XuiteBlog(server, posts=23)
    run = start_crawl(url=blog.home, archive=True)

    run = execute_run(run_id=run.pk)

    assert run.state == CrawlRun.State.DONE
    captured = set(Capture.objects.values_list("url", flat=True))
    assert captured == blog.expected and Capture.objects.count() == 23
    assert site_progress(run.site) == {"found": 23, "archived": 0, "pending": 23, "failed": 0,
                                       "not_requested": 0}  # fmt: skip


def test_posts_already_captured_are_not_submitted_again(server):
    blog = XuiteBlog(server, posts=12)
    run = execute_run(run_id=start_crawl(url=blog.home, archive=True).pk)
    Capture.objects.filter(url__in=sorted(blog.expected)[:5]).update(state="archived")

    assert archive_posts(run) == 0
    assert Capture.objects.count() == 12
    assert site_progress(run.site)["archived"] == 5


def test_a_plain_crawl_archives_nothing(server):
    blog = XuiteBlog(server, posts=5)
    execute_run(run_id=start_crawl(url=blog.home).pk)
    assert not Capture.objects.exists()


def test_the_admin_adds_a_site_and_queues_it_in_one_step(admin_client, server):
    blog = XuiteBlog(server, posts=3)
    response = admin_client.post("/admin/crawler/site/add/", {"url": blog.home, "adapter": ""})
    assert response.status_code == 302
    run = CrawlRun.objects.get()
    assert run.archive_posts is True and run.state == CrawlRun.State.PENDING
    assert [user.username for user in run.site.added_by.all()] == ["admin"]  # seen on /sites/
    page = admin_client.get(f"/admin/crawler/site/{run.site_id}/change/").content.decode()
    assert "<progress" in page and "posts found" in page


def test_a_post_the_archive_cannot_take_does_not_refuse_its_whole_batch():
    """GIVEN a finished run whose posts include one address too long for the Archive
    WHEN its posts are queued THEN every other post gets its capture, and that one is
    left out (logged) instead of refusing the batch."""
    from crawler.models import DiscoveredURL, Site

    site = Site.objects.create(url="https://blog.example.org/")
    run = CrawlRun.objects.create(site=site, state=CrawlRun.State.DONE)
    urls = [f"https://blog.example.org/{n}" for n in range(3)]
    urls.append("https://blog.example.org/" + "x" * 2000)
    DiscoveredURL.objects.bulk_create(
        DiscoveredURL(site=site, run=run, last_run=run, url=url) for url in urls
    )

    assert archive_posts(run) == 3
    assert set(Capture.objects.values_list("url", flat=True)) == set(urls[:3])


def test_a_handover_a_dead_process_dropped_is_made_by_the_reconciler(server):
    """GIVEN a crawl with archiving whose process died after the run's final
    write but before its posts were queued (handed_over_at empty, finished a
    while ago) WHEN the reconciler makes its pass THEN every post is queued,
    once: a second pass queues nothing more."""
    from datetime import timedelta

    from django.utils import timezone

    from crawler import services
    from waybrief.reconcile import declared

    blog = XuiteBlog(server, posts=7)
    run = execute_run(run_id=start_crawl(url=blog.home, archive=True).pk)
    assert run.handed_over_at is not None and Capture.objects.count() == 7  # the normal way
    Capture.objects.all().delete()
    long_ago = timezone.now() - timedelta(seconds=services.HANDOVER_GRACE_SECONDS + 5)
    CrawlRun.objects.filter(pk=run.pk).update(handed_over_at=None, finished=long_ago)

    (rule,) = [rule for rule in declared() if rule.model == "crawler.CrawlRun"]
    rule.after()

    assert set(Capture.objects.values_list("url", flat=True)) == blog.expected
    assert CrawlRun.objects.get(pk=run.pk).handed_over_at is not None
    assert services.hand_over_dropped() == 0 and Capture.objects.count() == 7


def test_a_run_just_finished_is_left_to_its_own_process(server):
    """GIVEN a run finished seconds ago, not yet handed over (its process is
    still queueing) WHEN the reconciler passes THEN it leaves the run alone."""
    from crawler import services

    blog = XuiteBlog(server, posts=3)
    run = execute_run(run_id=start_crawl(url=blog.home, archive=True).pk)
    Capture.objects.all().delete()
    CrawlRun.objects.filter(pk=run.pk).update(handed_over_at=None)

    assert services.hand_over_dropped() == 0 and not Capture.objects.exists()
