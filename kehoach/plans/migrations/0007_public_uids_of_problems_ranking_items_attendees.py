"""Give problems (F4), ranking items (F5) and attendees (F8) a public identifier (issue 17:
the API never shows primary keys): the column is added nullable, every existing row gets its
own uuid4 in batches, then it becomes unique and not null."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import migrations, models

MODELS = ("Problem", "RankingItem", "Attendee")
BATCH = 1000


def fill_uids(apps: Any, schema_editor: Any) -> None:
    for name in MODELS:
        model = apps.get_model("plans", name)
        rows = model.objects.using(schema_editor.connection.alias).filter(uid__isnull=True)
        while True:
            batch = list(rows.order_by("pk").only("pk")[:BATCH])
            if not batch:
                break
            for row in batch:
                row.uid = uuid.uuid4()
            model.objects.using(schema_editor.connection.alias).bulk_update(batch, ["uid"])


def _uid_field(*, null: bool) -> models.UUIDField:
    if null:
        return models.UUIDField(null=True, editable=False)
    return models.UUIDField(default=uuid.uuid4, unique=True, editable=False)


class Migration(migrations.Migration):
    dependencies = [("plans", "0006_line_values_and_number_unique")]

    operations = [
        *(
            migrations.AddField(model_name=name.lower(), name="uid", field=_uid_field(null=True))
            for name in MODELS
        ),
        migrations.RunPython(fill_uids, migrations.RunPython.noop, elidable=True),
        *(
            migrations.AlterField(model_name=name.lower(), name="uid", field=_uid_field(null=False))
            for name in MODELS
        ),
    ]
