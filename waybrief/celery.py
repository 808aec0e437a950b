"""The one Celery app: queues, routing, and the settings that keep work safe.

Tasks are routed by the app that defines them, so a GPU node can run
``celery -A waybrief worker -Q summarize`` and never see a crawl.
"""

from __future__ import annotations

import os
from fnmatch import fnmatchcase

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waybrief.settings")

app = Celery("waybrief")
app.config_from_object("django.conf:settings", namespace="CELERY")

QUEUES = ("default", "crawl", "archive", "summarize")

app.conf.update(
    # A worker started with no -Q consumes every queue named here.
    task_queues=[Queue(name) for name in QUEUES],
    task_default_queue="default",
    task_routes={
        "crawler.*": {"queue": "crawl"},
        "sites.*": {"queue": "crawl"},  # whole-site reads: CDX pages and crawls
        "archiver.*": {"queue": "archive"},
        "summarizer.*": {"queue": "summarize"},
    },
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    # The database holds every outcome; results in the broker would be a
    # second ledger that nobody reads.
    task_ignore_result=True,
    # Ack after the task ran, and give a message back if its worker died,
    # so a SIGKILL delays work instead of losing it.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    # One message at a time per process: a summary can hold a CPU for a
    # minute, and prefetched messages would wait behind it.
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    timezone="UTC",
)
app.autodiscover_tasks()


def queue_for(task_name: str) -> str:
    """The queue a task's messages go to, by the routes above."""
    for pattern, route in app.conf.task_routes.items():
        if fnmatchcase(task_name, pattern):
            return route["queue"]
    return app.conf.task_default_queue


def queue_depths(queues: set[str]) -> dict[str, int | None]:
    """Messages waiting in each queue, over one connection (None: the broker
    cannot say, for instance while it is down)."""
    depths: dict[str, int | None] = dict.fromkeys(queues)
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            channel = conn.default_channel
            for queue in queues:
                # Not passive: a queue no worker has declared yet is empty, not an error.
                depths[queue] = channel.queue_declare(queue=queue, durable=True).message_count
    except Exception:  # a broker that is down: ring anyway, the rows decide
        pass
    return depths
