"""The files the code reads at run time ship in the wheel, under the names the code uses.

The phone pages' Jinja templates, Voilà's page template, the starter workshop files, the
published JSON Schemas and the message catalogs are read by path, so a folder renamed without
its ``[tool.setuptools.package-data]`` glob would work from a checkout and fail once installed.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DATA: dict[str, list[str]] = tomllib.loads(
    (ROOT / "pyproject.toml").read_text(encoding="utf-8")
)["tool"]["setuptools"]["package-data"]


def _data_files(package: str) -> set[Path]:
    """Every file of ``package`` that is not Python source or a byte-code cache."""
    return {
        path.relative_to(ROOT / package)
        for path in (ROOT / package).rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    }


def _globbed(package: str) -> dict[str, set[Path]]:
    return {
        pattern: {
            path.relative_to(ROOT / package)
            for path in (ROOT / package).glob(pattern)
            if path.is_file() and "__pycache__" not in path.parts
        }
        for pattern in PACKAGE_DATA.get(package, [])
    }


@pytest.mark.parametrize("package", ["toolkit", "widgets"])
def test_every_data_file_is_packaged(package: str) -> None:
    shipped = set().union(*_globbed(package).values())
    assert sorted(map(str, _data_files(package) - shipped)) == []


@pytest.mark.parametrize("package", sorted(PACKAGE_DATA))
def test_every_package_data_glob_names_files_that_exist(package: str) -> None:
    """A glob left behind by a rename matches nothing: setuptools would ship nothing, silently."""
    assert [pattern for pattern, found in _globbed(package).items() if not found] == []


def test_the_folders_read_by_path_are_the_packaged_ones() -> None:
    from toolkit.export.json_export import SCHEMA_PATH as EXPORT_SCHEMA
    from toolkit.server.app import VOILA_TEMPLATE_DIR
    from toolkit.server.participant.pages import PAGE_TEMPLATES
    from toolkit.workshop_file import SCHEMA_PATH as WORKSHOP_SCHEMA
    from toolkit.workshop_file import TEMPLATES, template_path

    shipped = set().union(*_globbed("toolkit").values())
    read = [EXPORT_SCHEMA, WORKSHOP_SCHEMA]
    read += [template_path(name, lang) for name in TEMPLATES for lang in ("ja", "en")]
    read += [VOILA_TEMPLATE_DIR / "index.html.j2", PAGE_TEMPLATES / "base.html"]
    assert [str(path) for path in read if path.relative_to(ROOT / "toolkit") not in shipped] == []
