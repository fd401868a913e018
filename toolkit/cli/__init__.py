"""The ``ureshii`` command. Each area registers its commands from its own module."""

from __future__ import annotations

import click

from toolkit import __version__
from toolkit.lean_imports import skip_unused_imports

skip_unused_imports()  # every command (serve, check, export) may load jsonschema


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ureshii")
def main() -> None:
    """Ureshii (うれしい): run municipal vision-and-priority workshops.

    \b
    ureshii init FILE --template dx-vision --lang ja   write a workshop file
    ureshii check FILE                                  validate a workshop file
    ureshii demo                                        build and open the demo workshop
    """


def _register() -> None:
    # Imported here so that `ureshii --help` stays quick and each module owns its commands.
    from toolkit.cli import (
        backup_commands,
        codes_commands,
        cycle_commands,
        demo_commands,
        export_commands,
        print_commands,
        serve_commands,
        workshop_file_commands,
    )

    workshop_file_commands.register(main)
    demo_commands.register(main)
    serve_commands.register(main)
    export_commands.register(main)
    codes_commands.register(main)
    print_commands.register(main)
    backup_commands.register(main)
    cycle_commands.register(main)


_register()
