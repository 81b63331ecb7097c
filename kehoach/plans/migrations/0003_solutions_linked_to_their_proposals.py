"""F4: solutions become rows of their own, each linked to the proposals it produced.

Before, a problem kept its solutions as text (one per line) and its linked proposals at the
problem level. Each solution line becomes a ``Solution`` row. The problem's linked proposals
are given to the solution they came from: all of them when the problem had one solution;
otherwise the solution whose words they share most (diacritics and case ignored). A proposal
that matches no solution becomes a solution of its own, worded as the proposal's activity, so
that no link is lost or given to the wrong solution. Going back joins the texts and the links.

The old fields are removed by the next migration, in its own transaction.
"""

import re
import unicodedata

import django.db.models.deletion
from django.db import migrations, models

_BULLET_RE = re.compile(r"^(?:[-–•*+·]|\d{1,2}[.)])\s+")


def _words(text):
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).casefold())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").replace("đ", "d")
    return set(re.findall(r"[a-z0-9]+", text))


def _best(rows, activity):
    if len(rows) == 1:
        return rows[0]
    words = _words(activity)
    scored = sorted(
        ((len(words & _words(row.text)), i) for i, row in enumerate(rows)), reverse=True
    )
    if not scored or scored[0][0] < 2:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return rows[scored[0][1]]


def forwards(apps, schema_editor):
    Problem = apps.get_model("plans", "Problem")
    Solution = apps.get_model("plans", "Solution")
    for problem in Problem.objects.all().prefetch_related("lines"):
        texts = []
        for raw in (problem.solutions or "").splitlines():
            text = _BULLET_RE.sub("", " ".join(raw.split()), count=1)
            if text:
                texts.append(text)
        rows = [
            Solution.objects.create(problem=problem, position=position, text=text)
            for position, text in enumerate(texts, start=1)
        ]
        for line in sorted(problem.lines.all(), key=lambda line: line.number):
            target = _best(rows, line.activity) if rows else None
            if target is None:
                target = Solution.objects.create(
                    problem=problem, position=len(rows) + 1, text=line.activity
                )
                rows.append(target)
            target.lines.add(line)


def backwards(apps, schema_editor):
    Problem = apps.get_model("plans", "Problem")
    Solution = apps.get_model("plans", "Solution")
    for problem in Problem.objects.all():
        solutions = list(
            Solution.objects.filter(problem=problem)
            .order_by("position", "id")
            .prefetch_related("lines")
        )
        problem.solutions = "\n".join(s.text for s in solutions)
        problem.save(update_fields=["solutions"])
        problem.lines.set({line for s in solutions for line in s.lines.all()})


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_attendee_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="Solution",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(verbose_name="no.")),
                ("text", models.TextField(verbose_name="solution")),
                (
                    "lines",
                    models.ManyToManyField(
                        blank=True,
                        related_name="solutions",
                        to="plans.proposalline",
                        verbose_name="proposals it produced",
                    ),
                ),
                (
                    "problem",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="plans.problem",
                    ),
                ),
            ],
            options={
                "verbose_name": "solution",
                "verbose_name_plural": "solutions",
                "ordering": ["position", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("problem", "position"), name="plans_solution_position_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
