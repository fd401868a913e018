"""The rule registry and the bilingual messages of the methods."""

from __future__ import annotations

import pytest

from toolkit import methods
from toolkit.i18n import catalog
from toolkit.methods import RULES, MethodInputError

EXPECTED_RULES = {
    "weighted_sum", "topsis", "borda", "schulze", "approval", "dot_votes", "quadratic",
    "equal_shares", "greedy_budget", "ahp", "moscow", "rice", "ice",
}  # fmt: skip


def test_every_rule_has_a_function_and_a_name_in_both_languages() -> None:
    assert set(RULES) == EXPECTED_RULES
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id
        assert callable(getattr(methods, rule.function))
        assert rule.name("ja") != rule.name("en")
        assert rule.name("ja").strip() and rule.name("en").strip()


def test_every_methods_message_is_in_both_languages() -> None:
    keys = [k for k in catalog() if k.startswith("methods_")]
    assert len(keys) > 50
    for key in keys:
        assert catalog()[key]["ja"] != catalog()[key]["en"], key


def test_error_message_in_japanese_names_argument_and_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("URESHII_LANG", "ja")
    with pytest.raises(MethodInputError) as info:
        methods.dot_votes([{"A": 4}], dots_per_person=3)
    text = str(info.value)
    assert "シール" in text and "4" in text and "3" in text
    assert "placed 4 dots" in info.value.message("en")
    assert info.value.to_json()["key"] == "methods_dots_over_allowance"
