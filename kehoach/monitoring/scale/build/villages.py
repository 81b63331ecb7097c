"""The villages of a commune and, for each plan year, its round: the village plans with F1,
the meeting of the submitted ones and their proposals; then the envelope and, as the round's
stage says, the commune plan."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from kehoach.core.text import fold, name_sort_key
from kehoach.geo.choices import Kind, Level, Source
from kehoach.geo.models import PATH_SEPARATOR, AdministrativeUnit
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import BasicInfo, PlanningRound, ProposalLine, VillageMeeting, VillagePlan

from ..content import (
    VillageFigures,
    activity_keys,
    basic_info_values,
    meeting_values,
    proposal_values,
    region_of,
    village_figures,
    village_names,
)
from ..write import make
from .common import PLAN_LABEL, SYNTHESISED, Run, aware, before, new_uid, stage_of, status_change
from .commune_plans import commune_plan
from .funding import envelope_of
from .tables import Tables


def commune_villages(run: Run, t: Tables, commune: AdministrativeUnit) -> None:
    """The commune's villages, then its round of each plan year."""
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
    t: Tables,
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
                aware(before(datetime.date(year - 1, 9, rng.randint(1, 28)), run.today))
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
            t.history.append(
                status_change(user, plan.uid, PLAN_LABEL, "submit", "draft", "submitted")
            )
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
    envelope, pots = envelope_of(run, t, round_, rng, submitted, stage)
    if stage >= SYNTHESISED:
        commune_plan(run, t, round_, rng, submitted, stage, envelope, pots)
