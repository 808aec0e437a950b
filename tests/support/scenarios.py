"""Units of work for the fault tests and bench/faults.py, and the checks on them.

A batch is captures (each ends archived/skipped/failed, with exactly one
accepted SPN2 save per URL at the stand-in) and summaries (each ends done
or failed). Everything is counted from the database and the stand-ins.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from archiver import services as archiver
from archiver.models import Capture
from summarizer import services as summarizer
from summarizer.models import Summary
from tests.support.documents import ARTICLE
from tests.support.http import LocalServer, Reply
from tests.support.processes import ring
from tests.support.timings import FAST


def article_pages(server: LocalServer):
    """``page(n, fault="")``: the URL of an article on ``server`` whose text names
    page-N (and a fault for the model stand-in to act out)."""

    def page(n: int, fault: str = "") -> str:
        words = f"page-{n} fault-{fault}" if fault else f"page-{n}"
        html = ARTICLE.replace(
            "</article>", f"<p>This is {words} of the fault suite.</p></article>"
        )
        return server.route(f"/post/{n}", Reply(200, html.encode(), {"Content-Type": "text/html"}))

    return page


def worker_environment(base: dict[str, str], *, broker_url: str, wayback_url: str,
                       model_url: str, data_dir: str, **overrides) -> dict[str, str]:  # fmt: skip
    """A worker on ``broker_url``, pointed at the stand-ins, with every interval short:
    leases of 2 s and a reconciler pass every second."""
    return {
        **base,
        **{k: str(v) for k, v in FAST.items()},
        "CELERY_BROKER_URL": broker_url,
        "WAYBACK_URL": wayback_url,
        "LLM_BACKEND": "openai",
        "LLM_OPENAI_BASE_URL": model_url,
        "LLM_MAX_OUTPUT_TOKENS": "64",
        "LEASE_SECONDS": "2",
        "RECONCILE_INTERVAL_SECONDS": "1",
        "WAYBRIEF_DATA_DIR": data_dir,
        **{k: str(v) for k, v in overrides.items()},
    }


@dataclass
class Batch:
    urls: list[str]
    capture_ids: list[int]
    summary_ids: list[int]
    started: float = field(default_factory=time.monotonic)

    def ring(self, broker_url: str) -> None:
        ring(broker_url, "archiver.process", self.capture_ids)
        ring(broker_url, "summarizer.summarize", self.summary_ids)

    def open_captures(self) -> int:
        rows = Capture.objects.filter(pk__in=self.capture_ids)
        return rows.filter(state__in=Capture.OPEN_STATES).count()

    def open_summaries(self) -> int:
        rows = Summary.objects.filter(pk__in=self.summary_ids)
        return rows.exclude(state__in=[Summary.State.DONE, Summary.State.FAILED]).count()

    def all_final(self) -> bool:
        return self.open_captures() == 0 and self.open_summaries() == 0

    def in_flight(self) -> bool:
        """Some capture submitted and some summary being written, right now."""
        summaries = Summary.objects.filter(pk__in=self.summary_ids, state="summarizing")
        return summaries.exists() and self.saves_in_flight()

    def saves_in_flight(self) -> bool:
        return Capture.objects.filter(pk__in=self.capture_ids, state="submitted").exists()


def make_batch(label: str, captures: int, summaries: int, page_url) -> Batch:
    """``captures`` URLs to archive and ``summaries`` pages to summarize, no doorbell yet."""
    urls = [f"https://blog.example.org/{label}/{n}" for n in range(captures)]
    rows = archiver.archive_urls(urls, source="faults", enqueue=False)
    summary_ids = [
        summarizer.request_summary(url=page_url(n), enqueue=False).pk for n in range(summaries)
    ]
    return Batch(urls, [c.pk for c in rows], summary_ids)


@dataclass
class Outcome:
    units: int
    final: int
    lost: int
    duplicated: int
    states: dict[str, int]


def outcome(batch: Batch, wayback) -> Outcome:
    """Final rows, rows left open (lost), and URLs saved more than once (duplicated)."""
    captures = list(Capture.objects.filter(pk__in=batch.capture_ids))
    summaries = list(Summary.objects.filter(pk__in=batch.summary_ids))
    states: dict[str, int] = {}
    for row in [*captures, *summaries]:
        states[row.state] = states.get(row.state, 0) + 1
    final = sum(c.state in Capture.FINAL_STATES for c in captures) + sum(
        s.is_finished for s in summaries
    )
    units = len(batch.capture_ids) + len(batch.summary_ids)
    accepted: dict[str, int] = {}
    for arrival in wayback.saves():
        if arrival.status == 200:
            accepted[arrival.url] = accepted.get(arrival.url, 0) + 1
    duplicated = sum(1 for url in batch.urls if accepted.get(url, 0) > 1)
    return Outcome(units, final, units - final, duplicated, states)
