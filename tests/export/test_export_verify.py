"""``ureshii verify``: every published figure of a JSON export is re-computed from the export's
own scores and ballots, an edited figure is named (item and field), and the report always
says what it does not check.

The workshop here is a real one in a real store (SQLite and PostgreSQL), exported with the
real code; tampering edits the exported document the way a person editing the file would.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.export.conftest import scored_workshop
from tests.workshop_data import small_workshop
from toolkit.cli import main
from toolkit.export.json_export import render_json
from toolkit.export.verify import UNCHECKED, verify_document
from toolkit.i18n import t
from toolkit.store import Store
from toolkit.summary import summarize

SLUG = "verify-town"
URESHII = Path(sys.executable).with_name("ureshii")
MADOGUCHI, SANRES, CHAT = "madoguchi-konzatsu", "sanres", "chat"
CATEGORIES = ("resident", "resident", "staff", "staff")
#: Per rater (in CATEGORIES order): issue → (resident, staff, cost) on 1–5; None = don't know.
ANSWERS: list[dict[str, tuple[int | None, ...]]] = [
    {MADOGUCHI: (5, 3, 5), SANRES: (3, 5, 1), CHAT: (1, 5, 1)},
    {MADOGUCHI: (1, 3, 5), SANRES: (3, 4, 1), CHAT: (5, 5, 2)},
    {MADOGUCHI: (5, 2, 4), SANRES: (4, 5, 2), CHAT: (1, 1, 1)},
    {MADOGUCHI: (1, 2, 4), SANRES: (4, None, 2), CHAT: (5, 1, 1)},
]
#: The town ballot (approval), one list per rater.
TOWN_VOTES = [[CHAT, SANRES], [SANRES], [MADOGUCHI, SANRES], [CHAT]]
#: A live Borda ballot on the same issues (best first), from the first three raters.
ORDER_VOTES = [[SANRES, CHAT, MADOGUCHI], [CHAT, SANRES, MADOGUCHI], [SANRES, MADOGUCHI, CHAT]]


def build_workshop(store: Store) -> None:
    """Four raters (two residents, two staff; categories of 2 are shown), a closed approval
    ballot, a live Borda ballot and a ballot still hidden until it closes."""
    spec = small_workshop(SLUG)
    spec["town_meeting"]["min_group_size"] = 2
    store.create_workshop(spec)
    tokens = [store.join(SLUG, category=c) for c in CATEGORIES]
    store.propose_charter(
        SLUG, method="weighted_sum", weights={"resident": 50, "staff": 30, "cost": 20}
    )
    for token in tokens:
        store.record_consent(SLUG, token, 5)
    store.lock_charter(SLUG)
    for token, answers in zip(tokens, ANSWERS, strict=True):
        store.record_scores(
            SLUG,
            token,
            {
                (issue, criterion): value
                for issue, values in answers.items()
                for criterion, value in zip(("resident", "staff", "cost"), values, strict=True)
            },
        )
    store.open_ballot(SLUG, "town")
    for token, vote in zip(tokens, TOWN_VOTES, strict=True):
        store.cast_vote(SLUG, "town", token, vote)
    store.close_ballot(SLUG, "town")
    options = [MADOGUCHI, SANRES, CHAT]
    store.create_ballot(SLUG, "order", "順番", rule="borda", options=options, visibility="live")
    store.open_ballot(SLUG, "order")
    for token, vote in zip(tokens, ORDER_VOTES, strict=False):
        store.cast_vote(SLUG, "order", token, vote)
    store.create_ballot(SLUG, "later", "あとで", rule="approval", options=options)
    store.open_ballot(SLUG, "later")
    store.cast_vote(SLUG, "later", tokens[0], [CHAT])


def exported(store: Store, slug: str = SLUG) -> dict[str, Any]:
    """The JSON export of ``slug``, as a reader of the file gets it."""
    loaded: dict[str, Any] = json.loads(render_json(summarize(store, slug)))
    return loaded


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    with Store.open(tmp_path_factory.mktemp("verify") / "store.sqlite") as store:
        build_workshop(store)
        return exported(store)


def row(summary: dict[str, Any], key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in summary["ranking"] if r["key"] == key)
    return found


def stats_row(summary: dict[str, Any], issue: str, criterion: str) -> list[Any]:
    found: list[Any] = next(
        r for r in summary["score_stats"]["rows"] if r[0] == issue and r[1] == criterion
    )
    return found


def ballot(summary: dict[str, Any], key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(b for b in summary["ballots"] if b["key"] == key)
    return found


def test_an_untampered_export_matches_on_both_engines(empty_store: Store) -> None:
    build_workshop(empty_store)
    result = verify_document(exported(empty_store))
    assert result.differences == []
    assert result.matches
    assert (result.count, result.score_stats, result.categories, result.ballots) == (3, 9, 2, 2)
    assert result.hidden_ballots == ["later"]


def test_figures_agree_with_a_hand_computation(document: dict[str, Any]) -> None:
    """r_wg = 1 − s² / σ²_EU, σ²_EU = (5² − 1) / 12 = 2 on a 1–5 scale, truncated to [0, 1].

    chat: resident 1, 5, 1, 5 (s² = 16/3 → 0); staff 5, 5, 1, 1 (→ 0); cost 1, 2, 1, 1
    (s² = 1/4 → 0.875); mean 0.2917 < 0.5: it divides the group. madoguchi-konzatsu:
    resident 5, 1, 5, 1 (→ 0); staff 3, 3, 2, 2 and cost 5, 5, 4, 4 (s² = 1/3 → 5/6 each);
    mean 0.5556: it does not. The town ballot (approval) counted by hand: sanres 3, chat 2,
    madoguchi-konzatsu 1.
    """
    summary = document["summary"]
    assert (row(summary, CHAT)["agreement_rwg"], row(summary, CHAT)["divides_group"]) == (
        0.2917,
        True,
    )
    assert row(summary, MADOGUCHI)["agreement_rwg"] == 0.5556
    assert row(summary, MADOGUCHI)["divides_group"] is False
    assert row(summary, CHAT)["raters"] == 4
    # sanres × staff: 5, 4, 5 and one "don't know": mean 14/3, median 5, scaled (14/3 − 1)/4
    assert stats_row(summary, SANRES, "staff")[2:] == [4, 1, 4.666667, 5.0, 0.916667]
    town = ballot(summary, "town")["tally"]
    assert town["points"] == {MADOGUCHI: 1.0, SANRES: 3.0, CHAT: 2.0}
    assert town["order"] == [SANRES, CHAT, MADOGUCHI]
    assert verify_document(document).matches


def _nudge(value: float) -> float:
    """A different value of the same kind, still plausible (0–1 stays 0–1)."""
    return round(value - 0.1 if value >= 0.1 else value + 0.1, 6)


# Each case: how the file is edited, and the (item, field) verify must name — nothing else.
Tamper = Callable[[dict[str, Any]], set[tuple[str, str]]]


def _rank(s: dict[str, Any]) -> set[tuple[str, str]]:
    first, second = s["ranking"][0], s["ranking"][1]
    first["rank"], second["rank"] = second["rank"], first["rank"]
    return {(first["key"], "rank"), (second["key"], "rank")}


def _ranking_field(name: str) -> Tamper:
    def tamper(s: dict[str, Any]) -> set[tuple[str, str]]:
        shown = row(s, MADOGUCHI)
        value = shown[name]
        if isinstance(value, bool):
            shown[name] = not value
        elif isinstance(value, int):
            shown[name] = value + 1
        else:
            shown[name] = _nudge(value)
        return {(MADOGUCHI, name)}

    return tamper


def _criterion(s: dict[str, Any]) -> set[tuple[str, str]]:
    row(s, CHAT)["criteria"]["cost"] = _nudge(row(s, CHAT)["criteria"]["cost"])
    return {(CHAT, "criteria.cost")}


def _dropped_row(s: dict[str, Any]) -> set[tuple[str, str]]:
    s["ranking"] = [r for r in s["ranking"] if r["key"] != CHAT]
    return {(CHAT, "extra")}


def _stats(column: int, name: str) -> Tamper:
    def tamper(s: dict[str, Any]) -> set[tuple[str, str]]:
        shown = stats_row(s, SANRES, "staff")
        value = shown[column]
        shown[column] = value + 1 if isinstance(value, int) else _nudge(value)
        return {(f"{SANRES}/staff", f"score_stats.{name}")}

    return tamper


def _group_rank(s: dict[str, Any]) -> set[tuple[str, str]]:
    first = s["by_group"]["staff"]["ranking"][0]
    first["rank"] += 5
    return {("staff", f"by_group.staff.{first['key']}.rank")}


def _group_raters(s: dict[str, Any]) -> set[tuple[str, str]]:
    s["by_group"]["resident"]["raters"] = 3
    return {("resident", "by_group.resident.raters")}


def _group_suppressed(s: dict[str, Any]) -> set[tuple[str, str]]:
    s["by_group"]["resident"]["suppressed"] = True
    return {("resident", "by_group.resident.suppressed")}


def _points(key: str, option: str) -> Tamper:
    def tamper(s: dict[str, Any]) -> set[tuple[str, str]]:
        ballot(s, key)["tally"]["points"][option] += 1
        return {(key, f"tally.{key}.{option}")}

    return tamper


def _order(s: dict[str, Any]) -> set[tuple[str, str]]:
    ballot(s, "town")["tally"]["order"].reverse()
    return {("town", "tally.town.order")}


def _votes(s: dict[str, Any]) -> set[tuple[str, str]]:
    ballot(s, "order")["votes"] += 1
    return {("order", "votes")}


def _count(name: str) -> Tamper:
    def tamper(s: dict[str, Any]) -> set[tuple[str, str]]:
        s["counts"][name] += 1
        return {("counts", f"counts.{name}")}

    return tamper


TAMPERS: dict[str, Tamper] = {
    "rank": _rank,
    "score": _ranking_field("score"),
    "criteria": _criterion,
    "robustness": _ranking_field("robustness"),
    "raters": _ranking_field("raters"),
    "agreement_rwg": _ranking_field("agreement_rwg"),
    "divides_group": _ranking_field("divides_group"),
    "ranking_row_removed": _dropped_row,
    "score_stats.answers": _stats(2, "answers"),
    "score_stats.dont_know": _stats(3, "dont_know"),
    "score_stats.mean": _stats(4, "mean"),
    "score_stats.median": _stats(5, "median"),
    "score_stats.scaled": _stats(6, "scaled"),
    "by_group.rank": _group_rank,
    "by_group.raters": _group_raters,
    "by_group.suppressed": _group_suppressed,
    "tally.town.points": _points("town", SANRES),
    "tally.order.points": _points("order", MADOGUCHI),
    "tally.town.order": _order,
    "ballot.votes": _votes,
    "counts.cards": _count("cards"),
    "counts.issues": _count("issues"),
    "counts.votes": _count("votes"),
}


@pytest.mark.parametrize("name", TAMPERS, ids=str)
def test_each_published_figure_edited_is_named(name: str, document: dict[str, Any]) -> None:
    changed = copy.deepcopy(document)
    expected = TAMPERS[name](changed["summary"])
    result = verify_document(changed)
    assert not result.matches
    assert {(d.key, d.field) for d in result.differences} == expected
    report = result.report("en")
    assert report.startswith(
        f"does not match: the re-computed figures differ from the published ones "
        f"(differences: {len(expected)}):\n"
    )
    for key, field in expected:
        line = f"  {key}: {field} published" if field != "extra" else f"  {key}: re-computed"
        assert line in report


def test_the_report_says_what_is_checked_and_what_is_not(document: dict[str, Any]) -> None:
    result = verify_document(document)
    english, japanese = result.report("en"), result.report("ja")
    assert english.splitlines()[:6] == [
        "matches: re-computed with charter v1 (Weighted criteria scoring) from the export's "
        "own scores and ballots, these published figures agree:",
        "  - the ranking of 3 issues: rank, score, each criterion's value, robustness, raters, "
        "agreement within the group (r_wg), divides the group",
        "  - 9 rows of score statistics: answers, don't know, mean, median, scaled (0–1)",
        "  - the rankings of 2 categories (立場), with the privacy threshold",
        "  - the vote counts and tallies of 2 ballots",
        "  - the happiness map, each theme's cards and dots, the roadmap, and the numbers of "
        "cards, themes, issues and votes",
    ]
    assert japanese.startswith("一致（matches）: 憲章 第1版")
    assert "  - 3 件の課題の順位: 順位・スコア・評価基準ごとの値・頑健性" in japanese
    assert "  - 2 件の投票の票数と集計" in japanese
    for lang, report in (("en", english), ("ja", japanese)):
        unchecked = report.split(t("verify_unchecked", lang) + "\n")[1].splitlines()
        assert unchecked == [
            *(f"  - {t(key, lang)}" for key in UNCHECKED),
            f"  - {t('verify_unchecked_hidden', lang, ballots='later')}",
        ]
    assert "  - the charter history, the audit log, the export time and version" in english
    assert "  - ballots whose results are not published: later" in english
    assert "  - 憲章の履歴、操作記録（監査ログ）、書き出しの日時と版" in japanese
    assert "  - 文章: 課題名・説明・カード・ビジョン・名前" in japanese
    assert japanese.index("うれしさマップ") < japanese.index("確かめていないもの")
    # a mismatch lists what is not checked too
    changed = copy.deepcopy(document)
    _rank(changed["summary"])
    assert "Not checked (the file does not hold what re-computes them):" in verify_document(
        changed
    ).report("en")


def test_withheld_categories_are_said_not_checked(empty_store: Store) -> None:
    scored_workshop(empty_store, {"resident": 5, "staff": 2})  # staff: fewer than 5
    document = exported(empty_store, "tsuru-dx")
    assert set(document["summary"]["scores"]["rater_groups"]) == {None}
    result = verify_document(document)
    assert result.matches and result.categories is None
    english = result.report("en")
    assert "rankings of" not in english
    assert (
        "  - the rankings by category: the raters' categories are not in the file, because a "
        "category has fewer raters than the privacy threshold"
    ) in english
    assert "  - 立場ごとの順位（人数がしきい値未満の立場があるため" in result.report("ja")


def test_a_raised_privacy_threshold_shows_in_the_rankings_by_category(
    document: dict[str, Any],
) -> None:
    changed = copy.deepcopy(document)
    changed["summary"]["privacy"]["min_group_size"] = 3
    fields = {d.field for d in verify_document(changed).differences}
    assert {"by_group.resident.suppressed", "by_group.staff.raters"} <= fields


# ── the demo workshop (24 participants), through the command ─────────────────────────────


@pytest.fixture(scope="module")
def demo_document(demo_summary: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(render_json(demo_summary))
    return loaded


def _theme(name: str) -> Tamper:
    def tamper(s: dict[str, Any]) -> set[tuple[str, str]]:
        top = s["themes"][0]  # the most dots: one more card or dot keeps the order
        top[name] += 1
        return {(top["key"], f"themes.{name}")}

    return tamper


def _map_cell(s: dict[str, Any]) -> set[tuple[str, str]]:
    shown = s["happiness_map"]
    shown["counts"][1][0] += 1
    cell = f"{shown['stakeholders'][1]}.{shown['themes'][0]}"
    return {("happiness_map", f"happiness_map.counts.{cell}")}


def _roadmap(s: dict[str, Any]) -> set[tuple[str, str]]:
    year = s["roadmap"][0]
    year["issues"].reverse()
    return {("roadmap", f"roadmap.{year['year']}")}


#: Figures the small workshop has none of (cards, a theme ballot, years): edited in the demo.
DEMO_TAMPERS: dict[str, Tamper] = {
    "themes.cards": _theme("cards"),
    "themes.dots": _theme("dots"),
    "happiness_map.counts": _map_cell,
    "roadmap": _roadmap,
}


@pytest.mark.parametrize("name", DEMO_TAMPERS, ids=str)
def test_each_demo_figure_edited_is_named(name: str, demo_document: dict[str, Any]) -> None:
    changed = copy.deepcopy(demo_document)
    expected = DEMO_TAMPERS[name](changed["summary"])
    assert verify_document(demo_document).matches
    result = verify_document(changed)
    assert {(d.key, d.field) for d in result.differences} == expected


def test_verify_matches_on_the_demo(demo_document: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(demo_document, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["verify", str(path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("matches: re-computed with charter v1")
    assert "  - the ranking of 12 issues: rank, score" in result.output
    japanese = CliRunner().invoke(main, ["verify", str(path)])
    assert japanese.exit_code == 0 and japanese.output.startswith("一致（matches）")
    assert "確かめていないもの" in japanese.output


@pytest.mark.parametrize("tamper", ["score_value", "published_rank", "weight"], ids=str)
def test_verify_finds_a_tampered_demo_file(
    tamper: str, demo_document: dict[str, Any], tmp_path: Path
) -> None:
    changed = copy.deepcopy(demo_document)
    summary = changed["summary"]
    first, second = summary["ranking"][0], summary["ranking"][1]
    if tamper == "score_value":  # one rater's score of the top issue drops to the minimum
        for score in summary["scores"]["rows"]:
            if score[1] == first["key"] and score[3] is not None:
                score[3] = 1.0
    elif tamper == "published_rank":  # swap the top two in the published table
        first["rank"], second["rank"] = second["rank"], first["rank"]
    else:
        weights = summary["charter"]["weights"]
        key = next(iter(weights))
        weights[key] += 0.1
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["verify", str(path), "--lang", "en"])
    assert result.exit_code == 1
    assert result.output.startswith("does not match:")
    assert f"  {first['key']}: " in result.output


def test_verify_without_a_charter_says_so(demo_document: dict[str, Any]) -> None:
    changed = copy.deepcopy(demo_document)
    changed["summary"]["charter"] = None
    result = verify_document(changed)
    assert not result.matches
    assert result.report("en") == (
        "The export has no locked method charter, so there is no ranking to verify."
    )


def test_the_command_names_an_edited_figure(tmp_path: Path) -> None:
    """The installed ``ureshii`` exports the file and verifies it, as a reader would."""
    store = tmp_path / "store.sqlite"
    with Store.open(store) as opened:
        build_workshop(opened)
    path = tmp_path / "backlog.json"

    def ureshii(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(URESHII), *map(str, args)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**os.environ, "URESHII_LANG": "en"},
            timeout=300,
            check=False,
        )

    done = ureshii("export", store, "--format", "json", "--out", path)
    assert done.returncode == 0, done.stderr
    assert ureshii("verify", path).returncode == 0
    document = json.loads(path.read_text(encoding="utf-8"))
    row(document["summary"], CHAT)["divides_group"] = False
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    english = ureshii("verify", path, "--lang", "en")
    assert english.returncode == 1
    assert english.stdout.splitlines()[:2] == [
        "does not match: the re-computed figures differ from the published ones (differences: 1):",
        "  chat: divides_group published False, re-computed True",
    ]
    assert "Not checked (the file does not hold what re-computes them):" in english.stdout
    japanese = ureshii("verify", path)  # the file's language
    assert japanese.returncode == 1
    assert "  chat: divides_group 公表 False、再計算 True" in japanese.stdout
