from django.db import migrations, models


class Migration(migrations.Migration):
    """The problem's solution text and problem-level links are now ``Solution`` rows (0003)."""

    dependencies = [
        ("plans", "0003_solutions_linked_to_their_proposals"),
    ]

    operations = [
        migrations.RemoveField(model_name="problem", name="lines"),
        migrations.RemoveField(model_name="problem", name="solutions"),
        migrations.AlterField(
            model_name="solution",
            name="problem",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE,
                related_name="solutions",
                to="plans.problem",
            ),
        ),
    ]
