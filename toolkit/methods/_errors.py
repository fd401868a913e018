"""The one error class of the prioritisation methods."""

from __future__ import annotations

from typing import Any

import numpy as np

from toolkit.errors import UreshiiError


class MethodInputError(UreshiiError, ValueError):
    """An argument given to a prioritisation method is not allowed.

    The message (ja and en, from ``toolkit/i18n/catalog/methods.yaml``) names the argument,
    the value that was given and what is allowed.
    """


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers, so a message shows 3.0, not np.float64(3.0)."""
    return value.item() if isinstance(value, np.generic) else value


def input_error(key: str, **params: Any) -> MethodInputError:
    """Build a :class:`MethodInputError` for catalog ``key`` (the caller raises it)."""
    return MethodInputError(key, **{name: _plain(value) for name, value in params.items()})
