"""Run an ``ureshii`` command that serves (``demo``, ``serve``) as a real process and read
what it prints, as a facilitator reads the terminal."""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.server.server_helpers import wait_until


@dataclass
class Printed:
    """A running command and the file its output (stdout and stderr) goes to."""

    process: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, pattern: str, *, what: str) -> re.Match[str]:
        """The first match of ``pattern`` in the output, once it is printed."""
        found: list[re.Match[str]] = []

        def printed() -> bool:
            match = re.search(pattern, self.text())
            if match:
                found.append(match)
                return True
            if self.process.poll() is not None:
                raise AssertionError(f"exited with {self.process.returncode}:\n{self.text()}")
            return False

        wait_until(printed, deadline_s=180, what=f"{what} ({self.log})")
        return found[0]


@contextmanager
def running(
    command: Sequence[str], log: Path, *, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Iterator[Printed]:
    """Start ``command`` (with exactly the environment ``env``, when given); stop it
    (SIGTERM, as Ctrl+C would) when the block ends."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(command),
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
        )
    try:
        yield Printed(process, log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
