"""Problems of pure validators, and how a form shows them (issue 14)."""

from __future__ import annotations

import pytest
from django import forms

from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.core.forms import ServiceErrorsMixin
from kehoach.core.validation import (
    WARNING,
    Problem,
    errors,
    problems_of,
    raise_errors,
    warnings,
)

WRONG = Problem("cost_identity", "Dòng 3, Tổng kinh phí: không khớp.", Where(field="total"))
LATE = Problem("late", "Quá hạn nộp.", severity=WARNING)


def test_warnings_never_raise_and_errors_do() -> None:
    raise_errors([LATE])  # nothing
    with pytest.raises(ApplicationErrors) as caught:
        raise_errors([LATE, WRONG])
    assert [(e.code, e.where.field) for e in caught.value.errors] == [("cost_identity", "total")]
    assert errors([LATE, WRONG]) == [WRONG] and warnings([LATE, WRONG]) == [LATE]


def test_problems_round_trip_through_errors() -> None:
    error = ApplicationErrors([WRONG.as_error(), ApplicationError("x", "Khác.")])
    assert problems_of(error)[0] == WRONG
    assert [p.code for p in problems_of(error)] == ["cost_identity", "x"]
    moved = WRONG.at(Where(sheet="F6", row=7, column="H"))
    assert moved.as_dict() == {
        "code": "cost_identity",
        "message": WRONG.message,
        "severity": "error",
        "where": {"sheet": "F6", "row": 7, "column": "H"},
    }


class _Form(ServiceErrorsMixin, forms.Form):
    total = forms.CharField()
    cost = forms.CharField()

    def field_for(self, field: str | None, column: str | None) -> str | None:
        return "cost" if column == "cost" else field


def test_a_form_shows_each_problem_on_its_field_and_the_rest_on_the_form() -> None:
    form = _Form({"total": "1", "cost": "2"})
    assert form.is_valid()
    form.add_service_error(
        [WRONG, LATE, Problem("c", "Sai chi phí.", Where(column="cost")), Problem("g", "Chung.")]
    )
    assert form.errors == {
        "total": [WRONG.message],
        "cost": ["Sai chi phí."],
        "__all__": ["Chung."],
    }
    other = _Form({"total": "1", "cost": "2"})
    assert other.is_valid()
    other.add_service_error(ApplicationError("n", "Không tìm thấy.", Where(field="nope")))
    assert other.errors == {"__all__": ["Không tìm thấy."]}


def test_not_found_and_not_allowed_are_never_form_errors() -> None:
    from kehoach.core.errors import NotFoundError, PermissionDeniedError

    form = _Form({"total": "1", "cost": "2"})
    assert form.is_valid()
    with pytest.raises(NotFoundError):
        form.add_service_error(NotFoundError())
    with pytest.raises(PermissionDeniedError):
        form.add_service_error(PermissionDeniedError("Không có quyền."))
    assert not form.errors
