"""A small workshop in the shape of a validated workshop file, for store tests."""

from __future__ import annotations

from typing import Any

from toolkit.store import Store

#: The options of the approval ballot that :func:`with_open_ballot` opens.
BALLOT_OPTIONS = ["madoguchi-konzatsu", "online-shinsei"]


def with_open_ballot(store: Store, slug: str = "tsuru-dx") -> Store:
    """``store`` holding :func:`small_workshop` with its approval ballot ``top`` open."""
    store.create_workshop(small_workshop(slug))
    store.create_ballot(slug, "top", "Top", rule="approval", options=BALLOT_OPTIONS)
    store.open_ballot(slug, "top")
    return store


def small_workshop(slug: str = "tsuru-dx") -> dict[str, Any]:
    return {
        "format": "ureshii-workshop/1",
        "id": slug,
        "title": "鶴見町 DX ビジョンワークショップ",
        "lang": "ja",
        "stakeholders": [
            {"id": "kosodate", "name": "子育て世帯", "category": "resident"},
            {"id": "madoguchi", "name": "窓口職員", "category": "staff"},
        ],
        "themes": [{"id": "matanai", "name": "待たずに済む"}],
        "criteria": [
            {
                "id": "resident",
                "name": "住民のうれしさ",
                "scale": {"min": 1, "max": 5, "anchors": {1: "低", 5: "高"}},
            },
            {"id": "staff", "name": "職員のうれしさ", "scale": {"min": 1, "max": 5, "anchors": {}}},
            {
                "id": "cost",
                "name": "コスト",
                "direction": "cost",
                "scale": {"min": 1, "max": 5, "anchors": {}},
            },
        ],
        "methods": [{"id": "weighted_sum"}, {"id": "dot_votes"}],
        "issues": [
            {
                "id": "madoguchi-konzatsu",
                "title": "窓口の混雑緩和",
                "themes": ["matanai"],
                "stakeholders": ["kosodate"],
                "current": 2,
                "ideal": 5,
                "cost": 3_000_000,
            },
            {
                "id": "sanres",
                "title": "3レス（ペーパーレス・FAXレス・はんこレス）",
                "cost": 1_000_000,
            },
            {"id": "chat", "title": "チャットツールの定着", "cost": 500_000},
        ],
        "town_meeting": {
            "results": "hidden_until_close",
            "ballots": [
                {
                    "id": "town",
                    "title": "どれを先にやる？",
                    "rule": "approval",
                    "options": ["madoguchi-konzatsu", "sanres", "chat"],
                },
            ],
        },
    }


#: Three raters' scores on the criterion "resident" (1–5) that tie issues in every way the
#: tie-breaks can tell apart: means 3 / 3.33 / 3, medians 4 / 3 / 3 (tests/test_tie_breaks.py).
TIED_SCORES = {"madoguchi-konzatsu": (1, 4, 4), "sanres": (3, 3, 4), "chat": (2, 3, 4)}


def tied_scores(store: Any, slug: str, tie_break: str) -> None:
    """:func:`small_workshop` with a locked charter (only "resident" weighed, the given
    ``tie_break``) and :data:`TIED_SCORES` from three raters."""
    store.create_workshop(small_workshop(slug))
    tokens = [store.join(slug) for _ in range(3)]
    store.propose_charter(
        slug,
        method="weighted_sum",
        weights={"resident": 100, "staff": 0, "cost": 0},
        tie_break=tie_break,
    )
    for token in tokens:
        store.record_consent(slug, token, 5)
    store.lock_charter(slug)
    for n, token in enumerate(tokens):
        store.record_scores(
            slug, token, {(issue, "resident"): values[n] for issue, values in TIED_SCORES.items()}
        )
