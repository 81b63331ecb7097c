"""``generate``: synthetic planning data at any scale, province by province.

Checks everything first (options, the official units and the catalog, no real data anywhere,
no real villages in the communes to fill), then fills each province in its own transaction,
chunk by chunk (``ScaleOptions.communes_per_chunk`` communes at a time: memory stays
constant), and reports after each province. A commune that already has generated rounds is
left as it is, so a run can be extended to more provinces or resumed after an interruption.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone, translation

from kehoach.catalog.models import FundingSource, Sector, UnitOfMeasure
from kehoach.catalog.selectors import process_profile_for
from kehoach.core.batch import collector_paused
from kehoach.core.errors import ApplicationError
from kehoach.core.numbers import format_number_vi
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.demo.content import ACTIVITIES
from kehoach.plans.models import PlanningRound
from kehoach.synthesis.summaries import published_states_forget, summaries_refresh_communes

from .build import Catalog, Run, generate_chunk
from .guard import generator_user, refuse_real_data, refuse_real_villages
from .options import ScaleOptions, ScaleReport

_NEEDED_SOURCES = {"NTP26", "NS-T", "NS-X", "LG"}


def _catalog() -> Catalog:
    used = list(ACTIVITIES.values())
    sectors = {s.code: s for s in Sector.objects.filter(code__in={a.sector for a in used})}
    units = {u.code: u for u in UnitOfMeasure.objects.filter(code__in={a.unit for a in used})}
    codes = {a.source for a in used} | _NEEDED_SOURCES
    sources = {s.code: s for s in FundingSource.objects.filter(code__in=codes)}
    missing = (
        {a.sector for a in used} - set(sectors)
        | {a.unit for a in used} - set(units)
        | codes - set(sources)
    )
    try:
        profile = process_profile_for(None)
    except ApplicationError:
        missing.add("quy trình mặc định")
    if missing:
        raise ApplicationError(
            "scale_catalog_missing",
            "Chưa có danh mục dùng chung (lĩnh vực, đơn vị tính, nguồn vốn, quy trình): hãy "
            f"chạy load_catalog trước. Thiếu: {', '.join(sorted(missing))}.",
        )
    return Catalog(profile=profile, sectors=sectors, units=units, sources=sources)


def _communes(options: ScaleOptions) -> list[tuple[AdministrativeUnit, list[AdministrativeUnit]]]:
    """The provinces chosen, each with the communes to fill, in code order."""
    provinces = AdministrativeUnit.objects.filter(level=Level.PROVINCE, valid_to__isnull=True)
    if options.provinces:
        wanted = [code.zfill(2) for code in options.provinces]
        provinces = provinces.filter(code__in=wanted)
        unknown = set(wanted) - {p.code for p in provinces}
        if unknown:
            raise ApplicationError(
                "scale_unknown_province",
                f"Không có tỉnh, thành phố mã {', '.join(sorted(unknown))}. Mã tỉnh theo danh "
                "mục chính thức, ví dụ 44 (Quảng Trị), 01 (Hà Nội); hãy chạy load_units trước.",
            )
    chosen = list(provinces.order_by("code"))
    if not chosen:
        raise ApplicationError(
            "scale_no_units",
            "Chưa có đơn vị hành chính: hãy chạy load_units trước (34 tỉnh, 3.321 xã).",
        )
    by_province: dict[int, list[AdministrativeUnit]] = {p.pk: [] for p in chosen}
    communes = (
        AdministrativeUnit.objects.filter(
            level=Level.COMMUNE, valid_to__isnull=True, parent__in=chosen
        )
        .select_related("parent")
        .order_by("code")
    )
    for commune in communes:
        by_province[commune.parent_id].append(commune)  # type: ignore[index]
    if options.communes is not None:
        by_province = {pk: found[: options.communes] for pk, found in by_province.items()}
    if options.communes_total is not None:
        taken: dict[int, list[AdministrativeUnit]] = {pk: [] for pk in by_province}
        queues = {pk: list(found) for pk, found in by_province.items()}
        count = 0
        while count < options.communes_total and any(queues.values()):
            for pk, queue in queues.items():
                if queue and count < options.communes_total:
                    taken[pk].append(queue.pop(0))
                    count += 1
        by_province = taken
    return [(p, by_province[p.pk]) for p in chosen if by_province[p.pk]]


def generate(
    options: ScaleOptions,
    *,
    say: Callable[[str], None] | None = None,
    today: datetime.date | None = None,
) -> ScaleReport:
    """Generate what ``options`` ask for; raises ``ApplicationError`` (in Vietnamese) and
    writes nothing when the database holds real data or lacks the units or the catalog."""
    options.check()
    say = say or (lambda _text: None)
    report = ScaleReport()
    started, cpu = time.perf_counter(), time.process_time()
    with translation.override("vi"), collector_paused():
        catalog = _catalog()
        plan = _communes(options)
        refuse_real_data()
        all_communes = [c for _p, communes in plan for c in communes]
        done = set(
            PlanningRound.objects.filter(commune__in=all_communes).values_list(
                "commune_id", flat=True
            )
        )
        refuse_real_villages(all_communes, done)
        run = Run(
            options=options,
            catalog=catalog,
            user=generator_user(),
            today=today or timezone.localdate(),
            report=report,
        )
        for province, communes in plan:
            todo = [c for c in communes if c.pk not in done]
            report.skipped_communes += len(communes) - len(todo)
            if not todo:
                continue
            begun = time.perf_counter()
            lines_before = report.counts["plans.ProposalLine"]
            with transaction.atomic():
                for first in range(0, len(todo), options.communes_per_chunk):
                    generate_chunk(run, todo[first : first + options.communes_per_chunk])
                summaries_refresh_communes(todo)
                published_states_forget(province)  # counted again by their next reader
            report.provinces += 1
            report.communes += len(todo)
            seconds = time.perf_counter() - begun
            lines = report.counts["plans.ProposalLine"] - lines_before
            say(
                f"{province.name} ({province.code}): {len(todo)} xã, "
                f"{format_number_vi(lines, 0)} đề xuất thôn trong "
                f"{format_number_vi(seconds, 1)} giây "
                f"({format_number_vi(lines / max(seconds, 1e-9), 0)} đề xuất/giây)."
            )
    if report.communes:
        _analyze()
    report.seconds = time.perf_counter() - started
    report.cpu_seconds = time.process_time() - cpu
    return report


def _analyze() -> None:
    """Fresh planner statistics for the tables just filled, as a bulk load should end: until
    autovacuum gets to them PostgreSQL plans the pages' joins over rows it has never counted
    (a roll-up or a plan page then takes seconds instead of milliseconds)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
