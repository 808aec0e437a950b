"""Recovery and RecoveredPost now belong to the sites app (its 0001 says how);
here they leave the crawler's picture of the models, their tables untouched."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("crawler", "0004_recovery"),
        ("sites", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="RecoveredPost"),
                migrations.DeleteModel(name="Recovery"),
            ],
            database_operations=[],
        ),
    ]
