from __future__ import annotations

from typing import Any

import factory

from kehoach.accounts.choices import Role
from kehoach.accounts.models import RoleAssignment, User
from kehoach.geo.models import AdministrativeUnit

PASSWORD = "mat-khau-thu-nghiem"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"nguoidung{n}")
    full_name = factory.Sequence(lambda n: f"Người dùng {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


def user_with_role(role: str, unit: AdministrativeUnit | None, **kwargs: Any) -> User:
    user = UserFactory.create(**kwargs)
    RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


def commune_planner(unit: AdministrativeUnit | None, **kwargs: Any) -> User:
    assert unit is not None
    return user_with_role(Role.COMMUNE_PLANNER, unit, **kwargs)
