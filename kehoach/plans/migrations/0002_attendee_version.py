from django.db import migrations, models


class Migration(migrations.Migration):
    """Attendance rows get a version, so that two people editing the same row from stale
    forms do not overwrite each other silently."""

    dependencies = [
        ("plans", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendee",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
    ]
