"""``manage.py check_bounds``: list stored values outside their bounds (``kehoach.core.bounds``).

Run it before a migration that adds bounds (the migration stops on such rows and changes
nothing) or at any time: it exits with status 1 when it finds any, so a script can check.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kehoach.core.bounds import constraint_name, out_of_bounds

HELP = gettext_noop(
    "List the stored values that are outside their bounds (numbers too large or negative, "
    "texts too long). Nothing is changed; correct or delete them on the pages."
)


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        self.help = _(HELP)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def handle(self, *args: Any, **options: Any) -> None:
        found = 0
        for model in apps.get_models():
            names = {c.name for c in model._meta.constraints}
            if constraint_name(model) not in names:
                continue
            for problem in out_of_bounds(model):
                found += 1
                self.stdout.write(
                    _("%(table)s id=%(pk)s: %(field)s = %(value)s (%(problem)s)")
                    % {
                        "table": problem.table,
                        "pk": problem.pk,
                        "field": problem.field,
                        "value": problem.value[:60] if isinstance(problem.value, str) else "",
                        "problem": problem.problem,
                    }
                )
        if found:
            raise CommandError(
                _("%(n)s stored values are outside their bounds; nothing was changed.")
                % {"n": found}
            )
        self.stdout.write(_("Every stored value is within its bound."))
