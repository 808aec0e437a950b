"""The one Celery app: queues, routing, and the settings that keep work safe.

Tasks are routed by the app that defines them, so a GPU node can run
``celery -A waybrief worker -Q summarize`` and never see a crawl.
"""

from __future__ import annotations

import os

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
