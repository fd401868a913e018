"""The next cycle (issue 18, item 4): a workshop started from a previous one carries its
backlog, roadmap and indicators (with their measurements) and nothing of the day itself; the
link and the event are kept in the same transaction; the summary, the HTML report and the
installed ``ureshii next-cycle`` say what changed. Real stores on both engines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.export.conftest import SLUG, scored_workshop
from toolkit.errors import InvalidInputError, NotFoundError
from toolkit.export import render
from toolkit.export.json_import import comparable_summary
from toolkit.export.verify import verify_document
from toolkit.i18n import t
from toolkit.store import Store
from toolkit.store import tables as s
from toolkit.summary import summarize

NEXT = "tsuru-dx-2"
URESHII = Path(sys.executable).with_name("ureshii")


def _previous_cycle(store: Store) -> None:
    """The small workshop, scored (ranking: sanres 1, madoguchi-konzatsu 2, chat 3), with an
    issue and a theme added on the day, a card, a roadmap and two indicators measured."""
    tokens = scored_workshop(store, {"resident": 2, "staff": 1})
    store.add_card(SLUG, "窓口で待たずに済む", stakeholder="kosodate", token=tokens[0])
    theme = store.add_theme(SLUG, "つながる")
    store.add_issue(
        SLUG,
        "オンライン相談",
        key="online",
        description="夜も相談できる",
        current=1,
        ideal=4,
        cost=200_000,
        year=2027,
        themes=[theme.key, "matanai"],
        stakeholders=["madoguchi"],
    )
    store.set_roadmap_item(
        SLUG, "chat", "令和7年度 第3四半期", owner_department="情報政策課", budget_line="DX-01"
    )
    store.set_roadmap_item(
        SLUG,
        "sanres",
        "FY2025",
        owner_department="総務課",
        review_on=date(2026, 3, 1),
        depends_on=["chat"],
    )
    store.set_roadmap_item(SLUG, "madoguchi-konzatsu", "FY2040 Q1", owner_department="市民課")
    store.add_indicator(
        SLUG,
        "sanres",
        "電子申請の割合",
        direction="increase",
        baseline=10,
        baseline_on=date(2025, 4, 1),
        target=50,
        target_on=date(2026, 3, 31),
        unit="%",
        source="総務課調べ",
        key="share",
    )
    store.record_measurement(SLUG, "share", 30, date(2025, 10, 1), entered_by="総務課")
    store.record_measurement(
        SLUG, "share", 55, date(2026, 3, 1), entered_by="総務課", note="年度末集計"
    )
    store.add_indicator(
        SLUG,
        "madoguchi-konzatsu",
        "窓口待ち時間",
        direction="decrease",
        baseline=30,
        baseline_on=date(2025, 4, 1),
        target=15,
        target_on=date(2026, 4, 1),
        unit="分",
        key="wait",
    )
    store.record_measurement(SLUG, "wait", 28, date(2025, 10, 1), entered_by="市民課")


def _score_next_cycle(store: Store) -> None:
    """The next cycle agrees the same weights and scores differently: chat 1.0, online 0.75,
    sanres 0.5 (weights 50/30/20, scales 1–5, cost reversed); madoguchi-konzatsu unscored."""
    tokens = [store.join(NEXT, category="resident") for _ in range(2)]
    store.propose_charter(
        NEXT, method="weighted_sum", weights={"resident": 50, "staff": 30, "cost": 20}
    )
    for token in tokens:
        store.record_consent(NEXT, token, 5)
    store.lock_charter(NEXT)
    answers = {"chat": (5, 5, 1), "online": (4, 4, 2), "sanres": (3, 3, 3)}
    for token in tokens:
        store.record_scores(
            NEXT,
            token,
            {
                (issue, crit): value
                for issue, values in answers.items()
                for crit, value in zip(("resident", "staff", "cost"), values, strict=True)
            },
        )


@pytest.fixture
def previous(empty_store: Store) -> Store:
    _previous_cycle(empty_store)
    return empty_store


def _without(rows: list[Any], *fields: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in asdict(r).items() if k not in fields} for r in rows]


def test_the_next_cycle_carries_the_backlog_roadmap_and_indicators_and_nothing_else(
    previous: Store,
) -> None:
    before = previous.counts(SLUG)
    created = previous.start_next_cycle(SLUG, NEXT, title="鶴見町 DX 2027")

    assert (created.slug, created.title, created.lang) == (NEXT, "鶴見町 DX 2027", "ja")
    assert created.phase == previous.workshop(SLUG).phase  # the first phase of the spec
    # The backlog as the store holds it (the issue added on the day included), with links.
    assert _without(previous.issues(NEXT), "id") == _without(previous.issues(SLUG), "id")
    assert "online" in {i.key for i in previous.issues(NEXT)}
    assert _without(previous.themes(NEXT), "id") == _without(previous.themes(SLUG), "id")
    assert _without(previous.stakeholders(NEXT), "id") == _without(
        previous.stakeholders(SLUG), "id"
    )
    assert _without(previous.criteria(NEXT), "id") == _without(previous.criteria(SLUG), "id")
    assert _without(previous.roadmap(NEXT), "updated_at") == _without(
        previous.roadmap(SLUG), "updated_at"
    )
    assert _without(previous.indicators(NEXT), "id", "created_at") == _without(
        previous.indicators(SLUG), "id", "created_at"
    )
    assert _without(previous.measurements(NEXT), "id", "created_at") == _without(
        previous.measurements(SLUG), "id", "created_at"
    )
    # The town meeting's ballot again as a draft, without votes.
    assert [(b.key, b.status) for b in previous.ballots(NEXT)] == [("town", "draft")]
    # Nothing of the day itself: no participants, cards, scores, votes, charter, consent.
    counts = previous.counts(NEXT)
    assert {k: counts[k] for k in ("participants", "cards", "scores", "votes")} == {
        "participants": 0,
        "cards": 0,
        "scores": 0,
        "votes": 0,
    }
    assert previous.charters(NEXT) == [] and previous.locked_charter(NEXT) is None
    assert previous.scores(NEXT).empty
    # The previous workshop is untouched.
    assert previous.counts(SLUG) == before

    # The link, and the event in the new workshop's log.
    assert previous.previous_cycle(NEXT) == SLUG
    assert previous.previous_cycle(SLUG) is None
    started = [e for e in previous.changes(NEXT) if e.kind == "cycle_started"]
    assert [(e.actor, e.payload["previous"]) for e in started] == [("facilitator", SLUG)]
    assert all(e.kind != "cycle_started" for e in previous.changes(SLUG))

    # New measurements go to the new cycle only.
    previous.record_measurement(NEXT, "wait", 14, date(2026, 6, 1), entered_by="市民課")
    assert [m.value for m in previous.measurements(NEXT, "wait")] == [28, 14]
    assert [m.value for m in previous.measurements(SLUG, "wait")] == [28]


def test_a_refused_next_cycle_leaves_nothing(previous: Store) -> None:
    workshops = [w.slug for w in previous.workshops()]
    with pytest.raises(NotFoundError) as unknown:
        previous.start_next_cycle("no-such-workshop", NEXT)
    assert unknown.value.key == "cycle_previous_unknown"
    assert "no-such-workshop" in unknown.value.message("ja")
    with pytest.raises(InvalidInputError) as taken:
        previous.start_next_cycle(SLUG, SLUG)
    assert taken.value.key == "workshop_exists"
    with pytest.raises(InvalidInputError) as invalid:
        previous.start_next_cycle(SLUG, "Not An Id")
    assert invalid.value.key == "cycle_slug_invalid"

    # A refusal half-way (the stored spec's ballot has a rule nobody knows, refused after the
    # new workshop, its stakeholders, themes and issues were written): none of it is left.
    with previous.engine.begin() as conn:
        spec = conn.execute(
            select(s.workshops.c.spec).where(s.workshops.c.slug == SLUG)
        ).scalar_one()
        spec["town_meeting"]["ballots"][0]["rule"] = "no-such-rule"
        conn.execute(update(s.workshops).where(s.workshops.c.slug == SLUG).values(spec=spec))
    with pytest.raises(InvalidInputError) as late:
        previous.start_next_cycle(SLUG, NEXT)
    assert late.value.key == "ballot_unknown_rule"
    assert [w.slug for w in previous.workshops()] == workshops
    with pytest.raises(NotFoundError):
        previous.previous_cycle(NEXT)
    with previous.engine.connect() as conn:
        assert conn.execute(select(s.workshop_cycles)).all() == []
        assert len(conn.execute(select(s.issues)).all()) == len(previous.issues(SLUG))


def test_the_summary_says_how_the_ranking_moved_and_what_was_achieved(previous: Store) -> None:
    previous.start_next_cycle(SLUG, NEXT)
    assert summarize(previous, SLUG)["previous_cycle"] is None
    _score_next_cycle(previous)
    previous.record_measurement(NEXT, "wait", 14, date(2026, 6, 1), entered_by="市民課")
    summary = summarize(previous, NEXT)
    cycle = summary["previous_cycle"]

    assert (cycle["slug"], cycle["title"]) == (SLUG, "鶴見町 DX ビジョンワークショップ")
    # By hand: before sanres 1, madoguchi-konzatsu 2, chat 3; now chat 1, online 2, sanres 3.
    assert [(m["key"], m["previous_rank"], m["rank"], m["change"]) for m in cycle["moves"]] == [
        ("chat", 3, 1, 2),
        ("online", None, 2, None),
        ("sanres", 1, 3, -2),
        ("madoguchi-konzatsu", 2, None, None),
    ]
    assert [m["title"] for m in cycle["moves"]] == [
        "チャットツールの定着",
        "オンライン相談",
        "3レス（ペーパーレス・FAXレス・はんこレス）",
        "窓口の混雑緩和",
    ]
    # The small wins: 55 % ≥ 50 % (carried from the last cycle) and 14 ≤ 15 minutes (new).
    assert cycle["achieved"] == [
        {
            "key": "share",
            "issue": "sanres",
            "name": "電子申請の割合",
            "unit": "%",
            "baseline": 10.0,
            "baseline_on": "2025-04-01",
            "latest": 55.0,
            "measured_on": "2026-03-01",
        },
        {
            "key": "wait",
            "issue": "madoguchi-konzatsu",
            "name": "窓口待ち時間",
            "unit": "分",
            "baseline": 30.0,
            "baseline_on": "2025-04-01",
            "latest": 14.0,
            "measured_on": "2026-06-01",
        },
    ]
    # Ended by today, in the roadmap's order (by start): sanres (FY2025, to 2026-03-31) and
    # chat (令和7年度 第3四半期, to 2025-12-31); madoguchi-konzatsu (FY2040 Q1) has not.
    assert [(d["issue"], d["end"], d["owner_department"]) for d in cycle["done"]] == [
        ("sanres", "2026-03-31", "総務課"),
        ("chat", "2025-12-31", "情報政策課"),
    ]

    # The JSON export carries it (schema-checked), verify says it did not check it, and the
    # comparison of a rebuilt store leaves it out (a rebuilt store has no link).
    document = render(summary, "json")
    data = json.loads(document)
    assert data["summary"]["previous_cycle"] == json.loads(json.dumps(cycle))
    report = verify_document(data).report("en")
    assert t("verify_unchecked_previous_cycle", "en", slug=SLUG) in report
    assert "previous_cycle" not in comparable_summary(summary)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_html_report_shows_the_last_cycle(previous: Store, lang: str) -> None:
    previous.start_next_cycle(SLUG, NEXT)
    _score_next_cycle(previous)
    html = render(summarize(previous, NEXT), "html", lang=lang).decode("utf-8")
    section = html.split('<section id="previous_cycle">', 1)[1].split("</section>", 1)[0]

    assert t("export_section_previous_cycle", lang) in section
    assert f'<a href="#previous_cycle">{t("export_section_previous_cycle", lang)}</a>' in html
    assert (
        "<td>電子申請の割合 (%)</td><td>3レス（ペーパーレス・FAXレス・はんこレス）</td>" in section
    )
    assert '<td class="num">10</td><td class="num">55</td><td>2026-03-01</td>' in section
    period = {"ja": "令和7年度 第3四半期", "en": "FY2025 Q3"}[lang]
    assert f"<td>チャットツールの定着</td><td>{period}</td><td>情報政策課</td>" in section
    up = t("cycle_move_up", lang, n=2)
    down = t("cycle_move_down", lang, n=2)
    assert f'<td class="num">3</td><td class="num">1</td><td>{up}</td>' in section
    assert f'<td class="num">1</td><td class="num">3</td><td>{down}</td>' in section
    assert f"<td>{t('cycle_move_new', lang)}</td>" in section
    assert f"<td>{t('cycle_move_dropped', lang)}</td>" in section

    alone = render(summarize(previous, SLUG), "html", lang=lang).decode("utf-8")
    assert t("cycle_none", lang) in alone.split('<section id="previous_cycle">', 1)[1]


def _ureshii(*args: str | Path, lang: str = "en") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "URESHII_LANG": lang}
    return subprocess.run(
        [str(URESHII), *map(str, args)], capture_output=True, text=True, env=env, check=False
    )


def test_ureshii_next_cycle_through_the_installed_command(tmp_path: Path) -> None:
    database = tmp_path / "store.sqlite"
    with Store.open(database) as store:
        _previous_cycle(store)

    # No --lang: the workshop's language (ja), not the computer's (en).
    done = _ureshii("next-cycle", database, "--from", SLUG, "--id", NEXT, "--title", "第2期")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        t(
            "cli_next_cycle_done",
            "ja",
            slug=NEXT,
            title="第2期",
            previous=SLUG,
            issues=4,
            roadmap=3,
            indicators=2,
            measurements=3,
        )
        + "\n"
    )
    with Store.open(database) as store:
        assert store.previous_cycle(NEXT) == SLUG
        assert store.workshop(NEXT).title == "第2期"

    taken = _ureshii("next-cycle", database, "--from", SLUG, "--id", NEXT, "--lang", "en")
    assert (taken.returncode, taken.stdout) == (2, "")
    assert taken.stderr == t("workshop_exists", "en", slug=NEXT) + "\n"

    unknown = _ureshii("next-cycle", database, "--from", "nothing", "--id", "x3", lang="ja")
    assert unknown.returncode == 2
    assert unknown.stderr == t("cycle_previous_unknown", "ja", slug="nothing") + "\n"

    missing = _ureshii("next-cycle", tmp_path / "none.sqlite", "--from", SLUG, "--id", "x4")
    assert missing.returncode == 2
    assert not (tmp_path / "none.sqlite").exists()
    with Store.open(database) as store:
        assert [w.slug for w in store.workshops()] == [SLUG, NEXT]
