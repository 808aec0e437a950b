"""Recovery and RecoveredPost move here from the crawler app.

Only Django's picture of the models moves: the tables keep their names
(``crawler_recovery``, ``crawler_recoveredpost``) and every row stays where it
is. The content types follow, so permissions and admin history stay attached.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("recovery", "recoveredpost")


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="sites", model=model).exists():
            ContentType.objects.filter(app_label="crawler", model=model).update(app_label="sites")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="sites", model__in=MOVED).update(app_label="crawler")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("crawler", "0004_recovery"),
        ("summarizer", "0003_summary_client_key"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Recovery",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("claimed_until", models.DateTimeField(blank=True, db_index=True, null=True)),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("next_attempt_at", models.DateTimeField(blank=True, db_index=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("state", models.CharField(choices=[("pending", "Pending"), ("listing", "Listing"), ("done", "Done"), ("failed", "Failed")], default="pending", max_length=16)),
                        ("summarize", models.BooleanField(default=False, help_text="Summarize each post from its archived copy.")),
                        ("mode", models.CharField(choices=[("summary", "Summary"), ("takeaway", "Takeaway")], default="summary", max_length=16)),
                        ("posts_found", models.PositiveIntegerField(default=0)),
                        ("error", models.TextField(blank=True)),
                        ("finished", models.DateTimeField(blank=True, null=True)),
                        ("site", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="recoveries", to="crawler.site")),
                    ],
                    options={
                        "verbose_name_plural": "recoveries",
                        "ordering": ["-pk"],
                        "db_table": "crawler_recovery",
                    },
                ),
                migrations.CreateModel(
                    name="RecoveredPost",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("url", models.CharField(help_text="The post, canonical.", max_length=2048)),
                        ("timestamp", models.CharField(help_text="Its latest good capture.", max_length=14)),
                        ("original", models.CharField(help_text="The URL as that capture spelled it.", max_length=2048)),
                        ("summary", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="summarizer.summary")),
                        ("recovery", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="posts", to="sites.recovery")),
                    ],
                    options={
                        "ordering": ["url"],
                        "db_table": "crawler_recoveredpost",
                        "constraints": [models.UniqueConstraint(fields=("recovery", "url"), name="recovered_post_once")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
