"""The examples in the methods' docstrings are run, so the documentation cannot drift."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "toolkit.methods._common",
    "toolkit.methods.agreement",
    "toolkit.methods.pairwise",
    "toolkit.methods.budgeting",
    "toolkit.methods.scoring",
    "toolkit.methods.voting",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
