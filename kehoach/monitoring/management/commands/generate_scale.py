"""``manage.py generate_scale``: synthetic planning data at any scale (docs/scale.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehoach.core.errors import ApplicationError
from kehoach.core.numbers import format_number_vi
from kehoach.monitoring.scale import ScaleOptions, generate

_LABELS = {
    "geo.AdministrativeUnit": "thôn",
    "plans.PlanningRound": "kỳ lập kế hoạch",
    "plans.VillagePlan": "kế hoạch thôn",
    "plans.ProposalLine": "đề xuất thôn",
    "synthesis.EnvelopeLine": "dòng khung nguồn lực",
    "synthesis.CommunePlan": "kế hoạch xã",
    "synthesis.CommuneLine": "dòng kế hoạch xã",
    "synthesis.LineFunding": "dòng cấp vốn",
    "approvals.Version": "phiên bản phê duyệt",
    "monitoring.ProgressReport": "báo cáo tiến độ",
}


def _share(text: str) -> float:
    try:
        return float(text.replace(",", "."))
    except ValueError as exc:
        raise CommandError(f"“{text}” không phải một tỷ lệ, ví dụ 0,6 hoặc 0.6.") from exc


class Command(BaseCommand):
    help = (
        "Generate realistic synthetic planning data (villages, rounds, village and commune "
        "plans, envelopes, decisions, versions, progress) on top of load_units and "
        "load_catalog; refuses to run on a database that holds real plans."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--provinces",
            nargs="+",
            default=["44"],
            help="Official province codes (44 Quảng Trị) or “all” (default: 44).",
        )
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--communes", type=int, help="Communes per province (default: all).")
        group.add_argument(
            "--communes-total", type=int, help="Communes in all, taken from the provinces in turn."
        )
        parser.add_argument("--villages-per-commune", type=int, default=19)
        parser.add_argument("--lines-per-plan", type=int, default=15)
        parser.add_argument("--years", type=int, nargs="+", default=[2026, 2027])
        parser.add_argument("--synthesised", type=_share, default=0.9)
        parser.add_argument("--approved", type=_share, default=0.7)
        parser.add_argument("--published", type=_share, default=0.6)
        parser.add_argument("--progress", type=_share, default=0.5)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **opts: Any) -> None:
        provinces = [] if [p.lower() for p in opts["provinces"]] == ["all"] else opts["provinces"]
        options = ScaleOptions(
            provinces=tuple(provinces),
            communes=opts["communes"],
            communes_total=opts["communes_total"],
            villages_per_commune=opts["villages_per_commune"],
            lines_per_plan=opts["lines_per_plan"],
            years=tuple(opts["years"]),
            synthesised=opts["synthesised"],
            approved=opts["approved"],
            published=opts["published"],
            progress=opts["progress"],
            seed=opts["seed"],
        )
        try:
            report = generate(options, say=self.stdout.write)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        made = ", ".join(
            f"{format_number_vi(report.counts[label], 0)} {name}"
            for label, name in _LABELS.items()
            if report.counts[label]
        )
        self.stdout.write(
            f"Đã sinh dữ liệu cho {report.communes} xã của {report.provinces} tỉnh trong "
            f"{format_number_vi(report.seconds, 1)} giây "
            f"({format_number_vi(report.cpu_seconds, 1)} giây CPU của lệnh): "
            f"{made or 'không có gì mới'}."
        )
        if report.skipped_communes:
            self.stdout.write(
                f"Bỏ qua {report.skipped_communes} xã đã có dữ liệu sinh từ lần chạy trước."
            )
