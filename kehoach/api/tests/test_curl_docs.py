"""The ``curl`` examples of docs/api.md run as written (issue 17 §9).

Every fenced ``sh`` block that starts with ``curl`` is run by ``bash`` with real curl against a
live server, with ``$KEHOACH`` (the server) and ``$TOKEN`` (a token made here) in the
environment — the two names the doc tells the reader to export — and must answer 2xx JSON.
curl's status and content type come from a ``.curlrc`` of the test (``write-out``), so the
doc's text runs unchanged. The other blocks that call curl (the cursor loop) must end well and
print what they promise. curl is the Debian package ``curl``: without it the test fails.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tokens import token_create
from kehoach.exchange.forms import f6
from kehoach.exchange.tests.helpers import FIRST_ROW, opened, saved
from kehoach.geo.tests.factories import (
    CommuneFactory,
    ProvinceFactory,
    VillageFactory,
    dong_hoi,
    hai_lang,
    quang_tri,
)
from kehoach.monitoring.tests.factories import followed_plan
from kehoach.plans.services.meeting import meeting_save
from kehoach.plans.tests import factories as pf
from kehoach.portal.tests.factories import plan_in_state
from kehoach.synthesis.tests import factories as sf

DOC = Path(settings.BASE_DIR) / "docs" / "api.md"
WORKBOOK = "F6-thon-duong-le.xlsx"
MEETING = {
    "held_on": datetime.date(2026, 6, 10),
    "place": "Nhà văn hóa thôn",
    "chair": "Trần Văn Bình",
    "secretary": "Lê Thị Na",
    "households_total": 100,
    "households_represented": 62,
    "participants_total": 70,
    "participants_women": 28,
    "participants_poor": 9,
    "participants_em": 0,
    "decision": "Thông qua danh mục đề xuất năm 2027",
    "votes_agree": 60,
    "votes_disagree": 5,
    "votes_abstain": 5,
}
PLACEHOLDERS = {"KEHOACH", "TOKEN"}
STATUS_LINE = "--kehoach-status--"
CURLRC = f'write-out = "\\n{STATUS_LINE} %{{http_code}} %{{content_type}}\\n"\n'
VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def sh_blocks(text: str) -> Iterator[str]:
    """The fenced ``sh`` blocks of a Markdown text, without their fences and indentation."""
    for match in re.finditer(r"^( *)```sh\n(.*?)^\1```", text, re.M | re.S):
        indent = len(match.group(1))
        yield "\n".join(line[indent:] for line in match.group(2).splitlines()).strip()


def curl_examples() -> list[str]:
    return [b for b in sh_blocks(DOC.read_text(encoding="utf-8")) if b.startswith("curl")]


def scripts_with_curl() -> list[str]:
    return [
        b
        for b in sh_blocks(DOC.read_text(encoding="utf-8"))
        if not b.startswith("curl") and re.search(r"\bcurl\b", b)
    ]


def curl() -> str:
    found = shutil.which("curl")
    if found is None:
        pytest.fail(
            "curl is not installed: the examples of docs/api.md need it "
            "(Debian: apt-get install curl)."
        )
    return found


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def env(live_server: Any, tmp_path: Path) -> dict[str, str]:
    """Quảng Trị with Hải Lăng, two of its villages with plans and a commune plan; a token of
    the province's officer; the environment the doc asks the reader to set."""
    curl()
    province, commune = quang_tri(), hai_lang()
    plans = {}
    for name in ("Thôn Đông Hà", "Thôn Dương Lệ"):
        plans[name] = plan = pf.village_plan(VillageFactory.create(parent=commune, name=name))
        pf.line(plan)
    sf.commune_plan_for(sf.round_of(commune))
    # a plan published in another commune of the province, for the open-data examples
    plan_in_state(dong_hoi(), "published", year=2026, village_names=["Khu phố Bắc Lý"])
    officer = sf.province_officer(province, username="tinh.quangtri")
    _token, secret = token_create(
        user=officer, name="Ví dụ curl", scope=ApiTokenScope.READ, expires_at=None
    )
    planner = sf.planner(commune, username="xa.hailang")
    _token, writer = token_create(
        user=planner, name="Ví dụ ghi", scope=ApiTokenScope.READ_WRITE, expires_at=None
    )
    # the workflow example submits Thôn Đông Hà: its village meeting is recorded (R9)
    meeting_save(actor=planner, plan=plans["Thôn Đông Hà"], data=MEETING)
    # the import example uploads Thôn Dương Lệ's F6 workbook, its first activity renamed, as
    # the reader saved it from the plan's page (``WORKBOOK``, in each script's directory)
    book = opened(f6.export(plans["Thôn Dương Lệ"]))
    book["F6"][f"C{FIRST_ROW}"] = "Đường bê tông trục chính"
    (tmp_path / WORKBOOK).write_bytes(saved(book))
    # a programme's reporter (h17g): the planner of a commune of another province whose plan
    # is published, with funded works to report on
    far = CommuneFactory.create(parent=ProvinceFactory.create(code="46", name="Huế"))
    _token, reporter = token_create(
        user=followed_plan(far)["planner"],
        name="Chương trình",
        scope=ApiTokenScope.READ_WRITE,
        expires_at=None,
    )
    (tmp_path / "curl").mkdir()
    (tmp_path / "curl" / ".curlrc").write_text(CURLRC, encoding="utf-8")
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "CURL_HOME": str(tmp_path / "curl"),
        "LC_ALL": "C.UTF-8",
        "KEHOACH": live_server.url,
        "TOKEN": secret,
        "WRITE_TOKEN": writer,
        "REPORT_TOKEN": reporter,
    }


def run(
    script: str, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_doc_has_list_and_detail_examples_with_its_placeholders_only() -> None:
    examples = curl_examples()
    assert len(examples) >= 3, "docs/api.md has no curl examples left"
    for example in examples:
        assert "$KEHOACH/api/v1/" in example, f"not against $KEHOACH: {example}"
        unknown = set(VARIABLE.findall(example)) - PLACEHOLDERS
        assert not unknown, f"use only $KEHOACH and $TOKEN in the examples: {unknown}"
    paths = [re.search(r"\$KEHOACH(/api/v1/[^\"? ]*)", e) for e in examples]
    assert any(p and p.group(1).count("/") == 4 for p in paths), "no list example"
    assert any(p and p.group(1).count("/") == 5 for p in paths), "no detail example"


@pytest.mark.django_db(transaction=True)
def test_every_curl_example_of_the_doc_answers_2xx_json(env: dict[str, str]) -> None:
    answers: dict[str, Any] = {}
    failures = []
    for example in curl_examples():
        done = run(example, env)
        body, _sep, status_line = done.stdout.rpartition(f"\n{STATUS_LINE} ")
        status, _sp, content_type = status_line.strip().partition(" ")
        try:
            answers[example] = json.loads(body)
        except ValueError:
            answers[example] = None
        if (
            done.returncode != 0
            or not status.startswith("2")
            or not content_type.startswith("application/json")
            or answers[example] is None
        ):
            failures.append(
                f"{example}\n  → exit {done.returncode}, HTTP {status or '?'} "
                f"{content_type or '?'}\n  {done.stdout[:300]}{done.stderr[:300]}"
            )
    assert not failures, "\n".join(failures)

    # the answers are the data of this test, seen through the token
    by_path = {re.search(r"/api/v1/[^\"]*", e).group(0): a for e, a in answers.items()}  # type: ignore[union-attr]
    assert by_path["/api/v1/me/"]["username"] == "tinh.quangtri"
    assert by_path["/api/v1/units/19702/"]["name"] == "Xã Hải Lăng"
    assert {row["name"] for row in by_path["/api/v1/units/?within=19702&level=4"]["results"]} == {
        "Thôn Đông Hà",
        "Thôn Dương Lệ",
    }
    assert len(by_path["/api/v1/village-plans/?page_size=20"]["results"]) == 3  # 1 in Đồng Hới
    assert [
        p["commune_code"] for p in by_path["/api/v1/open/plans/?unit=44&year=2026"]["results"]
    ] == ["18880"]


PRINTS = re.compile(r"^# prints: (.+)$", re.M)


@pytest.mark.django_db(transaction=True)
def test_the_scripts_of_the_doc_that_call_curl_run(env: dict[str, str], tmp_path: Path) -> None:
    """Each script (the cursor loop, the writes) runs in a directory of its own and prints the
    line its first comment promises (``# prints: …``)."""
    scripts = scripts_with_curl()
    assert len(scripts) >= 2, "the cursor loop or the write example of docs/api.md is gone"
    env = {k: v for k, v in env.items() if k != "CURL_HOME"}  # the scripts read curl's output
    for index, script in enumerate(scripts):
        promised = PRINTS.search(script)
        assert promised, f"say what the script prints in a first comment (# prints: …)\n{script}"
        # the script's own variables: assigned, read, or of a loop
        own = {
            name
            for names in re.findall(r"\b([a-z_]+)=|\bfor ([a-z_]+) in|read -r ([a-z_ ]+)", script)
            for group in names
            for name in group.split()
        }
        unknown = (
            set(VARIABLE.findall(script)) - PLACEHOLDERS - {"WRITE_TOKEN", "REPORT_TOKEN"} - own
        )
        assert not unknown, f"use only $KEHOACH, $TOKEN, $WRITE_TOKEN and $REPORT_TOKEN: {unknown}"
        workdir = tmp_path / f"script-{index}"
        workdir.mkdir()
        shutil.copy(tmp_path / WORKBOOK, workdir / WORKBOOK)
        done = run(script, env, cwd=workdir)
        assert done.returncode == 0, f"{script}\n→ {done.stdout[-500:]}{done.stderr[-500:]}"
        assert promised.group(1) in done.stdout.splitlines(), done.stdout
