from __future__ import annotations

import string

import pytest

from toolkit.errors import DuplicateVoteError, UreshiiError
from toolkit.i18n import LANGUAGES, catalog, normalize_language, t


def test_every_message_exists_in_both_languages_with_the_same_placeholders() -> None:
    fmt = string.Formatter()
    for key, texts in catalog().items():
        fields = {lang: {f for _, f, _, _ in fmt.parse(texts[lang]) if f} for lang in LANGUAGES}
        assert fields["ja"] == fields["en"], key
        assert texts["ja"].strip() and texts["en"].strip(), key


def test_japanese_and_english_differ_for_prose() -> None:
    assert t("error_prefix", "ja") == "エラー"
    assert t("error_prefix", "en") == "Error"


@pytest.mark.parametrize(
    ("given", "expected"),
    [("ja_JP.UTF-8", "ja"), ("EN", "en"), ("en_US", "en"), ("ja", "ja")],
    ids=["locale-ja", "upper-en", "locale-en", "plain-ja"],
)
def test_normalize_language(given: str, expected: str) -> None:
    assert normalize_language(given) == expected


def test_workshop_overrides_replace_wording() -> None:
    overrides = {"error_prefix": {"ja": "お知らせ"}}
    assert t("error_prefix", "ja", overrides=overrides) == "お知らせ"
    assert t("error_prefix", "en", overrides=overrides) == "Error"


def test_errors_carry_both_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    err = DuplicateVoteError("duplicate_vote", ballot="town-1")
    assert isinstance(err, UreshiiError)
    assert "town-1" in err.message("en") and "town-1" in err.message("ja")
    assert err.message("ja") != err.message("en")
    monkeypatch.setenv("URESHII_LANG", "ja")
    assert str(DuplicateVoteError("duplicate_vote", ballot="x")).startswith("この")
