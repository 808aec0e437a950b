"""/library/: every summary one may see, searched in English and in Chinese."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from library.models import Entry
from library.selectors import Filters, search
from summarizer import services
from summarizer.models import Summary
from tests.library import corpus
from tests.summarizer.scripted import ScriptedBackend
from tests.support.documents import POST as BIG5_POST
from tests.support.http import Reply
from tests.support.waiting import ROOT

pytestmark = pytest.mark.django_db
ANYONE = AnonymousUser()


@pytest.fixture
def made():
    return corpus.build()


@pytest.mark.parametrize(("query", "expected"), corpus.CASES)
def test_it_finds_what_each_query_asks_for_on_postgresql(made, query, expected):
    assert corpus.titles(search(query=query, user=ANYONE)) == expected


def test_the_page_lists_an_english_hit_with_a_highlighted_snippet_and_its_link(client, made):
    page = client.get(reverse("library:search"), {"q": "starter"})
    summary = Summary.objects.get(document__title=corpus.SOURDOUGH)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/s/{summary.token}"' in html
    assert "Feed the <mark>starter</mark> flour" in html
    assert corpus.KERNEL not in html


def test_a_big5_post_summarized_by_a_worker_is_found_by_a_word_of_its_body(
    client, site, loopback_fetcher
):
    """GIVEN a Big5 page (no charset) summarized through the whole pipeline, which
    ends the row by its lease's UPDATE (no post_save) WHEN someone searches a
    two-character word of its body THEN the page finds it, highlighted."""
    url = site.route("/big5", Reply(200, BIG5_POST.encode("cp950"), {"Content-Type": "text/html"}))
    summary = services.request_summary(url=url, enqueue=False)
    backend = ScriptedBackend(["作者去了大溪老街，吃了美食。"])
    summary = services.run_summary(summary_id=summary.pk, fetcher=loopback_fetcher, backend=backend)
    assert summary.state == Summary.State.DONE and summary.document.encoding == "cp950"
    assert "棋子" in summary.document.text and "棋子" not in summary.document.title
    assert Entry.objects.filter(summary=summary).exists()  # summary_finished told the library
    Entry.objects.filter(summary=summary).delete()  # as if its worker died before indexing

    page = client.get(reverse("library:search"), {"q": "棋子"})

    html = page.content.decode()
    assert f'href="/s/{summary.token}"' in html
    assert "<mark>棋子</mark>" in html
    assert Entry.objects.filter(summary=summary).exists()  # the search caught up


def test_a_run_that_ends_tells_the_library_done_or_failed(site):
    """GIVEN a summary whose run ends (the lease's UPDATE sends no post_save)
    WHEN the summarizer announces summary_finished THEN a done one is indexed
    at once and a failed one leaves the index."""
    from summarizer.signals import summary_finished

    url = site.route("/post", Reply(200, BIG5_POST.encode("cp950"), {"Content-Type": "text/html"}))
    summary = services.request_summary(url=url, enqueue=False)
    Summary.objects.filter(pk=summary.pk).update(state=Summary.State.DONE, output="大溪老街")
    summary.refresh_from_db()
    summary_finished.send(sender=Summary, summary=summary)
    assert Entry.objects.filter(summary=summary).exists()

    Summary.objects.filter(pk=summary.pk).update(state=Summary.State.FAILED)
    summary.refresh_from_db()
    summary_finished.send(sender=Summary, summary=summary)
    assert not Entry.objects.filter(summary=summary).exists()


def test_filters_narrow_by_site_language_mode_and_date(made):
    def found(**filters):
        return sorted(corpus.titles(search(query="", user=ANYONE, filters=Filters(**filters))))

    assert found(site=made["blog"]) == sorted([corpus.SOURDOUGH, corpus.BIG5_TITLE])
    assert found(language="zh-hant") == [corpus.BIG5_TITLE]
    assert found(mode="takeaway") == [corpus.TAKEAWAY]
    today = made["now"].date()
    assert corpus.SOURDOUGH not in found(since=today - timedelta(days=1))
    assert found(until=today - timedelta(days=5)) == [corpus.SOURDOUGH]


def test_the_page_reads_its_filters_from_the_query_string(client, made):
    page = client.get(reverse("library:search"), {"q": "", "mode": "explain"})
    assert corpus.KERNEL in page.content.decode()
    assert corpus.SOURDOUGH not in page.content.decode()
    refused = client.get(reverse("library:search"), {"since": "2026-05-02", "until": "2026-05-01"})
    assert (
        refused.status_code == 200
        and "The first date is after the last." in refused.content.decode()
    )


def test_a_private_summary_is_found_by_its_owner_alone(client, made, django_user_model):
    assert corpus.titles(search(query="garden", user=made["alice"])) == [corpus.SECRET]
    bob = django_user_model.objects.get(username="bob")
    staff = django_user_model.objects.create_user("root", password="pw", is_staff=True)
    for other in (ANYONE, bob, staff):
        assert corpus.titles(search(query="garden", user=other)) == []
    client.force_login(bob)
    assert corpus.SECRET not in client.get(reverse("library:search")).content.decode()
    client.force_login(made["alice"])
    assert corpus.SECRET in client.get(reverse("library:search")).content.decode()


def test_a_summary_that_keeps_nothing_or_fails_leaves_the_library(made):
    summary = Summary.objects.get(document__title=corpus.KERNEL)
    summary.state = Summary.State.FAILED
    summary.save()
    assert not Entry.objects.filter(summary=summary).exists()
    assert corpus.titles(search(query="scheduler", user=ANYONE)) == []


def test_results_come_a_page_at_a_time(client):
    for i in range(25):
        corpus.make_summary(
            url=f"http://many.test/{i}",
            title=f"Lighthouse {i}",
            output=f"Lighthouse keeping, part {i}.",
        )
    first = client.get(reverse("library:search"), {"q": "lighthouse"})
    second = client.get(reverse("library:search"), {"q": "lighthouse", "page": 2})
    assert first.context["page"].paginator.count == 25
    assert len(first.context["results"]) == 20 and len(second.context["results"]) == 5
    assert "page=2" in first.content.decode() and "q=lighthouse" in first.content.decode()


def test_the_same_cases_pass_on_sqlite_with_fts5(tmp_path):
    """GIVEN the embedded default (no DATABASE_URL: a SQLite file) WHEN the same
    corpus is searched THEN FTS5 finds what PostgreSQL finds, and its index
    follows deletes and a rebuild."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(WAYBRIEF_DATA_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "tests.library.sqlite_child"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["vendor"] == "sqlite"
    assert out["cases"] == dict(corpus.CASES)
    assert out["fts_rows"] == 1
    assert out["alice_garden"] == [corpus.SECRET]
    assert out["zh_hant_filter"] == [corpus.BIG5_TITLE]
    assert sorted(out["site_filter"]) == sorted([corpus.SOURDOUGH, corpus.BIG5_TITLE])
    assert out["after_delete"] == []
    assert out["after_reindex"] == [corpus.SOURDOUGH]
    assert (tmp_path / "waybrief.sqlite3").exists()
