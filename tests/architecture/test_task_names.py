"""Services ring tasks by name: every name they ring is a task a worker knows."""

from __future__ import annotations

import importlib

from waybrief import reconcile
from waybrief.celery import QUEUES, app, queue_for

APPS = ("waybrief", "crawler", "archiver", "summarizer", "sites")
RUNG = [
    ("archiver.services", "PROCESS_TASK"),
    ("archiver.services", "PROBE_TASK"),
    ("crawler.services", "RUN_TASK"),
    ("summarizer.services", "SUMMARIZE_TASK"),
    ("sites.recovery", "RECOVER_TASK"),
    ("sites.coverage", "COVERAGE_TASK"),
    ("waybrief.services", "HEARTBEAT_TASK"),
    ("waybrief.doorbell", "FAN_OUT"),
]


def registered() -> set[str]:
    for name in APPS:
        importlib.import_module(f"{name}.tasks")
    return set(app.tasks)


def test_every_name_a_service_rings_is_a_registered_task():
    names = {getattr(importlib.import_module(module), attr) for module, attr in RUNG}
    assert names <= registered(), names - registered()


def test_every_declared_reconcile_rings_a_registered_task_and_a_known_queue():
    rules = reconcile.declared()
    assert {rule.name for rule in rules} == {
        "captures", "crawl runs", "heartbeats", "recoveries", "summaries"}
    for rule in rules:
        assert rule.task in registered(), rule
        assert queue_for(rule.task) in QUEUES, rule
