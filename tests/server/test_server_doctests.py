"""The examples in the server, chart and widget docstrings run and stay true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "toolkit.charts",
    "toolkit.server.access",
    "toolkit.server.app",
    "toolkit.cli.serve_commands",
    "widgets.heading",
    "widgets.context",
    "toolkit.times",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
