"""Times as people read them: in the workshop's time zone, with the zone and its offset.

The store keeps every time in UTC (SQLite hands it back without a zone). A person reads it in
the workshop's time zone, and the zone is always written next to it, so a server that runs on
UTC (a cloud machine, a container) never shows a time that looks local but is not::

    >>> from datetime import datetime, UTC
    >>> format_time(datetime(2026, 3, 1, 5, 5, tzinfo=UTC), "en", zone=time_zone("Asia/Tokyo"))
    '2026-03-01 14:05 (JST, UTC+9)'

The zone is the workshop file's ``time_zone`` (an IANA name such as ``Asia/Tokyo`` or
``Europe/Berlin``); a file without one uses the setting ``URESHII_TIME_ZONE``, and without
that ``Asia/Tokyo``, where Ureshii's workshops take place. Exports write the same zone: ISO
8601 with its offset in JSON and CSV (``2026-03-01T14:05:00+09:00``), a date cell with the
zone in its number format in XLSX, the words above in Markdown and HTML.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from toolkit.errors import InvalidInputError
from toolkit.i18n import normalize_language, t

ENV_TIME_ZONE = "URESHII_TIME_ZONE"
"""The workshop's time zone, an IANA name (``Asia/Tokyo``); see :func:`workshop_time_zone`."""
JAPAN_TIME_ZONE = "Asia/Tokyo"
"""The zone of a Japanese workshop when ``URESHII_TIME_ZONE`` is not set."""

# Japan has kept +9 without daylight saving since 1951: the zone is exact even on a machine
# without the IANA database (a slim container without tzdata).
_JAPAN_FIXED = timezone(timedelta(hours=9), "JST")


def time_zone(name: str, *, setting: str = ENV_TIME_ZONE) -> tzinfo:
    """The time zone called ``name`` (IANA, e.g. ``Asia/Tokyo``; ``UTC``). ``setting`` names
    where the name was written, for the error an unknown name raises.

    >>> time_zone("UTC").utcoffset(None)
    datetime.timedelta(0)
    """
    cleaned = name.strip()
    if cleaned.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        if cleaned == JAPAN_TIME_ZONE:
            return _JAPAN_FIXED
        raise InvalidInputError("time_zone_unknown", name=name, setting=setting) from None


def workshop_time_zone(configured: str | None = None) -> tzinfo:
    """The zone a workshop's times are shown in: ``configured`` (the workshop file's
    ``time_zone``) if given, else the setting ``URESHII_TIME_ZONE``, else ``Asia/Tokyo``.
    An unknown name is an :class:`~toolkit.errors.InvalidInputError` that says what to write.

    >>> zone_key(workshop_time_zone("Europe/Berlin"))
    'Europe/Berlin'
    """
    if configured is not None and configured.strip():
        return time_zone(configured, setting="time_zone")
    setting = os.environ.get(ENV_TIME_ZONE, "").strip()
    if setting:
        return time_zone(setting)
    return time_zone(JAPAN_TIME_ZONE)


def zone_key(zone: tzinfo) -> str:
    """The IANA name of ``zone`` (what a workshop file or an export writes).

    >>> zone_key(time_zone("Asia/Tokyo")), zone_key(UTC)
    ('Asia/Tokyo', 'UTC')
    """
    if isinstance(zone, ZoneInfo):
        return str(zone.key)
    if zone is _JAPAN_FIXED:
        return JAPAN_TIME_ZONE
    return "UTC" if zone.utcoffset(None) == timedelta(0) else str(zone)


def local_iso(value: datetime | str | None, zone: tzinfo) -> str | None:
    """``value`` in ``zone`` as ISO 8601 text with its offset, to the second (JSON, CSV).

    >>> local_iso("2026-03-01T05:05:30.25+00:00", time_zone("Asia/Tokyo"))
    '2026-03-01T14:05:30+09:00'
    """
    if value is None:
        return None
    return as_utc(value).astimezone(zone).isoformat(timespec="seconds")


def utc_offset(moment: datetime) -> str:
    """``UTC+9``, ``UTC+5:30``, ``UTC-3``, ``UTC+0``: the offset of an aware ``moment``.

    >>> utc_offset(datetime(2026, 1, 1, tzinfo=time_zone("Asia/Kolkata")))
    'UTC+5:30'
    """
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    hours, rest = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def as_utc(value: datetime | str) -> datetime:
    """A time, or its ISO text from a summary or an export, as an aware UTC datetime. The
    store gives every time aware in UTC already; a naive one (an export written before that,
    or a hand-made example) is taken as UTC, which is what the store always wrote."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def format_time(
    value: datetime | str | None,
    lang: str | None = None,
    *,
    zone: tzinfo | None = None,
    date: bool = True,
    seconds: bool = False,
) -> str:
    """``value`` (a stored UTC time) as a person reads it: in ``zone`` (default:
    :func:`workshop_time_zone` without a file's zone), followed by the zone's name and
    offset. ``""`` for None.

    >>> from datetime import datetime, UTC
    >>> tokyo = time_zone("Asia/Tokyo")
    >>> format_time(datetime(2026, 3, 1, 5, 5, tzinfo=UTC), "ja", zone=tokyo, date=False)
    '14:05（JST、UTC+9）'
    """
    if value is None:
        return ""
    language = normalize_language(lang)
    local = as_utc(value).astimezone(zone if zone is not None else workshop_time_zone())
    pattern = ("%Y-%m-%d " if date else "") + ("%H:%M:%S" if seconds else "%H:%M")
    return local.strftime(pattern) + zone_suffix(local, language)


def zone_suffix(moment: datetime, lang: str | None = None) -> str:
    """What follows a time of the aware ``moment`` on screen: `` (JST, UTC+9)`` in English,
    ``（JST、UTC+9）`` in Japanese. The XLSX export writes it into its date cells' format.

    >>> zone_suffix(datetime(2026, 3, 1, tzinfo=time_zone("Asia/Tokyo")), "ja")
    '（JST、UTC+9）'
    """
    language = normalize_language(lang)
    name = moment.tzname() or ""
    offset = utc_offset(moment)
    # A zone without a letter abbreviation ("+09", "UTC") is named by its offset alone.
    if not name or name[0] in "+-" or name.upper() == "UTC":
        return t("time_with_offset", language, time="", offset=offset)
    return t("time_with_zone", language, time="", zone=name, offset=offset)
