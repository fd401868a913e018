"""What the survey widgets share: a survey's and a wave's words, the phone link."""

from __future__ import annotations

from toolkit.i18n import t
from toolkit.model import Survey
from toolkit.surveys.definition import local

#: Where phones answer a survey, under the server's origin (``toolkit.server``).
PHONE_PATH = "/p/{slug}/surveys/{key}"


def survey_title(survey: Survey, lang: str) -> str:
    """The survey's title in ``lang`` (its other language when it has only one)."""
    return local(survey.definition.title, lang)


def wave_title(survey: Survey, wave: str, lang: str) -> str:
    """A wave's title in ``lang`` (its key when the definition no longer names it)."""
    try:
        return local(survey.definition.wave(wave).title, lang)
    except KeyError:
        return wave


def state_text(status: str, lang: str) -> str:
    """``draft`` / ``open`` / ``closed`` as a person reads it."""
    return t(f"surveys_state_{status}", lang)


def phone_path(slug: str, key: str) -> str:
    """The path of the survey's phone page.

    >>> phone_path("tsuru-dx", "staff-dx")
    '/p/tsuru-dx/surveys/staff-dx'
    """
    return PHONE_PATH.format(slug=slug, key=key)
