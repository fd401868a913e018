"""`ureshii demo`: the demo store every later screen works on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from toolkit.demo import PARTICIPANTS, build_demo
from toolkit.store import Store
from toolkit.summary import summarize


@pytest.fixture(scope="module")
def demo_ja(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo"), lang="ja", seed=0).path


def test_demo_has_a_whole_morning_of_activity(demo_ja: Path) -> None:
    with Store.open(demo_ja) as store:
        [workshop] = store.workshops()
        counts = store.counts(workshop.slug)
        criteria, issues = store.criteria(workshop.slug), store.issues(workshop.slug)
        charter = store.locked_charter(workshop.slug)
        summary = summarize(store, workshop.slug)
    assert workshop.phase == "results" and workshop.lang == "ja"
    assert counts["participants"] == PARTICIPANTS == 24
    assert counts["cards"] == 2 * PARTICIPANTS
    assert len(issues) >= 10 and len(criteria) == 6
    assert counts["scores"] == PARTICIPANTS * len(issues) * len(criteria)
    assert charter is not None and charter.consent["responses"] == 24  # type: ignore[index]
    assert abs(sum(charter.weights.values()) - 1) < 1e-9
    assert summary["ranking"][0]["rank"] == 1
    assert len(summary["ranking"]) == len(issues)
    assert summary["vision"]["consent"]["responses"] == 24
    assert summary["themes"][0]["dots"] >= summary["themes"][-1]["dots"]
    assert sum(r["divides_group"] for r in summary["ranking"]) >= 1


def test_demo_is_the_same_for_the_same_seed(demo_ja: Path, tmp_path: Path) -> None:
    again = build_demo(tmp_path, lang="ja", seed=0).path
    other = build_demo(tmp_path / "other", lang="ja", seed=1).path
    with Store.open(demo_ja) as a, Store.open(again) as b, Store.open(other) as c:
        slug = a.workshops()[0].slug
        ranking = [r["key"] for r in summarize(a, slug)["ranking"]]
        assert ranking == [r["key"] for r in summarize(b, slug)["ranking"]]
        assert a.scores(slug)["score"].tolist() != c.scores(slug)["score"].tolist()


def test_demo_stores_no_personal_data(demo_ja: Path) -> None:
    with Store.open(demo_ja) as store:
        columns = {c["name"] for c in inspect(store.engine).get_columns("participants")}
    assert columns == {"id", "workshop_id", "token_hash", "channel", "category", "created_at"}


def test_ureshii_demo_no_serve_prints_the_store_path(tmp_path: Path) -> None:
    ureshii = Path(sys.executable).with_name("ureshii")
    done = subprocess.run(
        [str(ureshii), "demo", "--no-serve", "--lang", "en", "--data", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip().splitlines()[-1])
    assert path == (tmp_path / "d" / "demo-en.sqlite").resolve() and path.exists()
    assert "Building the demo workshop" in done.stderr
    with Store.open(path) as store:
        assert store.workshops()[0].lang == "en"


def test_ureshii_help_and_version() -> None:
    ureshii = Path(sys.executable).with_name("ureshii")
    shown = subprocess.run([str(ureshii), "--help"], capture_output=True, text=True, check=True)
    for command in ("init", "check", "demo", "serve"):
        assert command in shown.stdout
    version = subprocess.run(
        [str(ureshii), "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("ureshii, version ")
