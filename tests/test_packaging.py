"""Packaging promises: conda and pip install the same things; the engine stays UI-free."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_has_every_pyproject_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    wanted |= {_name(r) for r in project["optional-dependencies"]["test"] if "ureshii" not in r}
    wanted |= {"psycopg"}  # the `postgres` extra
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    listed: set[str] = set()
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            listed |= {_name(p) for p in entry["pip"] if not p.startswith("-")}
        else:
            listed.add(_name(entry))
    assert wanted - listed == set()


def test_engine_never_imports_a_ui_package() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "toolkit").rglob("*.py")
        if re.search(
            r"^\s*(import|from)\s+(ipywidgets|IPython)\b",
            path.read_text(encoding="utf-8"),
            re.MULTILINE,
        )
    ]
    assert offenders == []


def test_the_store_and_the_methods_know_the_same_methods() -> None:
    from toolkit.methods import METHODS
    from toolkit.store import METHOD_IDS

    assert set(METHOD_IDS) == set(METHODS)


def test_the_console_starts_without_pandas_scipy_or_pabutools() -> None:
    """Every console kernel imports these at start; pandas, scipy, pabutools and krippendorff
    would add seconds to each (they are imported by the code that uses them)."""
    import subprocess
    import sys

    code = (
        "import sys, toolkit.store, widgets.console;"
        "print(sorted(m for m in ('pandas', 'scipy', 'pabutools', 'krippendorff')"
        " if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_every_public_method_name_resolves_lazily() -> None:
    import importlib

    from toolkit import methods

    assert set(methods._LAZY) == set(methods.__all__)
    for name, module in methods._LAZY.items():
        assert getattr(methods, name) is getattr(importlib.import_module(module), name)
