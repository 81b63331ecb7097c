"""A public uid for each supervision board member (the API names members by it, never by id):
added empty, filled for the rows already there, then made unique."""

import uuid

from django.db import migrations, models


def fill_uids(apps, schema_editor):
    member = apps.get_model("monitoring", "BoardMember")
    for row in member.objects.filter(uid__isnull=True).only("pk"):
        member.objects.filter(pk=row.pk).update(uid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0003_bounds")]

    operations = [
        migrations.AddField(
            model_name="boardmember",
            name="uid",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(fill_uids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="boardmember",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
    ]
