"""One chunk of communes, built in memory and written in bulk.

For each commune: its villages; for each plan year a planning round (made by the generator's
account), the envelope, the village plans with F1, the meeting (submitted plans) and the
proposals; then, as the round's stage says, the commune plan with one line per submitted
proposal and its trace (``LineSource``), the decisions of an allocation by priority against
the envelope with the funding of each funded line, the approved version with its snapshot
(``synthesis.versions.plan_snapshot``, the same JSON approval stores), its publication (the
outcome of every proposal), and progress reports of part of the funded works. Every object of
the chunk is made first; each table is then written with one ``bulk_create`` (in batches), in
the order of the foreign keys. No service runs per row, so no audit rows per line are written:
the status history has one row per transition of each plan.
"""

from __future__ import annotations

import calendar
import datetime
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from kehoach.accounts.models import User
from kehoach.approvals.models import StatusChange, Version
from kehoach.catalog.models import FundingSource, ProcessProfile, Sector, UnitOfMeasure
from kehoach.core.text import fold, name_sort_key
from kehoach.geo.choices import Kind, Level, Source
from kehoach.geo.models import PATH_SEPARATOR, AdministrativeUnit
from kehoach.plans.choices import LineOutcome, PlanStatus
from kehoach.plans.models import BasicInfo, PlanningRound, ProposalLine, VillageMeeting, VillagePlan
from kehoach.synthesis.choices import (
    CommunePlanStatus,
    Decision,
    DecisionOrigin,
    EnvelopeOrigin,
    Firmness,
)
from kehoach.synthesis.models import (
    CommuneLine,
    CommunePlan,
    Envelope,
    EnvelopeLine,
    LineFunding,
    LineSource,
)
from kehoach.synthesis.selectors import published_row
from kehoach.synthesis.services.lines.values import fingerprint

from ..choices import ProgressStatus
from ..models import Disbursement, ProgressReport
from .content import (
    DECISION_REASONS,
    VillageFigures,
    activity_keys,
    basic_info_values,
    meeting_values,
    person,
    proposal_values,
    region_of,
    village_figures,
    village_names,
)
from .guard import GENERATOR_NAME
from .options import ScaleOptions, ScaleReport
from .snapshot import memory_snapshot
from .write import insert_objects, make

_MILLI = Decimal("0.001")
_ONE = Decimal(1)
_WHOLE = Decimal("1.000000")
"""A share as its column gives it back (six places)."""

DRAFT, SYNTHESISED, APPROVED, PUBLISHED = range(4)
"""The stage a round is left in."""

_PLAN_LABEL = VillagePlan._meta.label_lower
_COMMUNE_PLAN_LABEL = CommunePlan._meta.label_lower


@dataclass
class Catalog:
    """The catalog rows the generated lines name, read once."""

    profile: ProcessProfile
    sectors: dict[str, Sector]
    units: dict[str, UnitOfMeasure]
    sources: dict[str, FundingSource]


@dataclass
class Run:
    """What every chunk of one generation shares."""

    options: ScaleOptions
    catalog: Catalog
    user: User
    today: datetime.date
    report: ScaleReport
    now: datetime.datetime = field(default_factory=timezone.now)


def new_uid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID drawn from ``rng``: the same seed gives the same public identifiers."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def stage_of(options: ScaleOptions, commune_code: str, year: int) -> int:
    """The stage of a round, drawn from its own stream so that it depends only on the seed,
    the commune and the year (not on how many villages or lines the run makes)."""
    draw = random.Random(f"{options.seed}:{commune_code}:{year}:stage").random()
    if draw < options.published:
        return PUBLISHED
    if draw < options.approved:
        return APPROVED
    if draw < options.synthesised:
        return SYNTHESISED
    return DRAFT


def _aware(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def _before(day: datetime.date, today: datetime.date) -> datetime.date:
    return min(day, today)


@dataclass
class _Tables:
    """The objects of one chunk, per table, in the order they are written."""

    villages: list[AdministrativeUnit] = field(default_factory=list)
    rounds: list[PlanningRound] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    envelope_lines: list[EnvelopeLine] = field(default_factory=list)
    village_plans: list[VillagePlan] = field(default_factory=list)
    infos: list[BasicInfo] = field(default_factory=list)
    meetings: list[VillageMeeting] = field(default_factory=list)
    proposals: list[ProposalLine] = field(default_factory=list)
    commune_plans: list[CommunePlan] = field(default_factory=list)
    commune_lines: list[CommuneLine] = field(default_factory=list)
    sources: list[LineSource] = field(default_factory=list)
    funding: list[LineFunding] = field(default_factory=list)
    history: list[StatusChange] = field(default_factory=list)
    reports: list[ProgressReport] = field(default_factory=list)
    disbursements: list[Disbursement] = field(default_factory=list)
    versions: list[Version] = field(default_factory=list)
    envelopes_to_publish: list[tuple[Envelope, list[EnvelopeLine]]] = field(default_factory=list)


def generate_chunk(run: Run, communes: list[AdministrativeUnit]) -> None:
    """Make and write everything of these communes (the caller holds the transaction)."""
    tables = _Tables()
    for commune in communes:
        _commune(run, tables, commune)
    _write(run, tables)


# --- building ---------------------------------------------------------------------------------


def _commune(run: Run, t: _Tables, commune: AdministrativeUnit) -> None:
    options = run.options
    rng = random.Random(f"{options.seed}:{commune.code}")
    province_code = commune.path.split(PATH_SEPARATOR)[0]
    region = region_of(province_code)
    urban = commune.kind == Kind.WARD
    first_year = min(options.years)
    villages: list[tuple[AdministrativeUnit, VillageFigures]] = []
    for number, (name, kind) in enumerate(
        village_names(rng, options.villages_per_commune, region=region, urban=urban), start=1
    ):
        code = f"{commune.code}-{number:03d}"
        village = make(
            AdministrativeUnit,
            code=code,
            name=name,
            kind=kind,
            level=Level.VILLAGE,
            parent=commune,
            path=f"{commune.path}{code}{PATH_SEPARATOR}",
            valid_from=datetime.date(first_year - 1, 1, 1),
            source=Source.LOCAL,
            sort_key=name_sort_key(name)[:600],
            search_name=fold(name)[:200],
        )
        t.villages.append(village)
        figures = village_figures(
            rng, name, region=region, urban=urban, province_code=province_code
        )
        villages.append((village, figures))
    villages.sort(key=lambda pair: pair[0].sort_key)
    for year in options.years:
        _round(run, t, commune, year, villages)


def _round(
    run: Run,
    t: _Tables,
    commune: AdministrativeUnit,
    year: int,
    villages: list[tuple[AdministrativeUnit, VillageFigures]],
) -> None:
    options, catalog, user = run.options, run.catalog, run.user
    rng = random.Random(f"{options.seed}:{commune.code}:{year}")
    stage = stage_of(options, commune.code, year)
    round_ = make(
        PlanningRound,
        uid=new_uid(rng),
        commune=commune,
        plan_year=year,
        profile=catalog.profile,
        proposals_due=datetime.date(year - 1, 8, 31),
        synthesis_due=datetime.date(year - 1, 10, 31),
        approval_due=datetime.date(year - 1, 12, 20),
        created_by=user,
    )
    t.rounds.append(round_)
    max_priority = catalog.profile.max_priority
    submitted: list[ProposalLine] = []
    for village, figures in villages:
        is_submitted = stage >= SYNTHESISED or rng.random() < 0.6
        plan = make(
            VillagePlan,
            uid=new_uid(rng),
            round=round_,
            village=village,
            status=PlanStatus.SUBMITTED if is_submitted else PlanStatus.DRAFT,
            submitted_at=(
                _aware(_before(datetime.date(year - 1, 9, rng.randint(1, 28)), run.today))
                if is_submitted
                else None
            ),
        )
        t.village_plans.append(plan)
        t.infos.append(make(BasicInfo, plan=plan, **basic_info_values(rng, figures)))
        meeting = None
        if is_submitted:
            meeting = make(VillageMeeting, plan=plan, **meeting_values(rng, figures, year))
            t.meetings.append(meeting)
            t.history.append(_change(user, plan.uid, _PLAN_LABEL, "submit", "draft", "submitted"))
        ranks: dict[str, int] = defaultdict(int)
        for number, key in enumerate(
            activity_keys(rng, options.lines_per_plan, urban=figures.urban), start=1
        ):
            values = proposal_values(rng, figures, key, year=year)
            source = catalog.sources[values["proposed_source"]]
            if not source.is_active_for_year(year):
                source = catalog.sources["NS-T"]
            ranks[values["sector"]] += 1
            rank = ranks[values["sector"]]
            line = make(
                ProposalLine,
                uid=new_uid(rng),
                plan=plan,
                number=number,
                meeting=meeting,
                priority=rank if rank <= max_priority else None,
                **{
                    **values,
                    "sector": catalog.sectors[values["sector"]],
                    "unit": catalog.units[values["unit"]],
                    "proposed_source": source,
                },
            )
            t.proposals.append(line)
            if is_submitted:
                submitted.append(line)
    envelope, pots = _envelope(run, t, round_, rng, submitted, stage)
    if stage >= SYNTHESISED:
        _commune_plan(run, t, round_, rng, submitted, stage, envelope, pots)


def _change(
    user: User, plan_uid: uuid.UUID, label: str, action: str, before: str, after: str
) -> StatusChange:
    return make(
        StatusChange,
        plan_uid=plan_uid,
        subject_label=label,
        action=action,
        from_state=before,
        to_state=after,
        actor=user,
    )


def _envelope(
    run: Run,
    t: _Tables,
    round_: PlanningRound,
    rng: random.Random,
    lines: list[ProposalLine],
    stage: int,
) -> tuple[Envelope, list[EnvelopeLine]]:
    """F11: between 45 and 75 % of the support the villages ask for, from the national target
    programme (or the province when the programme is not in use that year), the province and
    the commune's own budget."""
    sources = run.catalog.sources
    year = round_.plan_year
    envelope = make(Envelope, uid=new_uid(rng), round=round_)
    t.envelopes.append(envelope)
    asked = sum((line.external_support_mvnd for line in lines), Decimal(0))
    total = (asked * rng.randint(45, 75) / 100).quantize(_ONE, ROUND_DOWN)
    programme = sources["NTP26"] if sources["NTP26"].is_active_for_year(year) else sources["LG"]
    parts = [
        (programme, EnvelopeOrigin.PROVINCE, Firmness.INDICATIVE, Decimal("0.5")),
        (sources["NS-T"], EnvelopeOrigin.PROVINCE, Firmness.NOTIFIED, Decimal("0.25")),
        (sources["NS-X"], EnvelopeOrigin.COMMUNE, Firmness.NOTIFIED, Decimal("0.25")),
    ]
    pots = []
    for number, (source, origin, firmness, part) in enumerate(parts, start=1):
        pot = make(
            EnvelopeLine,
            uid=new_uid(rng),
            envelope=envelope,
            number=number,
            origin=origin,
            source=source,
            amount_mvnd=(total * part).quantize(_ONE, ROUND_DOWN).quantize(_MILLI),
            firmness=firmness,
            content=f"Hỗ trợ thực hiện kế hoạch phát triển kinh tế - xã hội năm {year}",
        )
        pots.append(pot)
    t.envelope_lines.extend(pots)
    if stage >= SYNTHESISED or rng.random() < 0.5:
        envelope.published_at = _aware(_before(datetime.date(year - 1, 7, 1), run.today))
        envelope.published_by = run.user
        t.envelopes_to_publish.append((envelope, pots))
    return envelope, pots


def _commune_plan(
    run: Run,
    t: _Tables,
    round_: PlanningRound,
    rng: random.Random,
    vlines: list[ProposalLine],
    stage: int,
    envelope: Envelope,
    pots: list[EnvelopeLine],
) -> None:
    user, year = run.user, round_.plan_year
    status = {
        SYNTHESISED: CommunePlanStatus.DRAFT,
        APPROVED: CommunePlanStatus.APPROVED,
        PUBLISHED: CommunePlanStatus.PUBLISHED,
    }[stage]
    plan = make(
        CommunePlan,
        uid=new_uid(rng),
        round=round_,
        status=status,
        synthesised_at=_aware(_before(datetime.date(year - 1, 10, 10), run.today)),
        synthesised_by=user,
        submitted_at=(
            _aware(_before(datetime.date(year - 1, 11, 20), run.today))
            if stage >= APPROVED
            else None
        ),
    )
    t.commune_plans.append(plan)
    t.history.append(_change(user, plan.uid, _COMMUNE_PLAN_LABEL, "synthesise", "draft", "draft"))
    if stage >= APPROVED:
        t.history.append(
            _change(user, plan.uid, _COMMUNE_PLAN_LABEL, "submit", "draft", "submitted")
        )
        t.history.append(
            _change(user, plan.uid, _COMMUNE_PLAN_LABEL, "approve", "submitted", "approved")
        )
    if stage >= PUBLISHED:
        t.history.append(
            _change(user, plan.uid, _COMMUNE_PLAN_LABEL, "publish", "approved", "published")
        )
    ordered = sorted(
        vlines,
        key=lambda v: (v.sector.sort_order, v.sector.code, v.plan.village.sort_key, v.number),
    )
    lines = []
    sources = []
    for number, vline in enumerate(ordered, start=1):
        values = vline.__dict__
        line = make(
            CommuneLine,
            uid=new_uid(rng),
            plan=plan,
            number=number,
            share=_WHOLE,
            village_priority=vline.priority,
            expenditure_type=vline.sector.default_expenditure,
            sector=vline.sector,
            unit=vline.unit,
            proposed_source=vline.proposed_source,
            **{name: values[name] for name in _VALUE_ATTNAMES},
        )
        lines.append(line)
        sources.append(
            make(
                LineSource,
                line=line,
                village_line=vline,
                share=_WHOLE,
                fingerprint=fingerprint(vline),
            )
        )
    t.commune_lines.extend(lines)
    t.sources.extend(sources)
    funding: dict[int, list[LineFunding]] = {}
    if stage >= APPROVED or rng.random() < 0.5:
        funding = _allocate(run, t, rng, lines, pots, year)
    if stage >= APPROVED:
        data = memory_snapshot(plan, list(zip(lines, sources, strict=True)), funding, pots)
        t.versions.append(_version(run, rng, plan, data, published=stage >= PUBLISHED))
    if stage >= PUBLISHED:
        for source in sources:
            source.village_line.outcome = _OUTCOMES[source.line.decision]
        if year <= run.today.year and lines:
            _progress(run, t, rng, lines, funding)


_VALUE_ATTNAMES = [
    f.attname
    for f in ProposalLine._meta.concrete_fields
    if f.name
    in {
        "activity",
        "location",
        "quantity",
        "start_month",
        "end_month",
        "total_cost_mvnd",
        "contribution_mvnd",
        "contribution_cash_mvnd",
        "contribution_labour_days",
        "contribution_labour_mvnd",
        "contribution_materials_mvnd",
        "contribution_land_m2",
        "external_support_mvnd",
        "beneficiary_households",
        "beneficiary_poor",
        "beneficiary_em",
        "implementation_mode",
        "notes",
    }
]


def _allocate(
    run: Run,
    t: _Tables,
    rng: random.Random,
    lines: list[CommuneLine],
    pots: list[EnvelopeLine],
    year: int,
) -> dict[int, list[LineFunding]]:
    """Decisions by priority: each line, best priority first, is funded from the first
    envelope line that still holds its whole support; otherwise it stays in the plan unfunded
    (priority 1 or 2) or is deferred to the next year."""
    left = {id(pot): pot.amount_mvnd for pot in pots}
    funding: dict[int, list[LineFunding]] = defaultdict(list)
    decided_at = _aware(_before(datetime.date(year - 1, 11, 5), run.today))
    for line in sorted(lines, key=lambda x: (x.village_priority or 9, x.number)):
        need = line.external_support_mvnd
        pot = next((p for p in pots if left[id(p)] >= need), None) if need else None
        if need == 0 or pot is not None:
            line.decision = Decision.FUNDED
            if pot is not None:
                left[id(pot)] -= need
                row = make(LineFunding, line=line, envelope_line=pot, amount_mvnd=need)
                t.funding.append(row)
                funding[id(line)].append(row)
        elif (line.village_priority or 9) <= 2:
            line.decision = Decision.UNFUNDED
        else:
            line.decision = Decision.DEFERRED
        line.decision_origin = DecisionOrigin.ALLOCATION
        line.decision_reason = rng.choice(DECISION_REASONS[line.decision])
        line.decided_by = run.user
        line.decided_at = decided_at
    return funding


_OUTCOMES: dict[str, str] = {
    Decision.FUNDED: LineOutcome.FUNDED,
    Decision.UNFUNDED: LineOutcome.UNFUNDED,
    Decision.DEFERRED: LineOutcome.DEFERRED,
    Decision.PENDING: LineOutcome.PENDING,
}


def _month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _progress(
    run: Run,
    t: _Tables,
    rng: random.Random,
    lines: list[CommuneLine],
    funding: dict[int, list[LineFunding]],
) -> None:
    """F14 for a share of the funded works: the position to date, within what was approved."""
    today = run.today
    reported_on = min(datetime.date(lines[0].start_month.year, 12, 15), today)
    for line in lines:
        if line.decision != Decision.FUNDED or rng.random() >= run.options.progress:
            continue
        start = line.start_month
        if start > reported_on:
            done, status = Decimal(0), ProgressStatus.NOT_STARTED
        elif _month_end(line.end_month) <= reported_on and rng.random() < 0.85:
            done, status = _ONE, ProgressStatus.COMPLETED
        elif rng.random() < 0.93:
            done, status = Decimal(rng.randint(20, 90)) / 100, ProgressStatus.ONGOING
        else:
            done, status = Decimal(rng.randint(5, 40)) / 100, ProgressStatus.SUSPENDED
        actual_start = None
        actual_finish = None
        if status != ProgressStatus.NOT_STARTED:
            actual_start = min(start + datetime.timedelta(days=rng.randint(0, 20)), reported_on)
        if status == ProgressStatus.COMPLETED:
            end = _month_end(line.end_month) - datetime.timedelta(days=rng.randint(0, 10))
            actual_finish = max(min(end, reported_on), actual_start or end)
        paid = done * Decimal(rng.randint(85, 100)) / 100 if done < 1 else Decimal(1)

        def part(value: Decimal, paid: Decimal = paid) -> Decimal:
            return (value * paid).quantize(_MILLI, ROUND_DOWN)

        report = make(
            ProgressReport,
            uid=new_uid(rng),
            line=line,
            reported_on=reported_on,
            quantity_done=(line.quantity * done).quantize(_MILLI, ROUND_DOWN),
            status=status,
            status_reason=(
                "Tạm dừng do mưa lũ kéo dài, chờ điều chỉnh thiết kế."
                if status == ProgressStatus.SUSPENDED
                else ""
            ),
            actual_start=actual_start,
            actual_finish=actual_finish,
            contribution_cash_mvnd=part(line.contribution_cash_mvnd),
            contribution_labour_days=part(line.contribution_labour_days),
            contribution_labour_mvnd=part(line.contribution_labour_mvnd),
            contribution_materials_mvnd=part(line.contribution_materials_mvnd),
            contribution_land_m2=part(line.contribution_land_m2),
            reporter=run.user,
            reporter_name=GENERATOR_NAME,
            is_latest=True,
        )
        t.reports.append(report)
        for row in funding.get(id(line), []):
            t.disbursements.append(
                make(
                    Disbursement,
                    report=report,
                    envelope_line=row.envelope_line,
                    amount_mvnd=part(row.amount_mvnd),
                )
            )


# --- writing ----------------------------------------------------------------------------------


def _version(
    run: Run, rng: random.Random, plan: CommunePlan, data: dict[str, Any], *, published: bool
) -> Version:
    """Version 1, approved by the commune council's resolution in December of the year before
    (never after today), published five days later when the stage says so."""
    year = plan.round.plan_year
    resolution_date = _before(datetime.date(year - 1, 12, rng.randint(1, 20)), run.today)
    return make(
        Version,
        plan_uid=plan.uid,
        subject_label=_COMMUNE_PLAN_LABEL,
        number=1,
        is_amendment=False,
        resolution_number=f"{rng.randint(10, 60)}/NQ-HĐND",
        resolution_date=resolution_date,
        signer=f"{person(rng, woman=rng.random() < 0.3)}, Chủ tịch HĐND xã",
        approved_by=run.user,
        published_at=(
            _aware(_before(resolution_date + datetime.timedelta(days=5), run.today))
            if published
            else None
        ),
        data=data,
    )


def _insert(run: Run, model: type[models.Model], objs: list[Any]) -> None:
    insert_objects(model, objs, now=run.now)
    run.report.counts[model._meta.label] += len(objs)


def _write(run: Run, t: _Tables) -> None:
    """Every table of the chunk, parents first."""
    for envelope, pots in t.envelopes_to_publish:
        envelope.published_lines = [published_row(pot) for pot in pots]
        envelope.changed_at = envelope.published_at
    for row in [*t.history, *t.versions]:
        row.keep_names()
    _insert(run, AdministrativeUnit, t.villages)
    _insert(run, PlanningRound, t.rounds)
    _insert(run, Envelope, t.envelopes)
    _insert(run, EnvelopeLine, t.envelope_lines)
    _insert(run, VillagePlan, t.village_plans)
    _insert(run, BasicInfo, t.infos)
    _insert(run, VillageMeeting, t.meetings)
    _insert(run, ProposalLine, t.proposals)
    _insert(run, CommunePlan, t.commune_plans)
    _insert(run, CommuneLine, t.commune_lines)
    _insert(run, LineSource, t.sources)
    _insert(run, LineFunding, t.funding)
    _insert(run, StatusChange, t.history)
    _insert(run, Version, t.versions)
    _insert(run, ProgressReport, t.reports)
    _insert(run, Disbursement, t.disbursements)
