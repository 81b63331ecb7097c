"""The access matrix of the pages, repeated for the API (issue 17): every operation of the
generated schema × role × object of a place the role may or may not see, and every credential
that is no credential. 0 leaks:

- an object of a place the role does not see answers 404, with the very body of a missing one
  (never 200, never 403: the API does not say which);
- a list (and a list below an object) holds no item, and no reference, of such a place, and
  holds every item of the places the role does see;
- a unit-code query parameter naming such a place answers 404;
- an anonymous request, a revoked or expired token and a deactivated user's token answer 401
  problem details with ``WWW-Authenticate: Bearer``, on every operation.

The operations are read from the schema drf-spectacular generates, so a new endpoint is in the
matrix at once; one whose objects the matrix does not know fails with a message saying what to
add to ``RESOURCES``. The world is built once per role; the expectations are written by hand
(``SEES``), not derived from the selectors they check.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import uuid
from collections.abc import Callable, Iterable, Iterator
from functools import cache as memoize
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from kehoach.accounts.choices import Role
from kehoach.accounts.models import ApiToken, ApiTokenScope, User
from kehoach.accounts.tests.factories import user_with_role
from kehoach.accounts.tokens import token_create, token_revoke
from kehoach.api.filters import UNIT_CODE_PATTERN
from kehoach.catalog.models import ProcessProfile
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import (
    CommuneFactory,
    ProvinceFactory,
    VillageFactory,
    dong_hoi,
    hai_lang,
    quang_tri,
)
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.tests import factories as pf
from kehoach.synthesis.models import CommuneLine, CommunePlan
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.tests import factories as sf

pytestmark = pytest.mark.django_db

# The places of the world. A role sees some of them; an object belongs to exactly one.
VILLAGE = "village"  # Thôn Đông Hà of Hải Lăng
SIBLING = "sibling"  # Thôn Dương Lệ, another village of Hải Lăng
COMMUNE = "commune"  # Hải Lăng itself (the commune unit, its commune plan)
WARD = "ward"  # Phường Đồng Hới, another commune of Quảng Trị, and what is in it
PROVINCE = "province"  # Quảng Trị itself
FAR = "far"  # the province of Huế and everything in it
PLACES = (VILLAGE, SIBLING, COMMUNE, WARD, PROVINCE, FAR)
HAI_LANG = {VILLAGE, SIBLING, COMMUNE}
QUANG_TRI = {*HAI_LANG, WARD, PROVINCE}

SEES: dict[str, set[str]] = {
    "village_editor": {VILLAGE},
    "commune_planner": HAI_LANG,
    "commune_approver": HAI_LANG,
    "province_officer": QUANG_TRI,
    "other_province": {FAR},
    "national_officer": set(PLACES),
}
"""What each role may see — by hand, from issue 17 and the pages' matrix."""

WRONG_CREDENTIALS = ("anonymous", "revoked", "expired", "deactivated")


@dataclasses.dataclass
class World:
    units: dict[str, list[AdministrativeUnit]]
    village_plans: dict[str, list[VillagePlan]]
    commune_plans: dict[str, list[CommunePlan]]
    users: dict[str, User]
    other_ids: dict[str, set[str]]  # every other public identifier (rounds, lines) by place
    rounds: dict[str, str]  # the uid of each commune's planning round, by commune code
    # uploads and jobs are their person's own: kind → role → place → uids (``_owned``)
    owned: dict[str, dict[str, dict[str, list[str]]]] = dataclasses.field(default_factory=dict)
    viewer: str = "province_officer"  # the role asking, for what is a person's own
    photos: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # by place (h17g)

    def identifiers(self, places: set[str]) -> set[str]:
        """Every public identifier of the objects of these places."""
        found: set[str] = set()
        for place in places:
            found |= {u.code for u in self.units.get(place, [])}
            found |= {str(p.uid) for p in self.village_plans.get(place, [])}
            found |= {str(p.uid) for p in self.commune_plans.get(place, [])}
            found |= self.other_ids.get(place, set())
        return found

    def foreign(self, role: str) -> set[str]:
        """What must never appear in an answer to ``role``: the identifiers of the places it
        does not see, except the units above its own (a village names its commune)."""
        seen = SEES[role]
        above = {
            code
            for place in seen
            for unit in self.units.get(place, [])
            for code in unit.ancestor_codes()
        }
        # ... and the planning round of its commune (a village plan names it)
        above |= {uid for code, uid in self.rounds.items() if code in above}
        return self.identifiers(set(PLACES) - seen) - above


def build_world() -> World:
    province, commune, ward = quang_tri(), hai_lang(), dong_hoi()
    dong_ha = VillageFactory.create(parent=commune, name="Thôn Đông Hà")
    duong_le = VillageFactory.create(parent=commune, name="Thôn Dương Lệ")
    own = sf.submitted_plan(dong_ha, [sf.money_line("600", "100", activity="Đường")])
    sibling = sf.submitted_plan(duong_le, [sf.money_line("400", "50", activity="Trường")])
    planner = sf.planner(commune, username="xa.hailang")
    commune_plan_synthesise(actor=planner, round_=sf.round_of(commune))
    commune_plan = sf.commune_plan_for(sf.round_of(commune))

    ward_village = VillageFactory.create(parent=ward, name="Khu phố 1")
    ward_plan = pf.village_plan(ward_village)
    pf.line(ward_plan)
    ward_commune_plan = sf.commune_plan_for(ward_plan.round)

    far_province = ProvinceFactory.create(code="46", name="Huế")
    far_commune = CommuneFactory.create(parent=far_province, name="Xã Phong Điền")
    far_village = VillageFactory.create(parent=far_commune, name="Thôn Xa")
    far_plan = sf.submitted_plan(far_village, [sf.money_line("300", "60", activity="Kênh")])
    far_planner = sf.planner(far_commune, username="xa.phongdien")
    commune_plan_synthesise(actor=far_planner, round_=sf.round_of(far_commune))
    far_commune_plan = sf.commune_plan_for(far_plan.round)
    # h17h: an approved, published version of each synthesised plan (its versions, diffs and
    # feedback to the villages), and a programme (the programme roll-up)
    for cplan, approver in ((commune_plan, planner), (far_commune_plan, far_planner)):
        _published_version(cplan, approver)
    sf.ntp()
    # h17f: a line in the resource envelope of each commune's round (``/rounds/…/envelope/``)
    envelope_lines = {
        place: sf.envelope_line(cplan.round, sf.ntp(), "500")
        for place, cplan in ((COMMUNE, commune_plan), (WARD, ward_commune_plan))
    }
    envelope_lines[FAR] = sf.envelope_line(far_commune_plan.round, sf.ntp(), "300")

    village_plans = {VILLAGE: [own], SIBLING: [sibling], WARD: [ward_plan], FAR: [far_plan]}
    commune_plans = {COMMUNE: [commune_plan], WARD: [ward_commune_plan], FAR: [far_commune_plan]}
    other_ids: dict[str, set[str]] = {}
    for place, plans in village_plans.items():
        for plan in plans:
            other_ids.setdefault(place, set()).update(
                str(uid)
                for uid in ProposalLine.objects.filter(plan=plan).values_list("uid", flat=True)
            )
    for place, cplans in commune_plans.items():
        for cplan in cplans:
            other_ids.setdefault(place, set()).update(
                {str(cplan.round.uid)}
                | {
                    str(uid)
                    for uid in CommuneLine.objects.filter(plan=cplan).values_list("uid", flat=True)
                }
            )
    for place, envelope_line in envelope_lines.items():
        other_ids.setdefault(place, set()).add(str(envelope_line.uid))
    # h17k: a SWOT entry, a problem and a ranking row in each village plan (made directly)
    for place, plans in village_plans.items():
        for plan in plans:
            other_ids.setdefault(place, set()).update(_findings(plan))
    # h17g: a progress report with a photo on a line of each commune plan that has lines
    photos: dict[str, list[str]] = {}
    for place, cplans in commune_plans.items():
        for cplan in cplans:
            made = _progress_photo(cplan)
            if made:
                photos.setdefault(place, []).append(made[1])
                other_ids.setdefault(place, set()).update(made)
    return World(
        units={
            VILLAGE: [dong_ha],
            SIBLING: [duong_le],
            COMMUNE: [commune],
            WARD: [ward, ward_village],
            PROVINCE: [province],
            FAR: [far_province, far_commune, far_village],
        },
        village_plans=village_plans,
        commune_plans=commune_plans,
        users={
            "village_editor": user_with_role(Role.VILLAGE_EDITOR, dong_ha),
            "commune_planner": planner,
            "commune_approver": sf.approver(commune),
            "province_officer": sf.province_officer(province, username="tinh.quangtri"),
            "other_province": sf.province_officer(far_province, username="tinh.hue"),
            "national_officer": user_with_role(Role.NATIONAL_OFFICER, None),
        },
        other_ids=other_ids,
        photos=photos,
        rounds={
            p.round.commune.code: str(p.round.uid) for ps in commune_plans.values() for p in ps
        },
    )


def _findings(plan: VillagePlan) -> set[str]:
    """h17k: a SWOT entry, a problem and a ranking row of the plan; the uids of the last two."""
    from kehoach.plans.models import Problem, RankingItem, SwotEntry

    sector = pf.sector()
    SwotEntry.objects.create(plan=plan, sector=sector, strengths="Đất tốt")
    problem = Problem.objects.create(plan=plan, sector=sector, problem="Đường lầy lội")
    row = RankingItem.objects.create(plan=plan, label="Đường")
    return {str(problem.uid), str(row.uid)}


def _published_version(plan: CommunePlan, actor: User) -> None:
    from kehoach.approvals.models import Version
    from kehoach.synthesis.versions import plan_snapshot

    Version.objects.create(
        plan_uid=plan.uid,
        subject_label="synthesis.communeplan",
        number=1,
        resolution_number="25/NQ-HĐND",
        resolution_date=datetime.date(2026, 12, 1),
        signer="Lê Văn Sơn",
        approved_by=actor,
        published_at=timezone.now(),
        data=plan_snapshot(plan),
    )


# --- what the matrix knows of each resource --------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Resource:
    """The objects an address segment names: their identifier in the path, by place, and,
    below one object, the identifiers of the items its lists hold."""

    objects: Callable[[World, str], list[str]]
    items_below: Callable[[str], set[str]]
    missing: str
    lists: dict[str, Callable[[str], set[str]]] = dataclasses.field(default_factory=dict)
    """Lists below an object whose items are not ``items_below``, by the segment after the
    object (``versions``: version numbers); the second path parameter takes these."""
    only: dict[str, Callable[[str], bool]] = dataclasses.field(default_factory=dict)
    """Addresses below an object that only some objects have, by that segment (``rollup``: a
    province or a former district); the others are not asked."""
    deeper: Callable[[str], set[str]] = lambda item: set()
    """What a third path parameter takes below an item (a line's progress reports)."""

    def items(self, below: str, value: str) -> set[str]:
        return self.lists.get(below, self.items_below)(value)


def _village_plan_items(uid: str) -> set[str]:
    return {
        str(u) for u in ProposalLine.objects.filter(plan__uid=uid).values_list("uid", flat=True)
    }


def _commune_plan_items(uid: str) -> set[str]:
    return {str(u) for u in CommuneLine.objects.filter(plan__uid=uid).values_list("uid", flat=True)}


RESOURCES: dict[str, Resource] = {
    "units": Resource(
        objects=lambda w, place: [u.code for u in w.units.get(place, [])],
        items_below=lambda code: set(),
        missing="X99999",
    ),
    "village-plans": Resource(
        objects=lambda w, place: [str(p.uid) for p in w.village_plans.get(place, [])],
        items_below=_village_plan_items,
        missing=str(uuid.UUID(int=1)),
    ),
    "commune-plans": Resource(
        objects=lambda w, place: [str(p.uid) for p in w.commune_plans.get(place, [])],
        items_below=_commune_plan_items,
        missing=str(uuid.UUID(int=1)),
    ),
}
"""Resources whose objects belong to a unit, by the first segment of the address."""


def _version_numbers(uid: str) -> set[str]:
    from kehoach.approvals.models import Version

    return {str(n) for n in Version.objects.filter(plan_uid=uid).values_list("number", flat=True)}


def _feedback_villages(uid: str) -> set[str]:
    return set(
        VillagePlan.objects.filter(round__commune_plan__uid=uid).values_list(
            "village__code", flat=True
        )
    )


def _programmes(code: str) -> set[str]:
    from kehoach.catalog.models import FundingSource

    return set(FundingSource.objects.filter(code="NTP26").values_list("code", flat=True))


RESOURCES["commune-plans"] = dataclasses.replace(
    RESOURCES["commune-plans"],
    lists={"versions": _version_numbers, "feedback": _feedback_villages},
)


def _plan_problems(uid: str) -> set[str]:
    from kehoach.plans.models import Problem

    return {str(u) for u in Problem.objects.filter(plan__uid=uid).values_list("uid", flat=True)}


def _plan_swot_sectors(uid: str) -> set[str]:
    from kehoach.plans.models import SwotEntry

    return set(SwotEntry.objects.filter(plan__uid=uid).values_list("sector__code", flat=True))


RESOURCES["village-plans"] = dataclasses.replace(  # h17k: findings by problem uid, sector code
    RESOURCES["village-plans"],
    lists={
        **RESOURCES["village-plans"].lists,
        "problems": _plan_problems,
        "swot": _plan_swot_sectors,
    },
)
RESOURCES["units"] = dataclasses.replace(
    RESOURCES["units"],
    lists={"rollup": _programmes},
    only={"rollup": lambda code: AdministrativeUnit.objects.get(code=code).level <= 2},
)
RESOURCES["villages"] = Resource(  # h17r: a village by its code
    objects=lambda w, place: [u.code for u in w.units.get(place, []) if u.level == 4],
    items_below=lambda code: set(),
    missing="X99999-001",
)


def _owned(world: World, kind: str, place: str) -> list[str]:
    """A workbook upload ("imports") and a background job ("jobs") are their person's alone,
    as on the pages: for the places the viewer sees, the viewer's own (its answer is 200);
    for the others a stranger's (404, as a missing one). Made on first use."""
    if not world.owned:
        from kehoach.exchange.models import ImportRecord
        from kehoach.exchange.tasks import IMPORT_CONFIRM_TASK
        from kehoach.jobs.models import Job
        from kehoach.jobs.services import job_finish

        stranger = User.objects.create(username="nguoi.la")
        plans: list[tuple[str, Any, str]] = [
            *((p, pl, "F6") for p, pls in world.village_plans.items() for pl in pls),
            *((p, pl, "F9") for p, pls in world.commune_plans.items() for pl in pls),
        ]
        for role, user in world.users.items():
            for where, plan, form in plans:
                actor = user if where in SEES[role] else stranger
                record = ImportRecord.objects.create(
                    form=form,
                    plan_uid=plan.uid,
                    target_uid=plan.uid,
                    actor=actor,
                    filename="bieu.xlsx",
                    result=ImportRecord.Result.PREVIEWED,
                )
                job = Job.objects.create(
                    kind="import",
                    label="Áp dụng biểu",
                    task=IMPORT_CONFIRM_TASK,
                    params={"record_uid": str(record.uid)},
                    actor=actor,
                )
                job_finish(job.uid, file_name="ket-qua.txt", content=b"xong")
                for segment, uid in (("imports", record.uid), ("jobs", job.uid)):
                    mine = world.owned.setdefault(segment, {}).setdefault(role, {})
                    mine.setdefault(where, []).append(str(uid))
    return world.owned[kind][world.viewer].get(place, [])


RESOURCES["imports"] = Resource(
    objects=lambda w, place: _owned(w, "imports", place),
    items_below=lambda uid: set(),
    missing=str(uuid.UUID(int=1)),
)
RESOURCES["jobs"] = Resource(
    objects=lambda w, place: _owned(w, "jobs", place),
    items_below=lambda uid: set(),
    missing=str(uuid.UUID(int=1)),
)


def _envelope_lines(uid: str) -> set[str]:
    from kehoach.synthesis.models import EnvelopeLine

    lines = EnvelopeLine.objects.filter(envelope__round__uid=uid)
    return {str(u) for u in lines.values_list("uid", flat=True)}


RESOURCES["rounds"] = Resource(  # h17f: a commune's planning round and its envelope's lines
    objects=lambda w, place: [str(p.round.uid) for p in w.commune_plans.get(place, [])],
    items_below=_envelope_lines,
    missing=str(uuid.UUID(int=1)),
)


def _progress_photo(plan: CommunePlan) -> tuple[str, str] | None:
    """h17g: a progress report of the plan's first line with one photo, made directly (the
    matrix needs the objects, not the rules): the report's and the photo's uids; None for a
    plan without lines."""
    from django.core.files.base import ContentFile

    from kehoach.monitoring.models import ProgressPhoto, ProgressReport

    line = CommuneLine.objects.filter(plan=plan).order_by("number").first()
    if line is None:
        return None
    report = ProgressReport.objects.create(
        line=line,
        reported_on=datetime.date(2026, 11, 30),
        quantity_done=0,
        status="ongoing",
        reporter_name="Ma trận truy cập",
    )
    photo = ProgressPhoto(report=report, stage="during")
    photo.image.save(f"{photo.uid}.jpg", ContentFile(_JPEG), save=False)
    photo.thumbnail.save(f"{photo.uid}-nho.jpg", ContentFile(_JPEG), save=False)
    photo.save()
    return str(report.uid), str(photo.uid)


def _line_reports(line_uid: str) -> set[str]:
    from kehoach.monitoring.models import ProgressReport

    reports = ProgressReport.objects.filter(line__uid=line_uid)
    return {str(u) for u in reports.values_list("uid", flat=True)}


def _jpeg() -> bytes:
    """A small JPEG (what the photo endpoint serves; the matrix checks who may have it)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(out, "JPEG")
    return out.getvalue()


_JPEG = _jpeg()

RESOURCES["commune-plans"] = dataclasses.replace(RESOURCES["commune-plans"], deeper=_line_reports)
RESOURCES["photos"] = Resource(  # h17g: a progress report's photo, by its plan's place
    objects=lambda w, place: w.photos.get(place, []),
    items_below=lambda uid: set(),
    missing=str(uuid.UUID(int=1)),
)

STARTS_A_JOB = {
    "/api/v1/commune-plans/{uid}/documents/plan.pdf",
    "/api/v1/commune-plans/{uid}/documents/plan.docx",
    "/api/v1/village-plans/{uid}/documents/poster.pdf",
}
"""Documents not kept yet: an own plan's answer is 202 with the background job rendering it."""

UNSCOPED = {"catalog", "me"}
"""Segments whose answers are the same for every signed-in user (reference data, oneself)."""

UNSCOPED_OBJECTS: dict[str, Callable[[], Iterable[str]]] = {
    "/api/v1/catalog/profiles/{code}/": lambda: ProcessProfile.objects.values_list(
        "code", flat=True
    ),
}
"""h17l: the codes of an unscoped object read by its code (every signed-in user sees each)."""

PUBLIC = {"open"}
"""Segments open to anyone without a token (published data, the portal's rules: a plan not
published is never there, kehoach/api/tests/test_open_data.py); a token sent is still checked."""


@dataclasses.dataclass(frozen=True)
class Operation:
    method: str
    path: str  # "/api/v1/units/{code}/"
    path_params: tuple[str, ...]
    unit_params: tuple[str, ...]  # query parameters that take a unit code

    @property
    def segment(self) -> str:
        return self.path.removeprefix("/api/v1/").split("/")[0]

    @property
    def below(self) -> str:
        """The segment after the object ("versions" in ``/commune-plans/{uid}/versions/``)."""
        parts = self.path.removeprefix("/api/v1/").split("/")
        return parts[2] if len(parts) > 2 else ""

    def url(
        self, value: str | None = None, below: str | None = None, deeper: str | None = None
    ) -> str:
        """The address with ``value`` for the object, ``below`` for an item of it (a line
        of a plan: ``/village-plans/{uid}/lines/{line_uid}/``) and ``deeper`` for what is below
        the item (a line's progress report)."""
        url = self.path
        for name, given in zip(self.path_params, (value, below, deeper), strict=False):
            assert given is not None
            url = url.replace("{" + name + "}", given)
        return url

    def urls(self, resource: Resource, value: str) -> list[str]:
        """The addresses of the object ``value`` (one per item of it when the address names
        an item too)."""
        if self.below in resource.only and not resource.only[self.below](value):
            return []
        if len(self.path_params) < 2:
            return [self.url(value)]
        if len(self.path_params) > 2:
            return [
                self.url(value, item, deeper)
                for item in sorted(resource.items(self.below, value))
                for deeper in sorted(resource.deeper(item))
            ]
        return [self.url(value, item) for item in sorted(resource.items(self.below, value))]

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


@memoize
def operations() -> tuple[Operation, ...]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            params = [*item.get("parameters", []), *operation.get("parameters", [])]
            found.append(
                Operation(
                    method=method,
                    path=path,
                    # in the order of the address (the schema lists them by name)
                    path_params=tuple(
                        sorted(
                            (p["name"] for p in params if p["in"] == "path"),
                            key=lambda name: path.index("{" + name + "}"),
                        )
                    ),
                    unit_params=tuple(
                        p["name"]
                        for p in params
                        if p["in"] == "query"
                        and p.get("schema", {}).get("pattern") == UNIT_CODE_PATTERN
                    ),
                )
            )
    return tuple(sorted(found, key=str))


# --- asking ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


def bearer(secret: str | None) -> APIClient:
    client = APIClient()
    if secret is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def token_of(user: User, scope: str = ApiTokenScope.READ) -> str:
    return token_create(user=user, name="Ma trận truy cập", scope=scope, expires_at=None)[1]


def call(client: APIClient, op: Operation, url: str) -> Any:
    if op.method == "get":
        return client.get(url)
    # a write: an empty body with a version, so that no other check answers before the scope
    return getattr(client, op.method)(url, {}, format="json", HTTP_IF_MATCH='"0"')


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def item_ids(body: Any) -> set[str]:
    return {
        str(
            row.get("uid")
            or row.get("code")
            or row.get("village_code")
            or row.get("sector_code")  # h17k: a SWOT entry, by its sector
            or row.get("number")
        )
        for row in body["results"]
    }


def all_pages(client: APIClient, url: str) -> tuple[int, Any]:
    """The first answer's status and, for a list, every item of every page in one body."""
    sep = "&" if "?" in url else "?"
    response = client.get(f"{url}{sep}page_size=500")
    if response.status_code != 200:
        return response.status_code, response
    if not response["Content-Type"].startswith("application/json"):
        return 200, {}  # a file (a job's, a document)
    body = response.json()
    if not isinstance(body, dict) or "results" not in body:
        return 200, body
    rows = list(body["results"])
    while body["next"]:
        body = client.get(body["next"]).json()
        rows += body["results"]
    return 200, {"results": rows}


class Findings:
    def __init__(self, role: str) -> None:
        self.role = role
        self.problems: list[str] = []
        self.checked = 0

    def expect(self, ok: bool, what: str) -> None:
        self.checked += 1
        if not ok:
            self.problems.append(f"{self.role}: {what}")


def is_problem(response: Any, status: int) -> bool:
    return (
        response.status_code == status
        and response["Content-Type"].startswith("application/problem+json")
        and response.json().get("status") == status
    )


# --- the matrix -----------------------------------------------------------------------------


def test_the_schema_has_the_operations_the_matrix_is_about() -> None:
    found = {str(op) for op in operations()}
    assert {
        "GET /api/v1/units/",
        "GET /api/v1/units/{code}/",
        "GET /api/v1/village-plans/{uid}/lines/",
        "GET /api/v1/commune-plans/{uid}/lines/",
        "GET /api/v1/catalog/sectors/",
        "GET /api/v1/me/",
    } <= found
    unknown = {
        str(op)
        for op in operations()
        if op.segment not in RESOURCES and op.segment not in UNSCOPED | PUBLIC
    }
    assert not unknown, f"add what these operations are about to RESOURCES or UNSCOPED: {unknown}"
    assert {op.path: op.unit_params for op in operations()}["/api/v1/units/"] == ("within",)


@pytest.mark.parametrize("role", list(SEES))
def test_a_role_sees_its_places_and_nothing_of_the_others(role: str) -> None:
    world = build_world()
    world.viewer = role
    client = bearer(token_of(world.users[role]))
    writer = bearer(token_of(world.users[role], ApiTokenScope.READ_WRITE))
    seen, foreign = SEES[role], world.foreign(role)
    unseen = world.identifiers(set(PLACES) - seen)
    assert foreign or role == "national_officer"  # the check below can fail
    findings = Findings(role)

    def no_leak(op: Operation, url: str, body: Any) -> None:
        leaked = set(strings_in(body)) & foreign
        findings.expect(not leaked, f"{op} {url} shows another unit's {sorted(leaked)}")
        if isinstance(body, dict) and "results" in body:
            # not even the units above the role's own are items of its lists
            items = item_ids(body) & unseen
            findings.expect(not items, f"{op} {url} lists another unit's {sorted(items)}")

    for op in operations():
        if op.segment in PUBLIC:
            continue  # the same for everyone, by design
        resource = RESOURCES.get(op.segment)
        if not op.path_params:
            if op.method != "get":
                continue  # a write to a collection has no other unit's object to refuse
            status, body = all_pages(client, op.url())
            findings.expect(status == 200, f"{op} answers {status}")
            if status != 200:
                continue
            no_leak(op, op.url(), body)
            if resource is not None and "results" in body:
                expected = {i for place in seen for i in resource.objects(world, place)}
                missing = expected - item_ids(body)
                findings.expect(not missing, f"{op} lacks the role's own {sorted(missing)}")
            for param in op.unit_params:
                for place in PLACES:
                    for unit in world.units.get(place, []):
                        url = f"{op.url()}?{param}={unit.code}"
                        status, body = all_pages(client, url)
                        if place in seen:
                            findings.expect(status == 200, f"{url} answers {status}")
                            if status == 200:
                                no_leak(op, url, body)
                        else:
                            findings.expect(
                                status == 404, f"{url} (another unit) answers {status}, not 404"
                            )
            continue

        if op.segment in UNSCOPED:  # h17l: reference data by code, the same for everyone
            codes = list(UNSCOPED_OBJECTS[op.path]())
            findings.expect(bool(codes), f"{op}: the world has none of its objects")
            for code in codes:
                status, _body = all_pages(client, op.url(code))
                findings.expect(status == 200, f"{op.url(code)} answers {status}")
            response = client.get(op.url("KHONG-CO"))
            findings.expect(is_problem(response, 404), f"{op} (missing) answers {response}")
            continue

        assert resource is not None, f"{op}: add its objects to RESOURCES"
        missing_response = call(
            writer if op.method != "get" else client,
            op,
            op.url(*[resource.missing] * len(op.path_params)),
        )
        for place in PLACES:
            urls = [
                url for value in resource.objects(world, place) for url in op.urls(resource, value)
            ]
            for url in urls:
                if op.method != "get":
                    if place not in seen:
                        response = call(writer, op, url)
                        findings.expect(
                            is_problem(response, 404), f"{op} {url} answers {response.status_code}"
                        )
                    continue
                if place in seen:
                    status, body = all_pages(client, url)
                    if status == 202 and op.path in STARTS_A_JOB:
                        no_leak(op, url, body.json())
                        continue
                    findings.expect(status == 200, f"{url} (own) answers {status}")
                    if status != 200:
                        continue
                    no_leak(op, url, body)
                    if "results" in body and len(op.path_params) == 1:
                        value = url.removeprefix(op.path.split("{")[0]).split("/")[0]
                        missing = resource.items(op.below, value) - item_ids(body)
                        findings.expect(not missing, f"{url} lacks the items {sorted(missing)}")
                else:
                    response = client.get(url)
                    findings.expect(
                        is_problem(response, 404) and response.content == missing_response.content,
                        f"{url} (another unit) answers {response.status_code} "
                        f"{response.content[:200]!r}, not the 404 of a missing object",
                    )

    assert not findings.problems, "\n".join(findings.problems)
    assert findings.checked > 20


@pytest.mark.parametrize("credential", WRONG_CREDENTIALS)
def test_every_operation_refuses_a_request_without_a_valid_token(credential: str) -> None:
    world = build_world()
    officer = world.users["province_officer"]  # who would see every object asked for
    secret = None if credential == "anonymous" else token_of(officer, ApiTokenScope.READ_WRITE)
    token = ApiToken.objects.filter(user=officer)
    if credential == "revoked":
        token_revoke(actor=officer, token=token.get())
    elif credential == "expired":
        token.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    elif credential == "deactivated":
        User.objects.filter(pk=officer.pk).update(is_active=False)
    client = bearer(secret)

    wrong = []
    for op in operations():
        value = None
        if op.segment in PUBLIC:
            if credential == "anonymous":  # open to anyone: answers as to anyone
                continue
            value = op.url(*(["19702", "2027"][: len(op.path_params)]))
        elif op.path_params and op.segment in UNSCOPED:
            value = op.url(*list(UNSCOPED_OBJECTS[op.path]())[:1])
        elif op.path_params:
            resource = RESOURCES[op.segment]
            value = next(
                url
                for place in (VILLAGE, COMMUNE, PROVINCE)
                for v in resource.objects(world, place)
                for url in op.urls(resource, v)
            )
        response = call(client, op, value if value is not None else op.url())
        ok = (
            is_problem(response, 401)
            and response["WWW-Authenticate"].startswith("Bearer")
            and not set(strings_in(response.json())) & world.identifiers(set(PLACES))
        )
        if not ok:
            wrong.append(f"{op}: {response.status_code} {response.content[:200]!r}")
    assert not wrong, "\n".join(wrong)
