"""Every ``ureshii`` command and every one of its options is described in the user docs.

The commands are read from the real parser: the ``ureshii`` console script's entry point
(``[project.scripts]``), walked through every group and subcommand, so a new command or
option cannot ship without its words in the docs, whichever module registers it.

Where a command is documented: each command's options are described with the topic they
belong to (``docs/exports.md`` for ``export``, ``docs/codes-and-backup.md`` for ``codes``…),
so the pages of ``docs/`` that name the command (``ureshii codes``) are its documentation;
a command no page of ``docs/`` names is documented in ``README.md``, as is ``ureshii``
itself (``--version``, and ``--help``, which every command answers the same way).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))


def _entry_point() -> click.Command:
    (script,) = entry_points(group="console_scripts", name="ureshii")
    command = script.load()
    assert isinstance(command, click.Command), f"ureshii is {command!r}, not a click command"
    return command


def _walk(command: click.Command, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _walk(sub, (*path, name))


def _command(path: tuple[str, ...]) -> click.Command:
    command = _entry_point()
    for name in path[1:]:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def _option_strings(path: tuple[str, ...]) -> list[str]:
    """Every spelling of every option (``-o`` and ``--out``; ``--x/--no-x``)."""
    command = _command(path)
    strings = [
        text
        for param in command.params
        if isinstance(param, click.Option)
        for text in (*param.opts, *param.secondary_opts)
    ]
    # click adds the same -h/--help to every command: it is documented once, with ureshii.
    if len(path) == 1:
        context = click.Context(command, info_name=path[0], **command.context_settings)
        help_option = command.get_help_option(context)
        assert help_option is not None
        strings += help_option.opts
    return strings


def _mentions(text: str, words: str) -> bool:
    """``words`` stand on their own in ``text`` (``--out`` is not ``--output``)."""
    return re.search(r"(?<![\w-])" + re.escape(words) + r"(?![\w-])", text) is not None


def _documentation(path: tuple[str, ...]) -> list[Path]:
    name = " ".join(path)
    if len(path) == 1:
        return [README]
    pages = [page for page in DOCS if _mentions(page.read_text(encoding="utf-8"), name)]
    if pages:
        return pages
    return [README] if _mentions(README.read_text(encoding="utf-8"), name) else []


COMMANDS = list(_walk(_entry_point(), ("ureshii",)))


def test_the_walk_sees_the_whole_command_line() -> None:
    """The walk reaches the subcommands and their options (the tests below are not empty)."""
    names = {" ".join(path) for path in COMMANDS}
    assert {"ureshii", "ureshii serve", "ureshii export", "ureshii backup"} <= names
    assert "--cull-idle-timeout" in _option_strings(("ureshii", "serve"))
    assert {"-o", "--out"} <= set(_option_strings(("ureshii", "codes")))
    assert {"--version", "--help", "-h"} <= set(_option_strings(("ureshii",)))


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(path) for path in COMMANDS])
def test_every_command_and_option_is_documented(path: tuple[str, ...]) -> None:
    pages = _documentation(path)
    name = " ".join(path)
    assert pages, f"`{name}` appears nowhere in README.md or docs/*.md"
    text = "\n".join(page.read_text(encoding="utf-8") for page in pages)
    missing = [option for option in _option_strings(path) if not _mentions(text, option)]
    where = ", ".join(str(page.relative_to(ROOT)) for page in pages)
    assert missing == [], f"`{name}` options not described in {where}: {missing}"
