"""Consent by fist of five: one scale, with the same words and order on every screen.

A group consents to a vision draft and to a method charter by the same scale: each person
shows 0 to 5 fingers. The words of each level come from the catalog (``consent_level_N``)
and are the only ones any screen, phone page or export uses; the levels are always listed
from full support (5) down to a block (0). One block (0) stops a charter's lock
(:meth:`toolkit.store.Store.lock_charter`).

>>> [label(n, "en") for n in (5, 0)]
['5 — Full support: I will help make it work', '0 — Block: I cannot go ahead with this']
>>> tally([3, 5, 0, 3]).blocks, tally([3, 5, 0, 3]).counts[3]
(1, 2)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from toolkit.i18n import t

LEVELS: tuple[int, ...] = (5, 4, 3, 2, 1, 0)
"""The levels in the order every screen lists them: full support first, a block last."""
BLOCK = 0
"""The level that blocks: "I cannot go ahead with this"."""


def label(level: int, lang: str | None = None) -> str:
    """``"3 — I can live with it"``: the level's number and its words."""
    return f"{level} — {words(level, lang)}"


def words(level: int, lang: str | None = None) -> str:
    """The level's words alone (``"I can live with it"``)."""
    if level not in LEVELS:
        raise ValueError(f"not a fist-of-five level: {level!r}")
    return t(f"consent_level_{level}", lang)


def scale_hint(lang: str | None = None) -> str:
    """One line that says what the scale means, shown above the levels."""
    return t("consent_scale_hint", lang)


def choices(lang: str | None = None) -> list[tuple[str, int]]:
    """``(label, level)`` pairs in :data:`LEVELS` order, for a form's options."""
    return [(label(level, lang), level) for level in LEVELS]


@dataclass(frozen=True)
class ConsentTally:
    """How many people showed each level."""

    counts: dict[int, int]
    """Level → people, every level of :data:`LEVELS` present."""

    @property
    def responses(self) -> int:
        return sum(self.counts.values())

    @property
    def blocks(self) -> int:
        return self.counts[BLOCK]

    def as_record(self) -> dict[str, object]:
        """``{"responses", "blocks", "levels": {"5": n, …, "0": n}}``: the form stored in a
        locked charter and written to exports (keys are strings, as in JSON)."""
        return {
            "responses": self.responses,
            "blocks": self.blocks,
            "levels": {str(level): self.counts[level] for level in LEVELS},
        }


def tally(levels: Iterable[int]) -> ConsentTally:
    """Count the answers ``levels`` (each 0–5)."""
    counts = dict.fromkeys(LEVELS, 0)
    for level in levels:
        if level not in counts:
            raise ValueError(f"not a fist-of-five level: {level!r}")
        counts[level] += 1
    return ConsentTally(counts)


def tally_from_record(record: Mapping[str, object] | None) -> ConsentTally:
    """The tally of a stored record (``{"levels": {"5": 2, …}}``, see :meth:`as_record`)."""
    levels = (record or {}).get("levels") or {}
    counts = dict.fromkeys(LEVELS, 0)
    if isinstance(levels, Mapping):
        for key, value in levels.items():
            if str(key).isdigit() and int(key) in counts and isinstance(value, int | float):
                counts[int(key)] = int(value)
    return ConsentTally(counts)


def summary(
    levels: ConsentTally | Iterable[int], lang: str | None = None, *, spread: bool = True
) -> str:
    """One line for a screen or an export, levels from 5 down to 0:
    ``"4 answers, 1 block (5: 1 · 4: 0 · 3: 2 · 2: 0 · 1: 0 · 0: 1)"``. Without ``spread``
    (a screen that charts the levels beside it): ``"4 answers, 1 block"``."""
    counted = levels if isinstance(levels, ConsentTally) else tally(levels)
    if not spread:
        return t("consent_headline", lang, responses=counted.responses, blocks=counted.blocks)
    spread_text = " · ".join(f"{level}: {counted.counts[level]}" for level in LEVELS)
    return t(
        "consent_summary",
        lang,
        responses=counted.responses,
        blocks=counted.blocks,
        levels=spread_text,
    )
