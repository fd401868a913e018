"""Ready-to-edit workshop files shipped in ``toolkit/workshop_templates/`` (``NAME.LANG.yaml``).

* ``dx-vision``: a staff DX vision workshop (stakeholders, criteria, methods, 12 issues);
* ``town-meeting``: residents vote on a shortlist (three ballots, printed codes);
* ``staff-survey``: a staff DX survey before and after a training, and a short survey after
  it (``surveys:``), with an indicator measured by a survey question.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, get_args

from toolkit.errors import InvalidInputError, WorkshopFileError
from toolkit.i18n import LANGUAGES
from toolkit.workshop_file.problems import join_values

TemplateName = Literal["dx-vision", "town-meeting", "staff-survey"]
TEMPLATES: tuple[str, ...] = get_args(TemplateName)
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "workshop_templates"


def template_path(template: str, lang: str) -> Path:
    """The shipped file of ``template`` in ``lang`` ("ja" or "en")."""
    if template not in TEMPLATES:
        raise InvalidInputError(
            "wf_unknown_template",
            value=repr(template),
            allowed=join_values(list(TEMPLATES), "en"),
        )
    if lang not in LANGUAGES:
        raise InvalidInputError(
            "wf_unknown_template",
            value=repr(f"{template}.{lang}"),
            allowed=join_values([f"{t}.{lg}" for t in TEMPLATES for lg in LANGUAGES], "en"),
        )
    return TEMPLATE_DIR / f"{template}.{lang}.yaml"


def write_template(
    path: str | os.PathLike[str],
    template: TemplateName,
    lang: Literal["ja", "en"],
    *,
    force: bool = False,
) -> Path:
    """Write the ``template`` workshop file in ``lang`` to ``path`` and return the path.

    Refuses (:class:`~toolkit.errors.WorkshopFileError`) to replace an existing file unless
    ``force``. Missing parent folders are created.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "w.yaml"
    >>> write_template(path, "dx-vision", "ja") == path
    True
    >>> write_template(path, "dx-vision", "ja")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    toolkit.errors.WorkshopFileError: .../w.yaml already exists. ... add --force to overwrite it.
    >>> write_template(path, "town-meeting", "ja", force=True) == path
    True
    """
    source = template_path(template, lang).read_bytes()
    target = Path(path)
    if target.parent != Path():
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        # "x" creates the file only if it does not exist, with no window between check and write.
        with target.open("wb" if force else "xb") as handle:
            handle.write(source)
    except FileExistsError:
        raise WorkshopFileError("wf_file_exists", file=os.fspath(path)) from None
    except IsADirectoryError:
        raise WorkshopFileError("wf_file_exists", file=os.fspath(path)) from None
    return target
