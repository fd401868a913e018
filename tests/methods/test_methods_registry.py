"""The method registry and the bilingual messages of the methods."""

from __future__ import annotations

import pytest

from toolkit import methods
from toolkit.i18n import catalog
from toolkit.methods import METHODS, MethodInputError, method_name

EXPECTED_METHODS = {
    "weighted_sum", "topsis", "borda", "schulze", "approval", "dot_votes", "quadratic",
    "equal_shares", "greedy_budget", "ahp", "moscow", "rice", "ice",
}  # fmt: skip


def test_every_method_has_a_function_and_a_name_in_both_languages() -> None:
    assert set(METHODS) == EXPECTED_METHODS
    for method_id, method in METHODS.items():
        assert method.id == method_id
        assert callable(getattr(methods, method.function))
        assert method.name("ja") != method.name("en")
        assert method.name("ja").strip() and method.name("en").strip()
        assert method_name(method_id, "ja") == method.name("ja")


def test_a_method_this_version_does_not_know_keeps_its_id() -> None:
    assert method_name("condorcet_someday", "ja") == "condorcet_someday"


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
