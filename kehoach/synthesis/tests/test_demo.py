"""The demo envelopes: entered by the right demo users, published, loaded once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from kehoach.catalog.services import catalog_load_defaults
from kehoach.geo.tests.factories import dong_hoi, hai_lang

from ..choices import EnvelopeOrigin
from ..models import Envelope

pytestmark = pytest.mark.django_db


def test_demo_envelopes_are_entered_by_province_and_commune_and_published() -> None:
    hai_lang()
    dong_hoi()
    catalog_load_defaults()
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo_rounds", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo_envelopes", stdout=out)
    assert out.getvalue().strip() == "Khung nguồn lực mẫu năm 2027: 8 dòng mới, đã công bố."
    envelope = Envelope.objects.get(round__commune__code="19702")
    assert envelope.is_published and len(envelope.published_lines) == 6
    origins = {line.source.code: line.origin for line in envelope.lines.all()}
    assert origins["NS-X"] == EnvelopeOrigin.COMMUNE
    assert origins["NTP26"] == EnvelopeOrigin.PROVINCE
    lines = {line.origin for line in envelope.lines.all()}
    assert lines == {EnvelopeOrigin.COMMUNE, EnvelopeOrigin.PROVINCE}
    call_command("load_demo_envelopes", stdout=io.StringIO())
    assert envelope.lines.count() == 6


@override_settings(KEHOACH_DEMO=False)
def test_demo_envelopes_refuse_without_the_demo_setting() -> None:
    with pytest.raises(CommandError):
        call_command("load_demo_envelopes", stdout=io.StringIO())
