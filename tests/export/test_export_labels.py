"""Every tie-break and ballot rule a workshop can agree on is named in both languages in the
exports (an unknown one would reach a council's spreadsheet as a raw id like
``lowest_cost``, the town-meeting template's own tie-break)."""

from __future__ import annotations

import pytest

from toolkit.ballots import BALLOT_RULES, rule_name
from toolkit.export._common import label
from toolkit.workshop_file import TIE_BREAKS


@pytest.mark.parametrize("tie_break", TIE_BREAKS)
def test_every_tie_break_has_a_name_in_ja_and_en(tie_break: str) -> None:
    ja, en = label(f"tie_{tie_break}", "ja"), label(f"tie_{tie_break}", "en")
    assert ja and en and ja != en


@pytest.mark.parametrize("rule", BALLOT_RULES)
def test_every_ballot_rule_has_a_name_in_ja_and_en(rule: str) -> None:
    ja, en = rule_name(rule, "ja"), rule_name(rule, "en")
    assert ja and en and ja != en
