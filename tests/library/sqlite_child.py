"""The library on the embedded default: a SQLite file and its FTS5 index.

Run as ``python -m tests.library.sqlite_child`` with no ``DATABASE_URL`` and
``WAYBRIEF_DATA_DIR`` set to an empty folder: it migrates a fresh SQLite
database there, builds ``corpus``, and prints, as JSON, what each search
found, so the test that started it checks SQLite against the same cases as
PostgreSQL.
"""

from __future__ import annotations

import io
import json
import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waybrief.settings")
    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection

    from library.backends import FTS_TABLE
    from library.selectors import Filters, search
    from summarizer.models import Summary
    from tests.library import corpus

    call_command("migrate", verbosity=0)
    made = corpus.build()
    anyone = AnonymousUser()
    out: dict[str, object] = {"vendor": connection.vendor}
    out["cases"] = {q: corpus.titles(search(query=q, user=anyone)) for q, _ in corpus.CASES}
    out["alice_garden"] = corpus.titles(search(query="garden", user=made["alice"]))
    out["zh_hant_filter"] = corpus.titles(
        search(query="", user=anyone, filters=Filters(language="ZH-HANT"))
    )
    out["site_filter"] = corpus.titles(
        search(query="", user=anyone, filters=Filters(site=made["blog"]))
    )
    with connection.cursor() as cursor:  # the FTS5 table answers, not a LIKE
        cursor.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", ['"彩虹"'])
        out["fts_rows"] = cursor.fetchone()[0]
    Summary.objects.filter(document__title=corpus.KERNEL).delete()
    out["after_delete"] = corpus.titles(search(query="scheduler", user=anyone))
    summary = Summary.objects.get(document__title=corpus.SOURDOUGH)
    Summary.objects.filter(pk=summary.pk).update(output="Now about focaccia instead.")
    call_command("reindex", stdout=io.StringIO())
    out["after_reindex"] = corpus.titles(search(query="focaccia", user=anyone))
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
