"""One base class for every error a person may see, with its message in ja and en.

Each kind of failure has its own class (STYLE.md §3). A raise names a catalog key and the
parameters; the message is built before raising, in both languages::

    raise DuplicateVoteError("duplicate_vote", ballot="b1")

``str(err)`` is the message in the process language (``URESHII_LANG`` or the locale);
``err.message("ja")`` and ``err.messages`` give a specific one.
"""

from __future__ import annotations

from typing import Any

from toolkit.i18n import Lang, both, normalize_language


class UreshiiError(Exception):
    """Base class of every error raised by the toolkit on purpose."""

    def __init__(self, message_key: str, /, **params: Any) -> None:
        self.key = message_key
        self.params = params
        self.messages: dict[str, str] = both(message_key, **params)
        super().__init__(self.messages[normalize_language(None)])

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its key and parameters (a writer process sends errors back).
        return (_rebuild, (type(self), self.key, self.params))

    def message(self, lang: str | None = None) -> str:
        """The message in ``lang`` ("ja" or "en"; default: the process language)."""
        language: Lang = normalize_language(lang)
        return self.messages[language]

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe description for APIs: the error class, key and both messages."""
        return {"error": type(self).__name__, "key": self.key, "message": self.messages}


def _rebuild(cls: type[UreshiiError], key: str, params: dict[str, Any]) -> UreshiiError:
    return cls(key, **params)


class WorkshopFileError(UreshiiError):
    """A workshop file cannot be read or does not validate."""


class StoreError(UreshiiError):
    """The store cannot be opened, migrated or written."""


class NotFoundError(UreshiiError, LookupError):
    """A workshop, issue, ballot … named by the caller does not exist."""


class InvalidInputError(UreshiiError, ValueError):
    """A value given by a person or a caller is not allowed (says what is allowed)."""


class AlreadyAnsweredError(InvalidInputError):
    """This participant already answered (a consent check answers once per round)."""


class MethodLockedError(UreshiiError):
    """The method charter is locked: a change must be a new version with a reason."""


class CharterNotLockedError(UreshiiError):
    """Scoring was attempted before the method charter that governs it was locked."""


class DuplicateVoteError(UreshiiError):
    """This participant already voted on this ballot (one person, one vote)."""


class NotEligibleError(UreshiiError):
    """This participant may not vote on this ballot (e.g. it takes printed codes only)."""


class BallotClosedError(UreshiiError):
    """The ballot is not open for votes."""


class ConsentBlockedError(UreshiiError):
    """The charter cannot be locked: someone blocked it in the consent check."""
