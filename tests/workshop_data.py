"""A small workshop in the shape of a validated workshop file, for store tests."""

from __future__ import annotations

from typing import Any


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
