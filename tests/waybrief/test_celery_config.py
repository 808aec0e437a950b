"""Routing and delivery settings that keep work safe under worker deaths."""

from waybrief.celery import app


def route(name: str) -> str:
    return app.amqp.router.route({}, name)["queue"].name


def test_it_routes_tasks_to_their_apps_queue():
    assert route("crawler.crawl_run") == "crawl"
    assert route("archiver.submit_capture") == "archive"
    assert route("summarizer.summarize") == "summarize"
    assert route("waybrief.heartbeat") == "default"


def test_a_worker_with_no_queue_flag_consumes_every_queue():
    assert {q.name for q in app.conf.task_queues} == {"default", "crawl", "archive", "summarize"}


def test_it_acknowledges_late_and_prefetches_one():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.accept_content == ["json"]


def test_redis_redelivers_only_after_the_longest_task():
    assert app.conf.broker_transport_options["visibility_timeout"] >= 3600


def test_the_reconciler_is_scheduled():
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "waybrief.reconcile" in scheduled
