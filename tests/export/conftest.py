"""Fixtures for the export tests: the demo store (built once per session), small scored
workshops on both databases. The browser fixtures come from ``tests/conftest.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.workshop_data import small_workshop
from toolkit.demo import DemoResult, build_demo
from toolkit.store import Store
from toolkit.summary import summarize

SLUG = "tsuru-dx"
ANSWERS = {"madoguchi-konzatsu": (5, 3, 5), "sanres": (3, 5, 1), "chat": (2, 4, 1)}


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """The Japanese demo workshop (24 participants), built once; tests only read it."""
    return build_demo(tmp_path_factory.mktemp("demo"), lang="ja", seed=0)


@pytest.fixture(scope="session")
def demo_summary(demo: DemoResult) -> dict[str, Any]:
    with Store.open(demo.path) as store:
        return summarize(store, demo.slug)


def scored_workshop(
    store: Store, groups: dict[str, int], *, time_zone: str | None = None
) -> list[str]:
    """The small workshop with a locked charter and ``groups`` raters per category (and the
    workshop file's ``time_zone``, when given).

    Every rater gives the same scores (``ANSWERS``: resident, staff, cost per issue), so the
    ranking is sanres 0.75, madoguchi-konzatsu 0.65, chat 0.55. Returns the tokens.
    """
    spec = small_workshop(SLUG)
    if time_zone is not None:
        spec["time_zone"] = time_zone
    store.create_workshop(spec)
    tokens = [store.join(SLUG, category=g) for g, n in groups.items() for _ in range(n)]
    store.propose_charter(
        SLUG, method="weighted_sum", weights={"resident": 50, "staff": 30, "cost": 20}
    )
    for token in tokens:
        store.record_consent(SLUG, token, 5)
    store.lock_charter(SLUG)
    for token in tokens:
        store.record_scores(
            SLUG,
            token,
            {
                (issue, crit): value
                for issue, values in ANSWERS.items()
                for crit, value in zip(("resident", "staff", "cost"), values, strict=True)
            },
        )
    return tokens


def artifacts() -> Path:
    folder = Path(__file__).resolve().parents[2] / "test-artifacts"
    folder.mkdir(exist_ok=True)
    return folder
