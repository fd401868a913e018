"""Build step that puts the Voilà apps inside the wheel (everything else is in pyproject.toml).

The apps are the notebooks of ``workshops/``, which stays their only copy in the repository.
When a wheel (or an sdist's wheel) is built, ``build_py`` copies them into the package as
``toolkit/apps/*.ipynb``; at run time ``toolkit.server.app.shipped_workshops()`` finds them
there through ``importlib.resources``.

Why a copy at build time rather than the alternatives:

- mapping ``workshops/`` as a package (``package-dir``) would ship its ``conftest.py`` and
  needs an ``__init__.py`` in a folder of notebooks;
- a committed ``toolkit/apps`` symlink breaks on Windows checkouts and makes pytest, mypy and
  ruff see every notebook twice;
- a ``package-data`` glob cannot reach outside the package folder.

An editable install (``pip install -e .``) and a source checkout copy nothing: there
``shipped_workshops()`` falls back to the repository's ``workshops/`` folder, so an edited
notebook is served as it is. ``MANIFEST.in`` puts ``workshops/`` in the sdist.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
APPS_SOURCE = HERE / "workshops"
APPS_PACKAGE_DIR = ("toolkit", "apps")  # keep in step with toolkit.server.app.PACKAGED_APPS


class BuildPyWithApps(build_py):
    """``build_py`` that also copies ``workshops/*.ipynb`` to ``toolkit/apps/``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # served from workshops/ itself
        notebooks = sorted(APPS_SOURCE.glob("*.ipynb"))
        if not notebooks:
            raise SystemExit(f"no notebooks in {APPS_SOURCE}: the wheel would have no apps")
        target = Path(self.build_lib).joinpath(*APPS_PACKAGE_DIR)
        self.mkpath(str(target))
        for notebook in notebooks:
            self.copy_file(str(notebook), str(target / notebook.name))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs: list[str] = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            target = Path(self.build_lib).joinpath(*APPS_PACKAGE_DIR)
            outputs += [str(target / path.name) for path in sorted(APPS_SOURCE.glob("*.ipynb"))]
        return outputs


setup(cmdclass={"build_py": BuildPyWithApps})
