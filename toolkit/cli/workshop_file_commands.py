"""`ureshii init` and `ureshii check` (owned by the workshop-file module).

Exit codes: 0 the file is good (or was written), 1 problems (listed on stdout, one per line,
then a summary line), 2 a usage error (click's).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from toolkit.i18n import LANGUAGES, default_language, t

_LANG_HELP = "Language of the messages (ja/en). Default: the workshop's lang, else URESHII_LANG."


def register(group: click.Group) -> None:
    """Add this module's commands to the ``ureshii`` group."""
    group.add_command(init_command)
    group.add_command(check_command)


@click.command("init")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--template",
    type=click.Choice(["dx-vision", "town-meeting", "staff-survey"]),
    default="dx-vision",
    show_default=True,
    help=(
        "dx-vision: staff DX vision workshop; town-meeting: residents vote on a shortlist; "
        "staff-survey: staff DX survey before and after a training."
    ),
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Language of the workshop file and of the messages. Default: URESHII_LANG or the locale.",
)
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def init_command(file: Path, template: str, lang: str | None, force: bool) -> None:
    """Write a ready-to-edit workshop file FILE from a template.

    \b
    ureshii init w.yaml --template dx-vision --lang ja
    """
    from toolkit.errors import WorkshopFileError
    from toolkit.workshop_file import write_template

    language = lang or default_language()
    try:
        write_template(file, template, language, force=force)  # type: ignore[arg-type]
    except WorkshopFileError as error:
        click.echo(error.message(language), err=True)
        sys.exit(1)
    click.echo(t("wf_template_written", language, file=file, template=template, lang=language))


@click.command("check")
@click.argument(
    "files", metavar="FILE...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@click.option("--lang", type=click.Choice(LANGUAGES), default=None, help=_LANG_HELP)
def check_command(files: tuple[Path, ...], lang: str | None) -> None:
    """Check workshop files; print every problem as FILE:LINE: field.path: message.

    Exits 0 when every file is good, 1 when any has problems.
    """
    from toolkit.workshop_file import inspect_workshop_file

    failed = False
    for file in files:
        checked = inspect_workshop_file(file, lang)
        language = checked.lang or default_language()
        for problem in checked.problems:
            click.echo(problem.format(language))
        if checked.spec is None:
            failed = True
            click.echo(
                t("wf_check_failed", language, file=checked.file, count=checked.problem_count)
            )
        else:
            spec = checked.spec
            click.echo(
                t(
                    "wf_check_ok",
                    language,
                    file=checked.file,
                    issues=len(spec.issues),
                    criteria=len(spec.criteria),
                    methods=len(spec.methods),
                )
            )
    sys.exit(1 if failed else 0)
