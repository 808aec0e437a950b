"""Recovery and RecoveredPost moved from the crawler app to sites without losing a row."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sites.models import RecoveredPost, Recovery

BEFORE = [("sites", None), ("crawler", "0004_recovery")]


def _executor() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_a_database_made_before_the_move_keeps_every_row():
    """GIVEN a database at the pre-move schema, holding a site, a recovery and its posts
    WHEN migrated to today's schema THEN the same rows answer through sites.models,
    and the content types (permissions, admin history) moved with them."""
    executor = _executor()
    executor.migrate(BEFORE)
    old = executor.loader.project_state([("crawler", "0004_recovery")]).apps
    site = old.get_model("crawler", "Site").objects.create(url="https://blog.xuite.net/a/b")
    recovery = old.get_model("crawler", "Recovery").objects.create(
        site_id=site.pk, state="done", posts_found=2
    )
    posts = old.get_model("crawler", "RecoveredPost")
    for n in (1, 2):
        posts.objects.create(recovery_id=recovery.pk, url=f"https://blog.xuite.net/a/b/{n}",
                             timestamp="20200101000000", original=f"http://blog.xuite.net/a/b/{n}")
    ContentType.objects.get_or_create(app_label="crawler", model="recovery")

    executor = _executor()
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = Recovery.objects.get(pk=recovery.pk)
    assert (moved.site.url, moved.state, moved.posts_found) == (site.url, "done", 2)
    assert sorted(RecoveredPost.objects.filter(recovery=moved).values_list("url", flat=True)) == [
        "https://blog.xuite.net/a/b/1", "https://blog.xuite.net/a/b/2"]
    assert ContentType.objects.get_for_model(Recovery).app_label == "sites"
    assert not ContentType.objects.filter(app_label="crawler", model="recovery").exists()
