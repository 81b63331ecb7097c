"""Signals synthesis sends, for the apps above it that keep something of its data (synthesis
cannot import them). They carry facts, never rules: a receiver may not change the outcome."""

from django.dispatch import Signal

plan_published = Signal()
"""A commune plan's version was published (sent inside the publishing transaction; a receiver
that does work defers it with ``transaction.on_commit``). Arguments: ``plan`` (the
``CommunePlan``), ``version`` (the ``approvals.Version`` just published)."""
