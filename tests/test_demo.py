"""`ureshii demo`: the demo store every later screen works on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from toolkit.demo import (
    PARTICIPANTS,
    SURVEY_AFTER,
    SURVEY_BEFORE,
    SURVEY_LINKED,
    SURVEY_PAPER,
    build_demo,
)
from toolkit.store import Store
from toolkit.summary import summarize


@pytest.fixture(scope="module")
def demo_ja(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo"), lang="ja", seed=0).path


def test_demo_has_a_whole_morning_of_activity(demo_ja: Path) -> None:
    with Store.open(demo_ja) as store:
        [workshop] = store.workshops()
        counts = store.counts(workshop.slug)
        criteria, issues = store.criteria(workshop.slug), store.issues(workshop.slug)
        charter = store.locked_charter(workshop.slug)
        summary = summarize(store, workshop.slug)
    assert workshop.phase == "results" and workshop.lang == "ja"
    # The 24 of the workshop day, and the staff who answered the survey on their phones
    # (60 + 50 - 40 linked = 70 people; 6 papers are a paper respondent each).
    assert counts["participants"] == PARTICIPANTS + 70 == 24 + 70
    assert counts["cards"] == 2 * PARTICIPANTS
    assert len(issues) >= 10 and len(criteria) == 6
    assert counts["scores"] == PARTICIPANTS * len(issues) * len(criteria)
    assert charter is not None and charter.consent["responses"] == 24  # type: ignore[index]
    assert abs(sum(charter.weights.values()) - 1) < 1e-9
    assert summary["ranking"][0]["rank"] == 1
    assert len(summary["ranking"]) == len(issues)
    assert summary["vision"]["consent"]["responses"] == 24
    assert summary["themes"][0]["dots"] >= summary["themes"][-1]["dots"]
    assert sum(r["divides_group"] for r in summary["ranking"]) >= 1


def test_demo_has_a_staff_survey_before_and_after(demo_ja: Path) -> None:
    """The staff survey (issue 19): two closed waves, the papers, the pairs linked by code,
    a department too small to show apart, issue-linked questions and a linked indicator."""
    from collections import Counter

    with Store.open(demo_ja) as store:
        slug = store.workshops()[0].slug
        [survey] = store.surveys(slug)
        responses = store.survey_responses(slug, survey.key)
        linked = store.survey_indicators(slug)
        roadmap = [item.issue for item in store.roadmap(slug)]
        indicators = {i.key: i.issue for i in store.indicators(slug)}
    assert (SURVEY_BEFORE, SURVEY_AFTER, SURVEY_LINKED, SURVEY_PAPER) == (60, 50, 40, 6)
    assert [(w.key, w.status) for w in survey.waves] == [("before", "closed"), ("after", "closed")]
    waves = Counter((r.wave, r.channel) for r in responses)
    assert waves == {("before", "device"): 54, ("before", "paper"): 6, ("after", "device"): 50}
    codes = Counter(r.link_key for r in responses if r.link_key is not None)
    assert sum(1 for n in codes.values() if n == 2) == 40 and max(codes.values()) == 2
    paired = {k for k, n in codes.items() if n == 2}
    assert {r.wave for r in responses if r.link_key in paired} == {"before", "after"}
    departments = Counter(r.answers["dept"] for r in responses if r.wave == "before")
    assert min(departments.values()) < 5 <= sorted(departments.values())[1]
    issues = {q.issue for q in survey.definition.questions if q.issue}
    assert issues == {"chat-teichaku", "three-less"}
    assert linked == {"staff-dx-confidence": ("staff-dx", "confidence")}
    assert indicators["staff-dx-confidence"] == roadmap[4]


def test_demo_is_the_same_for_the_same_seed(demo_ja: Path, tmp_path: Path) -> None:
    again = build_demo(tmp_path, lang="ja", seed=0).path
    other = build_demo(tmp_path / "other", lang="ja", seed=1).path
    with Store.open(demo_ja) as a, Store.open(again) as b, Store.open(other) as c:
        slug = a.workshops()[0].slug
        ranking = [r["key"] for r in summarize(a, slug)["ranking"]]
        assert ranking == [r["key"] for r in summarize(b, slug)["ranking"]]
        assert a.scores(slug)["score"].tolist() != c.scores(slug)["score"].tolist()
        answers = [[r.answers for r in s.survey_responses(slug, "staff-dx")] for s in (a, b, c)]
        assert answers[0] == answers[1] != answers[2]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_demo_has_a_followup_year_with_every_status(
    demo_ja: Path, tmp_path: Path, lang: str
) -> None:
    """The year after the workshop (issue 18), as of the day it is written for: statuses
    computed by toolkit.indicators.assess, stable whatever day the test runs (until the
    first targets' date, 2027-03-31, after which an unmet one is "missed")."""
    from datetime import date

    from toolkit.demo import FOLLOWUP_AS_OF
    from toolkit.indicators import assess

    path = demo_ja if lang == "ja" else build_demo(tmp_path, lang="en", seed=0).path
    with Store.open(path) as store:
        slug = store.workshops()[0].slug
        ranking = [row["key"] for row in summarize(store, slug)["ranking"]]
        roadmap = store.roadmap(slug)
        indicators = store.indicators(slug)
        measured = {i.key: store.measurements(slug, i.key) for i in indicators}
    assert date(2026, 12, 1) == FOLLOWUP_AS_OF
    assert sorted(item.issue for item in roadmap) == sorted(ranking[:5])
    assert {item.period.year for item in roadmap} == {2026, 2027, 2028}
    assert sum(bool(item.depends_on) for item in roadmap) == 2
    assert all(item.owner_department and item.review_on for item in roadmap)
    departments = {item.owner_department for item in roadmap}
    assert ("情報政策課" in departments) if lang == "ja" else all(d.isascii() for d in departments)
    statuses = {
        i.issue: assess(i, measured[i.key], as_of=FOLLOWUP_AS_OF).status for i in indicators
    }
    assert [statuses.get(key) for key in ranking[:4]] == [
        "achieved",
        "on_track",
        "at_risk",
        "no_data",
    ]
    assert all(i.baseline_on == date(2026, 4, 1) < i.target_on for i in indicators)
    values = [m for ms in measured.values() for m in ms]
    assert len(values) >= 5 and all(m.measured_on <= FOLLOWUP_AS_OF for m in values)
    owner = {item.issue: item.owner_department for item in roadmap}
    assert all(m.entered_by == owner[i.issue] for i in indicators for m in measured[i.key])


def test_demo_stores_no_personal_data(demo_ja: Path) -> None:
    with Store.open(demo_ja) as store:
        columns = {c["name"] for c in inspect(store.engine).get_columns("participants")}
    assert columns == {"id", "workshop_id", "token_hash", "channel", "category", "created_at"}


def test_ureshii_demo_no_serve_prints_the_store_path(tmp_path: Path) -> None:
    ureshii = Path(sys.executable).with_name("ureshii")
    done = subprocess.run(
        [str(ureshii), "demo", "--no-serve", "--lang", "en", "--data", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip().splitlines()[-1])
    assert path == (tmp_path / "d" / "demo-en.sqlite").resolve() and path.exists()
    assert "Building the demo workshop" in done.stderr
    with Store.open(path) as store:
        assert store.workshops()[0].lang == "en"


def test_ureshii_help_and_version() -> None:
    ureshii = Path(sys.executable).with_name("ureshii")
    shown = subprocess.run([str(ureshii), "--help"], capture_output=True, text=True, check=True)
    for command in ("init", "check", "demo", "serve"):
        assert command in shown.stdout
    version = subprocess.run(
        [str(ureshii), "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("ureshii, version ")
