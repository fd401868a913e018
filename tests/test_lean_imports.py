"""The server, the CLI and the app kernels start without compiling rfc3987-syntax's
grammars (``toolkit.lean_imports``), and jsonschema still checks every other format."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHECK = """
import sys
{imports}
import jsonschema
assert sys.modules.get("rfc3987_syntax") is None, sys.modules.get("rfc3987_syntax")
checker = jsonschema.Draft7Validator.FORMAT_CHECKER
assert not checker.conforms("2026-13-01", "date"), "date is still checked"
assert checker.conforms("2026-12-01", "date")
assert not checker.conforms("not an address", "ipv4"), "ipv4 is still checked"
print("ok")
"""


@pytest.mark.parametrize(
    "imports",
    [
        "import toolkit.server.app",  # what `ureshii serve` runs in
        "import toolkit.cli",  # every other command
        "import widgets, altair",  # an app kernel: widgets first, then the charts
    ],
)
def test_a_process_starts_without_rfc3987_syntax(imports: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK.format(imports=imports)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_rfc3987_syntax_is_installed_so_the_skip_matters() -> None:
    """jupyter-events brings it in (jsonschema[format-nongpl]); without it the test above
    would pass for another reason."""
    from importlib.metadata import version

    assert version("rfc3987-syntax")
