"""Times in every export are in the workshop's time zone, with their offset (issue 17, item 3).

Staff read a time without a zone as Japan time; the store keeps UTC, so an export that wrote
``2026-12-06T09:43:29`` was nine hours off for them. Each format is read back as its
program reads it (``json``, ``csv``, openpyxl, the Markdown and HTML text) and compared
with the store's own UTC time, converted by ``zoneinfo`` here (not by the code under test).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from tests.export.conftest import SLUG, scored_workshop
from toolkit.export import render
from toolkit.store import Store
from toolkit.summary import summarize
from toolkit.workshop_file import write_template

URESHII = Path(sys.executable).with_name("ureshii")


@pytest.fixture(autouse=True)
def _no_machine_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("URESHII_TIME_ZONE", raising=False)


def _lock_time(store: Store) -> datetime:
    charter = store.locked_charter(SLUG)
    assert charter is not None and charter.locked_at is not None
    assert charter.locked_at.utcoffset() == timedelta(0)  # the store's time, in UTC
    return charter.locked_at


def _expected_local(at: datetime, zone: str) -> datetime:
    return at.astimezone(ZoneInfo(zone)).replace(microsecond=0)


def _suffixes(local: datetime) -> tuple[str, str]:
    """What follows a time on screen, worked out here: ``（JST、UTC+9）``, `` (EST, UTC-5)``."""
    minutes = int(local.utcoffset().total_seconds()) // 60  # type: ignore[union-attr]
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    offset = f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")
    return f"（{local.tzname()}、{offset}）", f" ({local.tzname()}, {offset})"


@pytest.mark.parametrize("zone", [None, "America/New_York"], ids=["default-tokyo", "file-new-york"])
def test_every_format_writes_the_workshop_zone_with_its_offset(
    empty_store: Store, zone: str | None
) -> None:
    scored_workshop(empty_store, {"resident": 2, "staff": 1}, time_zone=zone)
    at = _lock_time(empty_store)
    zone_name = zone or "Asia/Tokyo"
    local = _expected_local(at, zone_name)
    offset = local.isoformat()[-6:]  # "+09:00", "-05:00" (or "-04:00" in summer)
    ja, en = _suffixes(local)
    summary = summarize(empty_store, SLUG)

    # JSON: ISO 8601 with the offset; the zone is named once in the workshop.
    document = json.loads(render(summary, "json", lang="en"))
    assert document["summary"]["workshop"]["time_zone"] == zone_name
    assert document["summary"]["charter"]["locked_at"] == local.isoformat()
    assert datetime.fromisoformat(document["summary"]["charter"]["locked_at"]) == at.replace(
        microsecond=0
    )
    audit_times = [e["at"] for e in document["summary"]["audit_log"]]
    assert audit_times and all(t.endswith(offset) for t in audit_times), audit_times
    assert document["exported_at"].endswith(offset)
    assert document["summary"]["charter_history"][-1]["locked_at"] == local.isoformat()

    # CSV (as Excel and pandas read it): the same ISO text in the lock-time column.
    for lang, header in (("ja", "ロック日時"), ("en", "Locked at")):
        text = render(summary, "csv", lang=lang).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {row[header] for row in rows} == {local.isoformat()}

    # XLSX: a real date cell in local time, the zone in its number format.
    book = openpyxl.load_workbook(io.BytesIO(render(summary, "xlsx", lang="ja")))
    cells = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, datetime)
    ]
    assert {c.parent.title for c in cells} == {"優先順位", "決め方（憲章）", "操作の記録"}
    assert local.replace(tzinfo=None) in {c.value for c in cells}
    assert all(c.number_format.endswith(f'"{ja}"') for c in cells), {c.number_format for c in cells}
    assert (
        not [  # no time left as text anywhere in the workbook
            cell.value
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if isinstance(cell.value, str) and cell.value[:4].isdigit() and "T" in cell.value[:11]
        ]
    )

    # Markdown and HTML: the words a person reads, with the zone and the offset.
    shown = local.strftime("%Y-%m-%d %H:%M")
    assert f"{shown}{ja}" in render(summary, "md", lang="ja").decode("utf-8")
    assert f"{shown}{en}" in render(summary, "md", lang="en").decode("utf-8")
    html = render(summary, "html", lang="en").decode("utf-8")
    assert f"{shown}{en}" in html


def test_the_file_zone_wins_over_the_machine_setting(
    empty_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("URESHII_TIME_ZONE", "Europe/Berlin")
    scored_workshop(empty_store, {"resident": 1}, time_zone="Asia/Kolkata")
    local = _expected_local(_lock_time(empty_store), "Asia/Kolkata")
    summary = summarize(empty_store, SLUG)
    assert summary["workshop"]["time_zone"] == "Asia/Kolkata"
    assert summary["charter"]["locked_at"] == local.isoformat()
    assert summary["charter"]["locked_at"].endswith("+05:30")


def test_the_machine_setting_applies_when_the_file_is_silent(
    empty_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("URESHII_TIME_ZONE", "UTC")
    scored_workshop(empty_store, {"resident": 1})
    at = _lock_time(empty_store)
    summary = summarize(empty_store, SLUG)
    assert summary["workshop"]["time_zone"] == "UTC"
    assert summary["charter"]["locked_at"] == at.replace(microsecond=0).isoformat()
    assert summary["charter"]["locked_at"].endswith("+00:00")
    stamp = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    assert f"{stamp} (UTC+0)" in render(summary, "md", lang="en").decode("utf-8")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_check_names_the_line_of_an_unknown_zone(tmp_path: Path, lang: str) -> None:
    path = write_template(tmp_path / "w.yaml", "dx-vision", lang)
    text = path.read_text(encoding="utf-8")
    text = text.replace(f"lang: {lang}\n", f"lang: {lang}\ntime_zone: Tokio\n", 1)
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [str(URESHII), "check", str(path), "--lang", lang],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout
    line = text.splitlines().index("time_zone: Tokio") + 1
    problem = result.stdout.splitlines()[0]
    assert problem.startswith(f"{path}:{line}: time_zone: "), problem
    assert "Asia/Tokyo" in problem
    assert ("タイムゾーン" if lang == "ja" else "time zone") in problem
    # and a known zone checks clean
    path.write_text(text.replace("time_zone: Tokio", "time_zone: Asia/Tokyo"), encoding="utf-8")
    again = subprocess.run(
        [str(URESHII), "check", str(path)], capture_output=True, text=True, check=False
    )
    assert again.returncode == 0, again.stdout
