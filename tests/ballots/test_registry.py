"""The ballot-rule registry is the one place a rule is declared: every rule has its words in
both languages, and quadratic voting (added through the registry and its catalog entries
alone) works from a workshop file through the store to the tally on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.ballots import BALLOT_RULES, SETTING_NAMES, rule_name, tally
from toolkit.errors import InvalidInputError
from toolkit.i18n import catalog
from toolkit.store import Store
from toolkit.workshop_file.models import BALLOT_RULES as FILE_RULES
from toolkit.workshop_file.models import BallotSpec

QUADRATIC_FILE = """\
format: ureshii-workshop/1
id: qv-town
title: 二次投票のタウンミーティング
lang: ja
stakeholders:
  - id: jumin
    name: 住民
    category: resident
criteria:
  - id: joy
    name: 住民のうれしさ
    scale:
      anchors: {1: 変わらない, 5: とてもうれしい}
    weight: 1
methods:
  - id: weighted_sum
issues:
  - id: madoguchi
    title: 窓口の混雑緩和
  - id: kenshin
    title: 市民健診の日程変更受付業務の最適化
  - id: nippo
    title: 公用車運転日報の電子化
town_meeting:
  identity: device
  results: live
  ballots:
    - id: qv
      title: どれにどれだけ票を入れますか？
      rule: quadratic
      credits: 9
      options: [madoguchi, kenshin, nippo]
"""


@pytest.mark.parametrize("rule", BALLOT_RULES, ids=list(BALLOT_RULES))
def test_every_rule_has_its_words_in_both_languages(rule: str) -> None:
    for prefix in ("ballot_rule_", "ballot_hint_", "ballot_paper_"):
        texts = catalog()[prefix + rule]
        assert texts["ja"].strip() and texts["en"].strip() and texts["ja"] != texts["en"]
    counter = BALLOT_RULES[rule].counter
    if counter is not None:
        assert f"ballot_counter_{counter}" in catalog()
        assert "{left}" in catalog()[f"ballot_counter_left_{counter}"]["ja"]
    hint = BALLOT_RULES[rule].hint("ja", {"dots": 3, "credits": 9, "budget": 1_000}, 4)
    assert "{" not in hint, "every number the hint names is given"


@pytest.mark.parametrize("setting", SETTING_NAMES)
def test_every_setting_is_explained_and_is_a_workshop_file_field(setting: str) -> None:
    texts = catalog()[f"ballot_setting_{setting}"]
    assert texts["ja"] != texts["en"]
    assert setting in BallotSpec.model_fields


def test_the_workshop_file_takes_exactly_the_registered_rules() -> None:
    assert tuple(BALLOT_RULES) == FILE_RULES
    assert rule_name("quadratic", "ja") == "二次投票（クアドラティック・ボーティング）"
    assert rule_name("no_such_rule", "ja") == "no_such_rule"


def test_quadratic_voting_from_the_file_to_the_tally(tmp_path: Path, empty_store: Store) -> None:
    path = tmp_path / "qv.yaml"
    path.write_text(QUADRATIC_FILE, encoding="utf-8")
    workshop = empty_store.load_workshop_file(path)
    ballot = empty_store.ballot(workshop.slug, "qv")
    assert (ballot.rule, ballot.settings) == ("quadratic", {"credits": 9})
    empty_store.open_ballot(workshop.slug, "qv")

    votes = [
        {"madoguchi": 3},  # 9 credits on one issue: 3 votes
        {"madoguchi": 1, "kenshin": 2, "nippo": 2},  # 1 + 4 + 4 = 9
        {"nippo": 2, "kenshin": 0},  # 4 credits; a 0 is no vote
    ]
    for vote in votes:
        empty_store.cast_vote(workshop.slug, "qv", empty_store.join(workshop.slug), vote)
    refused = empty_store.join(workshop.slug)
    with pytest.raises(InvalidInputError, match=r"cost 10 credits .* you have 9") as error:
        empty_store.cast_vote(workshop.slug, "qv", refused, {"madoguchi": 3, "kenshin": 1})
    assert "クレジットを 10 使います" in error.value.message("ja")

    stored = [v.payload for v in empty_store.votes(workshop.slug, "qv")]
    assert sorted(sorted(v.items()) for v in stored) == sorted(
        sorted(v.items())
        for v in ({"madoguchi": 3}, {"kenshin": 2, "madoguchi": 1, "nippo": 2}, {"nippo": 2})
    )
    counted = tally("quadratic", ballot.options, ballot.settings, stored)
    assert counted == {
        "order": ["madoguchi", "nippo", "kenshin"],  # 4 votes, 4 (ballot order), 2
        "points": {"madoguchi": 4.0, "kenshin": 2.0, "nippo": 4.0},
    }
