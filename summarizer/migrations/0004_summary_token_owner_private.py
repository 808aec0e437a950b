"""Unguessable page names, owners and privacy for summaries.

Existing rows get a token each, and are marked private when they were made
with cache=false (keep or use_cache off) or from submitted text (no URL).
"""

import secrets

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import summarizer.models


def fill(apps, schema_editor):
    Summary = apps.get_model("summarizer", "Summary")
    for summary in Summary.objects.only("pk", "url", "keep", "use_cache").iterator():
        Summary.objects.filter(pk=summary.pk).update(
            token=secrets.token_urlsafe(16),
            private=not (summary.keep and summary.use_cache and summary.url),
        )


class Migration(migrations.Migration):

    dependencies = [
        ("summarizer", "0003_summary_client_key"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="summary",
            name="token",
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.AddField(
            model_name="summary",
            name="private",
            field=models.BooleanField(default=False, help_text="Made with cache=false or from submitted text: never listed, never reused, shown to its owner alone."),
        ),
        migrations.AddField(
            model_name="summary",
            name="owner",
            field=models.ForeignKey(blank=True, help_text="Who asked through the API; none for the web page.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name="summaries", to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="summary",
            name="token",
            field=models.CharField(default=summarizer.models.new_token, editable=False, help_text="The name in its page's address (/s/<token>); the id stays internal.", max_length=32, unique=True),
        ),
    ]
