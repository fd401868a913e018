"""Japanese and English messages for everything a person reads.

Messages live in YAML catalogs under ``toolkit/i18n/catalog/``, one file per area
(``errors.yaml``, ``workshop_file.yaml``, ``methods.yaml`` …). Each entry holds both
languages side by side, so a message cannot exist in one language only::

    charter_locked:
      en: "Method charter v{version} is locked; propose a new version with a reason."
      ja: "憲章 v{version} はロックされています。理由を添えて新しい版を提案してください。"

``t("charter_locked", "ja", version=2)`` formats one. A workshop may override any key
for its own wording (municipal terms differ from town to town) with
``t(key, lang, overrides={...})``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Literal

import yaml

Lang = Literal["ja", "en"]
LANGUAGES: tuple[Lang, ...] = ("ja", "en")
CATALOG_DIR = Path(__file__).parent / "catalog"


class CatalogError(RuntimeError):
    """A catalog file is malformed (a developer error, caught by the test suite)."""


@cache
def catalog() -> dict[str, dict[str, str]]:
    """All messages, ``{key: {"ja": ..., "en": ...}}``, merged from every catalog file."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(CATALOG_DIR.glob("*.yaml")):
        # libyaml's loader when installed: ~7x faster, and every app reads the catalogs at start
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        entries = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
        for key, texts in entries.items():
            if key in merged:
                raise CatalogError(f"{path.name}: message key {key!r} is defined twice")
            if not isinstance(texts, dict) or set(texts) != set(LANGUAGES):
                raise CatalogError(f"{path.name}: {key!r} must have exactly 'ja' and 'en'")
            merged[key] = {lang: str(texts[lang]) for lang in LANGUAGES}
    return merged


def default_language() -> Lang:
    """The language for messages when none is given: ``URESHII_LANG``, else the locale."""
    for var in ("URESHII_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


def normalize_language(lang: str | None) -> Lang:
    """Map ``None``/``"ja_JP.UTF-8"``/``"EN"`` to ``"ja"`` or ``"en"``."""
    if lang is None:
        return default_language()
    return "ja" if lang.lower().startswith("ja") else "en"


def t(
    key: str,
    lang: str | None = None,
    /,
    *,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
    **params: object,
) -> str:
    """Format message ``key`` in ``lang`` ("ja" or "en") with ``params``.

    >>> t("error_prefix", "en")
    'Error'
    """
    language = normalize_language(lang)
    if overrides and key in overrides and language in overrides[key]:
        template = overrides[key][language]
    else:
        try:
            template = catalog()[key][language]
        except KeyError:
            raise CatalogError(f"unknown message key {key!r}") from None
    return template.format(**params) if params else template


def both(key: str, /, **params: object) -> dict[str, str]:
    """The message in every language, ``{"ja": ..., "en": ...}``."""
    texts = catalog().get(key)
    if texts is None:
        raise CatalogError(f"unknown message key {key!r}")
    return {lang: texts[lang].format(**params) if params else texts[lang] for lang in LANGUAGES}
