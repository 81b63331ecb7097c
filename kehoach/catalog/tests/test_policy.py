"""The typed policy of a process profile: each key's default, a valid value, a wrong one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kehoach.catalog.models import ProcessProfile
from kehoach.catalog.policy import DEFAULT_POLICY, KEYS, Policy, parse_policy
from kehoach.catalog.services import catalog_load_defaults


def _parsed(extra: Any) -> tuple[Policy, list[Any]]:
    with translation.override("en"):
        return parse_policy(extra)


def test_the_defaults_are_those_the_readers_used() -> None:
    policy, problems = _parsed({})
    assert problems == []
    assert policy == DEFAULT_POLICY
    assert dict(policy.participation_targets) == {
        "women_pct": Decimal(30),
        "poor_pct": None,
        "em_pct": None,
    }
    assert policy.supervision_min_members == 5
    assert dict(policy.layouts) == {}
    assert policy.layout_code("F6") is None
    assert policy.document_legal_bases == ()
    assert policy.document_implementation == ()
    assert policy.em_village_share_pct == Decimal(50)
    assert policy.commune_plan_steps == frozenset()
    assert dict(policy.priority_weights) == {
        "1": Decimal(3),
        "2": Decimal(2),
        "3": Decimal(1),
        "none": Decimal(1),
    }
    assert policy.priority_weight(None) == Decimal(1)
    assert policy.priority_weight(7) == Decimal(1)
    assert policy.allocation_mode == "greedy"
    assert parse_policy(None) == (DEFAULT_POLICY, [])


VALID: list[tuple[str, Any, str, Any]] = [
    (
        "participation_targets",
        {"women_pct": 40, "poor_pct": "12.5", "em_pct": None},
        "participation_targets",
        {"women_pct": Decimal(40), "poor_pct": Decimal("12.5"), "em_pct": None},
    ),
    ("supervision_min_members", 7, "supervision_min_members", 7),
    ("supervision_min_members", "9", "supervision_min_members", 9),
    ("layouts", {"F6": "F6-CHIA-SE"}, "layouts", {"F6": "F6-CHIA-SE"}),
    (
        "document_legal_bases",
        ["Căn cứ A;", "  ", "Căn cứ B"],
        "document_legal_bases",
        ("Căn cứ A;", "Căn cứ B"),
    ),
    ("document_implementation", ["Đoạn {year}."], "document_implementation", ("Đoạn {year}.",)),
    ("em_village_share_pct", 30, "em_village_share_pct", Decimal(30)),
    ("commune_plan_steps", ["conference"], "commune_plan_steps", frozenset({"conference"})),
    (
        "priority_weights",
        {"1": 10, "none": 0},
        "priority_weights",
        {"1": Decimal(10), "2": Decimal(2), "3": Decimal(1), "none": Decimal(0)},
    ),
    ("allocation_mode", "optimal", "allocation_mode", "optimal"),
]


@pytest.mark.parametrize(("key", "value", "attribute", "expected"), VALID)
def test_a_valid_value_is_read_typed(key: str, value: Any, attribute: str, expected: Any) -> None:
    policy, problems = _parsed({key: value})
    assert problems == []
    read = getattr(policy, attribute)
    assert (dict(read) if isinstance(expected, dict) else read) == expected


INVALID: list[tuple[str, Any, str, str]] = [
    (
        "participation_targets",
        [30],
        "policy_not_object",
        "Parameter “participation_targets”: [30] is not an object of named values; enter for "
        'example {"women_pct": 30, "poor_pct": null}.',
    ),
    (
        "participation_targets",
        {"women_pct": 130},
        "policy_bad_number",
        "Parameter “participation_targets.women_pct”: 130 is not allowed; enter a number from "
        "0 to 100.",
    ),
    (
        "participation_targets",
        {"men_pct": 10},
        "policy_bad_choice",
        'Parameter “participation_targets”: "men_pct" is not allowed; allowed values: '
        "women_pct, poor_pct, em_pct.",
    ),
    (
        "supervision_min_members",
        0,
        "policy_bad_integer",
        "Parameter “supervision_min_members”: 0 is not allowed; enter a whole number from 1 "
        "to 100.",
    ),
    (
        "supervision_min_members",
        4.5,
        "policy_bad_integer",
        "Parameter “supervision_min_members”: 4.5 is not allowed; enter a whole number from 1 "
        "to 100.",
    ),
    (
        "layouts",
        {"F6": 6},
        "policy_bad_layout",
        "Parameter “layouts”: the layout of F6, 6, is not a layout code; enter a code such as "
        "“F6-CHUAN”.",
    ),
    (
        "layouts",
        {"Mẫu 6": "F6-CHUAN"},
        "policy_bad_form",
        "Parameter “layouts”: “Mẫu 6” is not a form; name a form such as “F6”, followed by the "
        "code of a layout.",
    ),
    (
        "document_legal_bases",
        "Căn cứ",
        "policy_not_list",
        'Parameter “document_legal_bases”: "Căn cứ" is not a list; enter for example ["…", "…"].',
    ),
    (
        "document_implementation",
        [3],
        "policy_not_text",
        "Parameter “document_implementation”: 3 is not a text; enter each item between quotes.",
    ),
    (
        "em_village_share_pct",
        "half",
        "policy_bad_number",
        'Parameter “em_village_share_pct”: "half" is not allowed; enter a number from 0 to 100.',
    ),
    (
        "commune_plan_steps",
        ["council"],
        "policy_bad_choice",
        'Parameter “commune_plan_steps”: "council" is not allowed; allowed values: conference, '
        "district_review.",
    ),
    (
        "priority_weights",
        {"1": -1},
        "policy_bad_number",
        "Parameter “priority_weights.1”: -1 is not allowed; enter a number from 0 to 1.000.",
    ),
    (
        "allocation_mode",
        "best",
        "policy_bad_choice",
        'Parameter “allocation_mode”: "best" is not allowed; allowed values: greedy, optimal.',
    ),
]


@pytest.mark.parametrize(("key", "value", "code", "message"), INVALID)
def test_a_wrong_value_gives_the_default_and_a_problem_on_its_key(
    key: str, value: Any, code: str, message: str
) -> None:
    policy, problems = _parsed({key: value})
    assert [(p.code, p.where.field, p.severity, p.message) for p in problems] == [
        (code, key, "error", message)
    ]
    assert getattr(policy, key) == getattr(DEFAULT_POLICY, key)


def test_a_wrong_item_is_left_out_and_the_rest_kept() -> None:
    policy, problems = _parsed(
        {"commune_plan_steps": ["council", "district_review"], "layouts": {"F6": 6, "F1": "X"}}
    )
    assert policy.commune_plan_steps == frozenset({"district_review"})
    assert dict(policy.layouts) == {"F1": "X"}
    assert [p.where.field for p in problems] == ["commune_plan_steps", "layouts"]


def test_an_unknown_key_is_a_warning_and_changes_nothing() -> None:
    policy, problems = _parsed({"alocation_mode": "optimal"})
    assert policy == DEFAULT_POLICY
    assert [(p.code, p.where.field, p.severity) for p in problems] == [
        ("policy_unknown_key", "alocation_mode", "warning")
    ]
    assert ", ".join(KEYS) in problems[0].message


def test_extra_that_is_not_an_object_gives_the_defaults() -> None:
    policy, problems = _parsed([1, 2])
    assert policy == DEFAULT_POLICY
    assert [p.code for p in problems] == ["policy_not_object"]


def test_the_messages_are_vietnamese() -> None:
    with translation.override("vi"):
        _policy, problems = parse_policy({"supervision_min_members": 0})
    assert problems[0].message == (
        "Tham số “supervision_min_members”: không được dùng giá trị 0; hãy nhập một số "
        "nguyên từ 1 đến 100."
    )


def test_the_profile_parses_once_and_again_when_extra_changes() -> None:
    profile = ProcessProfile(code="X", name="X", extra={"allocation_mode": "optimal"})
    first = profile.policy
    assert first.allocation_mode == "optimal"
    assert profile.policy is first
    profile.extra["allocation_mode"] = "greedy"
    assert profile.policy.allocation_mode == "greedy"
    profile.extra = {}
    assert profile.policy == DEFAULT_POLICY


def test_clean_refuses_a_wrong_parameter_on_the_extra_field() -> None:
    profile = ProcessProfile(code="X", name="X", extra={"em_village_share_pct": 120})
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        profile.clean()
    assert caught.value.message_dict["extra"] == [
        "Parameter “em_village_share_pct”: 120 is not allowed; enter a number from 0 to 100."
    ]


def test_clean_accepts_valid_parameters() -> None:
    profile = ProcessProfile(code="X", name="X", extra={"em_village_share_pct": 40})
    profile.clean()


@pytest.mark.django_db
def test_the_admin_form_shows_the_wrong_parameter_and_keeps_the_profile(
    admin_client: Client,
) -> None:
    catalog_load_defaults()
    profile = ProcessProfile.objects.get(is_default=True)
    url = reverse("admin:catalog_processprofile_change", args=[profile.pk])
    page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {
        k: ("on" if v is True else v) for k, v in data.items() if v is not None and v is not False
    }
    data["ranking_criteria"] = form["ranking_criteria"].value()
    data["scoring_criteria"] = form["scoring_criteria"].value()
    data["extra"] = '{"allocation_mode": "best", "supervision_min_members": 7}'

    response = admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["extra"] == [
        'Parameter “allocation_mode”: "best" is not allowed; allowed values: greedy, optimal.'
    ]
    profile.refresh_from_db()
    assert profile.extra == {}

    data["extra"] = '{"allocation_mode": "optimal"}'
    response = admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302, response.context["adminform"].form.errors
    profile.refresh_from_db()
    assert profile.policy.allocation_mode == "optimal"
