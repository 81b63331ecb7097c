"""History rows (status changes, audit entries), comments and approved versions only grow:
nothing changes or deletes them — not a save, not a queryset, not the admin (even for a
superuser) — and who acted stays readable after the account is renamed or deactivated; an
account that has acted cannot be deleted."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError
from django.template.loader import render_to_string
from django.test import Client

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import UserFactory, user_with_role

from ..history import plan_history
from ..models import (
    FROZEN_VERSION_FIELDS,
    AuditEntry,
    Comment,
    ImmutableError,
    StatusChange,
    Version,
)

PLAN = uuid.UUID("5d7c3d2e-8a39-4c9b-9a55-0f0d1f2a3b4c")


@pytest.fixture
def planner(db: Any) -> Any:
    return UserFactory.create(username="xa.hailang", full_name="Trần Thị Hoa")


def _rows(actor: Any) -> dict[str, Any]:
    change = StatusChange.objects.create(
        plan_uid=PLAN,
        subject_label="synthesis.communeplan",
        action="submit",
        from_state="draft",
        to_state="submitted",
        actor=actor,
        comment="Trình HĐND xã",
    )
    entry = AuditEntry.objects.create(
        plan_uid=PLAN,
        subject_label="synthesis.communeline",
        subject_id="7",
        subject_repr="7. Bê tông hóa đường liên thôn",
        operation=AuditEntry.Operation.UPDATE,
        actor=actor,
        before={"decision": "unfunded"},
        after={"decision": "funded"},
    )
    comment = Comment.objects.create(plan_uid=PLAN, author=actor, body="Bổ sung bản vẽ")
    version = Version.objects.create(
        plan_uid=PLAN,
        subject_label="synthesis.communeplan",
        number=1,
        resolution_number="25/NQ-HĐND",
        resolution_date=datetime.date(2026, 12, 1),
        signer="Lê Văn Sơn",
        approved_by=actor,
        data={"lines": [{"number": 1, "total": "1100"}]},
    )
    return {"change": change, "entry": entry, "comment": comment, "version": version}


def test_who_acted_is_kept_on_every_row_when_it_is_written(planner: Any) -> None:
    rows = _rows(planner)
    assert (rows["change"].actor_name, rows["change"].actor_username) == (
        "Trần Thị Hoa",
        "xa.hailang",
    )
    assert rows["entry"].who == "Trần Thị Hoa (xa.hailang)"
    assert rows["comment"].who == "Trần Thị Hoa (xa.hailang)"
    assert rows["version"].who == "Trần Thị Hoa (xa.hailang)"
    nameless = UserFactory.create(username="canbo.moi", full_name="")
    [bulk] = AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                plan_uid=PLAN,
                subject_label="plans.proposalline",
                subject_id="1",
                subject_repr="1. Đường",
                operation="create",
                actor=nameless,
            )
        ]
    )
    assert AuditEntry.objects.get(pk=bulk.pk).who == "canbo.moi"
    system = StatusChange.objects.create(
        plan_uid=PLAN, subject_label="x", action="a", from_state="", to_state="b"
    )
    assert (system.actor_name, system.who) == ("", "")


@pytest.mark.parametrize("key", ["change", "entry", "comment", "version"])
def test_a_stored_row_cannot_be_changed_or_deleted(planner: Any, key: str) -> None:
    row = _rows(planner)[key]
    model = type(row)
    field = {"change": "comment", "entry": "subject_repr", "comment": "body"}.get(
        key, "resolution_number"
    )
    stored = model.objects.get(pk=row.pk)
    setattr(stored, field, "SỬA")
    with pytest.raises(ImmutableError):
        stored.save()
    with pytest.raises(ImmutableError):
        model.objects.get(pk=row.pk).delete()
    with pytest.raises(ImmutableError):
        model.objects.filter(pk=row.pk).update(**{field: "SỬA"})
    with pytest.raises(ImmutableError):
        model.objects.filter(pk=row.pk).delete()
    with pytest.raises(ImmutableError):
        model.objects.bulk_update([stored], [field])
    assert getattr(model.objects.get(pk=row.pk), field) != "SỬA"


@pytest.mark.parametrize("key", ["change", "entry"])
def test_history_rows_cannot_even_be_saved_again(planner: Any, key: str) -> None:
    row = _rows(planner)[key]
    with pytest.raises(ImmutableError):
        type(row).objects.get(pk=row.pk).save()


def test_who_wrote_a_comment_cannot_be_changed_but_it_can_be_resolved(planner: Any) -> None:
    comment = _rows(planner)["comment"]
    other = UserFactory.create(username="lanhdao.hailang")
    comment.author = other
    with pytest.raises(ImmutableError):
        comment.save()
    comment = Comment.objects.get(pk=comment.pk)
    comment.resolved_at = datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC)
    comment.resolved_by = other
    comment.save(update_fields=["resolved_at", "resolved_by"])
    assert Comment.objects.get(pk=comment.pk).resolved_by == other


def test_every_field_of_an_approved_version_is_frozen(planner: Any) -> None:
    columns = {f.attname for f in Version._meta.concrete_fields}
    assert set(FROZEN_VERSION_FIELDS) == columns - {"id", "published_at"}
    assert {"is_amendment", "subject_label", "approved_by_id", "approved_at", "data"} <= set(
        FROZEN_VERSION_FIELDS
    )
    version = _rows(planner)["version"]
    other = UserFactory.create(username="khac")
    for name, value in [
        ("is_amendment", True),
        ("subject_label", "plans.villageplan"),
        ("approved_by", other),
        ("approved_by_name", "Người khác"),
        ("data", {"lines": []}),
        ("resolution_date", datetime.date(2026, 1, 1)),
    ]:
        stored = Version.objects.get(pk=version.pk)
        setattr(stored, name, value)
        with pytest.raises(ImmutableError):
            stored.save()
    stored = Version.objects.get(pk=version.pk)
    assert (stored.is_amendment, stored.approved_by, stored.data) == (
        False,
        planner,
        {"lines": [{"number": 1, "total": "1100"}]},
    )


def test_a_version_is_published_once(planner: Any) -> None:
    version = _rows(planner)["version"]
    first = datetime.datetime(2026, 12, 3, 8, 0, tzinfo=datetime.UTC)
    version.published_at = first
    version.save(update_fields=["published_at"])
    for later in (datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC), None):
        version.published_at = later
        with pytest.raises(ImmutableError):
            version.save(update_fields=["published_at"])
    assert Version.objects.get(pk=version.pk).published_at == first


def test_a_user_who_acted_cannot_be_deleted_and_stays_readable_when_deactivated(
    planner: Any,
) -> None:
    _rows(planner)
    with pytest.raises(ProtectedError):
        planner.delete()
    planner.is_active = False
    planner.full_name = "Trần Thị Hoa (đã nghỉ)"
    planner.username = "xa.hailang.cu"
    planner.save()
    events = plan_history(PLAN, {"draft": "Dự thảo", "submitted": "Đã trình"})
    assert [e.who for _kind, _at, e in events] == ["Trần Thị Hoa (xa.hailang)"] * 2
    page = render_to_string("approvals/partials/history_table.html", {"events": events})
    assert page.count("Trần Thị Hoa (xa.hailang)") == 2
    assert "Dự thảo" in page and "Trình HĐND xã" in page
    assert Comment.objects.get().who == "Trần Thị Hoa (xa.hailang)"
    assert Version.objects.get().who == "Trần Thị Hoa (xa.hailang)"
    # a user who never acted can still be deleted
    idle = UserFactory.create(username="chua.lam.gi")
    idle.delete()
    assert not get_user_model().objects.filter(username="chua.lam.gi").exists()


def test_the_admin_refuses_to_delete_a_user_with_history(planner: Any, client: Client) -> None:
    _rows(planner)
    admin = user_with_role(Role.ADMIN, None, username="quantri", is_superuser=True)
    client.force_login(admin)
    url = f"/admin/accounts/user/{planner.pk}/delete/"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["protected"], "the admin lists the history rows that protect the user"
    client.post(url, {"post": "yes"})
    assert get_user_model().objects.filter(pk=planner.pk).exists()
    assert StatusChange.objects.get().actor == planner


@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("statuschange", "change"),
        ("auditentry", "entry"),
        ("comment", "comment"),
        ("version", "version"),
    ],
)
def test_the_admin_shows_history_but_refuses_every_change_even_to_a_superuser(
    planner: Any, client: Client, model: str, key: str
) -> None:
    row = _rows(planner)[key]
    admin = UserFactory.create(username="sieuquantri", is_superuser=True, is_staff=True)
    client.force_login(admin)
    base = f"/admin/approvals/{model}/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}{row.pk}/change/").status_code == 200  # read-only view
    assert client.post(f"{base}{row.pk}/change/", {"comment": "SỬA"}).status_code == 403
    assert client.get(f"{base}{row.pk}/delete/").status_code == 403
    assert client.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{base}add/").status_code == 403
    response = client.post(
        base, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert type(row).objects.filter(pk=row.pk).exists()
    assert "SỬA" not in str(type(row).objects.filter(pk=row.pk).values().get())
