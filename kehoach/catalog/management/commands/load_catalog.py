"""``manage.py load_catalog [--update]``: create the seeded reference data that is missing."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kehoach.catalog.models import Alias
from kehoach.catalog.services import MODEL_KEYS, catalog_load_defaults

HELP = gettext_noop(
    "Create the seeded sectors, funding sources, units of measure, default process profile "
    "and socio-economic indicators that are missing. Safe to run again: nothing is deleted "
    "and edits made by administrators are kept unless --update is given."
)


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # argparse needs real strings, so translate when the parser is built.
        self.help = _(HELP)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--update",
            action="store_true",
            help=_("Also set the seeded fields of existing entries back to the seed values."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        update = bool(options["update"])
        counts = catalog_load_defaults(update_existing=update)
        for model, key in MODEL_KEYS.items():
            params = {
                "model": capfirst(model._meta.verbose_name_plural),
                "created": counts[f"{key}_created"],
                "updated": counts[f"{key}_updated"],
                "unchanged": counts[f"{key}_unchanged"],
            }
            if update:
                line = (
                    _("%(model)s: %(created)d new, %(updated)d updated, %(unchanged)d unchanged")
                    % params
                )
            else:
                line = _("%(model)s: %(created)d new, %(unchanged)d already present") % params
            self.stdout.write(line)
        # aliases are only ever added: a name taken away by an administrator stays away
        # unless it is seeded again on an entry that lacks it
        self.stdout.write(
            _("%(model)s: %(created)d new, %(unchanged)d already present")
            % {
                "model": capfirst(Alias._meta.verbose_name_plural),
                "created": counts["alias_created"],
                "unchanged": counts["alias_unchanged"],
            }
        )
