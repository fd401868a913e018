"""`ureshii backup` / `ureshii restore` on real files, with a real writer in another process.

Every loop is bounded by a count and by a deadline; no assertion is about how long anything
took (a deadline only turns a hang into a failure).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.workshop_data import small_workshop
from toolkit.cli import main
from toolkit.errors import InvalidInputError, NotFoundError, StoreError, UreshiiError
from toolkit.i18n import catalog, t
from toolkit.store import Store
from toolkit.store.backup import BackupReport, backup_store, restore_store
from toolkit.summary import summarize

SLUG = "tsuru-dx"
BALLOT = "town"  # the approval ballot of small_workshop()
#: Bounds of the writer process: it stops at whichever comes first.
WRITER_ROUNDS = 4000
WRITER_SECONDS = 90.0
#: Bounds of a wait for the writer to make progress (a hang fails instead of blocking CI).
WAIT_POLLS = 1200
WAIT_SECONDS = 60.0


# ---------------------------------------------------------------------- helpers
def new_store(path: Path) -> Path:
    """A store with the small workshop, its town-meeting ballot open, a card and a vote."""
    with Store.open(path) as store:
        store.create_workshop(small_workshop(SLUG))
        store.open_ballot(SLUG, BALLOT)
        token = store.join(SLUG)
        store.add_card(SLUG, "窓口で待たずに済む", stakeholder="kosodate", token=token)
        store.cast_vote(SLUG, BALLOT, token, ["sanres"])
    return path


def write_until_stopped(path: str, stop: Any, rounds: int, seconds: float) -> None:
    """The writer process: join, vote and post a card, again and again, through ``Store``."""
    deadline = time.monotonic() + seconds
    with Store.open(path, upgrade=False) as store:
        for n in range(rounds):
            if stop.is_set() or time.monotonic() > deadline:
                break
            token = store.join(SLUG, category="resident")
            store.cast_vote(SLUG, BALLOT, token, ["madoguchi-konzatsu", "chat"][: 1 + n % 2])
            store.add_card(SLUG, f"うれしい {n}", stakeholder="kosodate", token=token)


def read_only(path: Path) -> contextlib.closing[sqlite3.Connection]:
    """A connection that changes nothing, beside the file either."""
    return contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True))


def table_counts(path: Path) -> dict[str, int]:
    with read_only(path) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for t in tables
            if t != "alembic_version"  # the schema version, compared on its own
        }


def assert_consistent(path: Path) -> None:
    """What must hold inside any backup, whenever it was taken."""
    with read_only(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        orphan_votes = conn.execute(
            "SELECT count(*) FROM votes v LEFT JOIN participants p ON p.id = v.participant_id"
            " WHERE p.id IS NULL"
        ).fetchone()[0]
        assert orphan_votes == 0
        # Each vote is written in one transaction with its event: a snapshot has both or none.
        votes = conn.execute("SELECT count(*) FROM votes").fetchone()[0]
        vote_events = conn.execute("SELECT count(*) FROM events WHERE kind = 'vote_cast'")
        assert vote_events.fetchone()[0] == votes
        cards = conn.execute("SELECT count(*) FROM cards").fetchone()[0]
        card_events = conn.execute("SELECT count(*) FROM events WHERE kind = 'card_added'")
        assert card_events.fetchone()[0] == cards
        joined = conn.execute("SELECT count(*) FROM events WHERE kind = 'participant_joined'")
        assert (
            joined.fetchone()[0] == conn.execute("SELECT count(*) FROM participants").fetchone()[0]
        )
    assert not any(path.with_name(path.name + s).exists() for s in ("-wal", "-shm", "-journal"))


def wait_for_votes(reader: Store, more_than: int) -> int:
    """Poll until the store holds more than ``more_than`` votes (bounded: polls and time)."""
    deadline = time.monotonic() + WAIT_SECONDS
    for _ in range(WAIT_POLLS):
        votes = reader.counts(SLUG)["votes"]
        if votes > more_than or time.monotonic() > deadline:
            return votes
        time.sleep(0.05)
    return reader.counts(SLUG)["votes"]


def summary_of(path: Path) -> dict[str, Any]:
    with Store.open(path) as store:
        return summarize(store, SLUG, include_hidden=True)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def message_pattern(key: str, lang: str, **params: object) -> str:
    """A regex for message ``key`` whose ``{detail}`` (SQLite's own words) may be anything."""
    sentinel = "DETAIL0SENTINEL"
    text = catalog()[key][lang].format(**params, detail=sentinel)
    return "^" + re.escape(text).replace(sentinel, ".+") + "\n$"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return new_store(tmp_path / "live.sqlite")


# ---------------------------------------------------------------------- online backups
def test_backups_taken_while_another_process_writes_are_each_consistent(tmp_path: Path) -> None:
    source = new_store(tmp_path / "live.sqlite")
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    writer = context.Process(
        target=write_until_stopped, args=(str(source), stop, WRITER_ROUNDS, WRITER_SECONDS)
    )
    reports: list[BackupReport] = []
    writer.start()
    try:
        with Store.open(source, upgrade=False) as reader:
            for n in range(3):
                # Take each backup only once the writer has moved past the previous one.
                seen = wait_for_votes(reader, more_than=reports[-1].votes if reports else 1)
                assert seen > (reports[-1].votes if reports else 1), "the writer made no progress"
                assert writer.is_alive()
                reports.append(backup_store(source, tmp_path / f"backup-{n}.sqlite"))
                assert_consistent(tmp_path / f"backup-{n}.sqlite")
            assert writer.is_alive()  # every backup above was taken while it wrote
            wait_for_votes(reader, more_than=reports[-1].votes)
    finally:
        stop.set()
        writer.join(timeout=WAIT_SECONDS)
        if writer.is_alive():  # pragma: no cover - only if the writer hangs
            writer.terminate()
            writer.join(timeout=10)
    assert writer.exitcode == 0

    votes = [report.votes for report in reports]
    assert votes == sorted(set(votes)), votes  # three different moments, in order
    for n, report in enumerate(reports):
        assert dict(report.counts) == table_counts(tmp_path / f"backup-{n}.sqlite")
        assert report.revision == report.head == "0007"

    # Once the writer has stopped, a backup equals the store exactly.
    final = backup_store(source, tmp_path / "final.sqlite")
    assert final.votes > reports[-1].votes
    assert table_counts(tmp_path / "final.sqlite") == table_counts(source) == dict(final.counts)
    assert_consistent(tmp_path / "final.sqlite")
    assert summary_of(tmp_path / "final.sqlite") == summary_of(source)


def test_a_restored_store_opens_and_takes_new_writes(source: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.sqlite"
    assert run("backup", str(source), str(backup), "--lang", "en").exit_code == 0
    target = tmp_path / "restored" / "workshop.sqlite"
    target.parent.mkdir()

    result = run("restore", str(backup), str(target), "--lang", "en")

    assert result.exit_code == 0, result.output
    counts = table_counts(backup)
    assert result.output == (
        t(
            "restore_done",
            "en",
            backup=str(backup),
            path=str(target),
            workshops=1,
            participants=1,
            votes=1,
            events=counts["events"],
            revision="0007",
        )
        + "\n"
    )
    assert summary_of(target) == summary_of(source)
    with Store.open(target) as store:
        token = store.join(SLUG)
        store.cast_vote(SLUG, BALLOT, token, ["chat"])
        store.add_card(SLUG, "書類が1回で済む", stakeholder="kosodate", token=token)
        assert store.counts(SLUG)["votes"] == 2
        assert store.counts(SLUG)["cards"] == 2
    assert table_counts(source)["votes"] == 1  # the restore is a copy, not a link


def test_backup_prints_what_it_copied_and_leaves_nothing_beside_either_file(
    source: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "copies" / "live-0930.sqlite"
    dest.parent.mkdir()

    result = run("backup", str(source), str(dest), "--lang", "ja")

    assert result.exit_code == 0, result.output
    counts = table_counts(dest)
    assert result.output == (
        t(
            "backup_done",
            "ja",
            source=str(source),
            path=str(dest),
            size=max(1, round(dest.stat().st_size / 1024)),
            workshops=1,
            participants=1,
            votes=1,
            events=counts["events"],
            revision="0007",
        )
        + "\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copies", "live.sqlite"]
    assert [p.name for p in dest.parent.iterdir()] == [dest.name]
    assert dest.stat().st_mode & 0o077 == 0  # the workshop's records: owner only
    assert counts == table_counts(source)


# ---------------------------------------------------------------------- replacing files
@pytest.mark.parametrize("lang", ["ja", "en"], ids=["ja", "en"])
def test_an_existing_destination_is_replaced_only_with_force(
    source: Path, tmp_path: Path, lang: str
) -> None:
    backup = backup_store(source, tmp_path / "first.sqlite")
    dest = tmp_path / "backup.sqlite"
    dest.write_bytes(b"an older backup")

    refused = run("backup", str(source), str(dest), "--lang", lang)
    restore_refused = run("restore", backup.path, str(source), "--lang", lang)

    assert refused.exit_code == restore_refused.exit_code == 2
    assert refused.stderr == t("backup_error_exists", lang, path=str(dest)) + "\n"
    assert dest.read_bytes() == b"an older backup"
    assert restore_refused.stderr == t("backup_error_exists", lang, path=str(source)) + "\n"
    assert run("backup", str(source), str(dest), "--force").exit_code == 0
    assert table_counts(dest) == table_counts(source)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_restore_force_removes_a_stale_wal_that_would_otherwise_be_replayed(
    source: Path, tmp_path: Path
) -> None:
    backup = backup_store(source, tmp_path / "backup.sqlite")
    target = new_store(tmp_path / "target.sqlite")
    # A WAL with valid frames from another database, left beside the target (a crash, a
    # copied folder): replayed onto the restored file, it would damage it.
    other = sqlite3.connect(tmp_path / "other.sqlite", isolation_level=None)
    other.execute("PRAGMA journal_mode = WAL")
    other.execute("PRAGMA wal_autocheckpoint = 0")
    other.execute("CREATE TABLE votes (x)")
    other.execute("INSERT INTO votes VALUES (1), (2), (3)")
    shutil.copyfile(tmp_path / "other.sqlite-wal", tmp_path / "target.sqlite-wal")
    other.close()

    report = restore_store(backup.path, target, force=True)

    assert report.counts == backup.counts
    assert not (tmp_path / "target.sqlite-wal").exists()
    assert not (tmp_path / "target.sqlite-shm").exists()
    assert table_counts(target) == table_counts(Path(backup.path))
    assert summary_of(target) == summary_of(source)


@pytest.mark.parametrize("lang", ["ja", "en"], ids=["ja", "en"])
def test_restore_refuses_a_target_that_a_server_has_open(
    source: Path, tmp_path: Path, lang: str
) -> None:
    backup = backup_store(source, tmp_path / "backup.sqlite")
    target = new_store(tmp_path / "target.sqlite")
    with Store.open(target) as server:
        token = server.join(SLUG)  # the pool keeps its connection open, as a server's does
        result = run("restore", backup.path, str(target), "--force", "--lang", lang)
        assert result.exit_code == 1
        assert result.stderr == t("backup_error_in_use", lang, path=str(target)) + "\n"
        with pytest.raises(StoreError):
            restore_store(backup.path, target, force=True)
        assert server.participant(SLUG, token).channel == "device"  # untouched
    assert run("restore", backup.path, str(target), "--force").exit_code == 0
    assert table_counts(target) == table_counts(Path(backup.path))


# ---------------------------------------------------------------------- bad inputs
@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.sqlite"
    path.write_text("議事録: 窓口の混雑について\n" * 20, encoding="utf-8")
    return path


@pytest.fixture
def truncated(source: Path, tmp_path: Path) -> Path:
    # Enough data that the store spans many pages, then cut it in half.
    with Store.open(source) as store:
        for n in range(60):
            store.add_card(SLUG, f"うれしさ {n} " + "あ" * 300, stakeholder="kosodate")
    whole = backup_store(source, tmp_path / "whole.sqlite")
    data = Path(whole.path).read_bytes()
    path = tmp_path / "truncated.sqlite"
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize("lang", ["ja", "en"], ids=["ja", "en"])
@pytest.mark.parametrize("command", ["backup", "restore"], ids=["backup", "restore"])
def test_a_text_file_is_refused(text_file: Path, tmp_path: Path, lang: str, command: str) -> None:
    out = tmp_path / "out.sqlite"
    result = run(command, str(text_file), str(out), "--lang", lang)
    assert result.exit_code == 2
    assert result.stderr == t("backup_error_not_sqlite", lang, path=str(text_file)) + "\n"
    assert not out.exists()


@pytest.mark.parametrize("lang", ["ja", "en"], ids=["ja", "en"])
@pytest.mark.parametrize("command", ["backup", "restore"], ids=["backup", "restore"])
def test_a_truncated_store_is_refused(
    truncated: Path, tmp_path: Path, lang: str, command: str
) -> None:
    out = tmp_path / "out.sqlite"
    result = run(command, str(truncated), str(out), "--lang", lang)
    assert result.exit_code == 2
    assert re.match(
        message_pattern("backup_error_corrupt", lang, path=str(truncated)), result.stderr
    )
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if ".tmp" in p.name] == []


@pytest.mark.parametrize("lang", ["ja", "en"], ids=["ja", "en"])
def test_a_postgresql_store_is_sent_to_pg_dump_and_pg_restore(
    source: Path, tmp_path: Path, lang: str
) -> None:
    url = "postgresql://ureshii@127.0.0.1:5432/town"
    backup = run("backup", url, str(tmp_path / "out.sqlite"), "--lang", lang)
    restore = run("restore", str(source), url, "--lang", lang)

    assert backup.exit_code == restore.exit_code == 2
    assert backup.stderr == t("backup_error_postgres", lang) + "\n"
    assert "pg_dump --format=custom" in backup.stderr
    assert restore.stderr == t("restore_error_postgres", lang) + "\n"
    assert "pg_restore" in restore.stderr
    assert not (tmp_path / "out.sqlite").exists()


def test_a_sqlite_file_that_is_not_a_ureshii_store_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE votes (x)")
    conn.close()
    with pytest.raises(InvalidInputError) as refused:
        restore_store(other, tmp_path / "out.sqlite")
    missing = "alembic_version, workshops, participants, ballots, events"
    assert refused.value.message("en") == t(
        "backup_error_not_ureshii", "en", path=str(other), missing=missing
    )


def test_a_backup_from_a_newer_schema_is_refused(source: Path, tmp_path: Path) -> None:
    newer = Path(backup_store(source, tmp_path / "newer.sqlite").path)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    conn.close()
    target = tmp_path / "target.sqlite"

    result = run("restore", str(newer), str(target), "--lang", "ja")

    assert result.exit_code == 2
    assert result.stderr == (
        t("backup_error_newer_schema", "ja", path=str(newer), revision="0099", head="0007") + "\n"
    )
    assert not target.exists()


@pytest.mark.parametrize(
    ("call", "error", "key"),
    [
        (lambda d: backup_store(d / "missing.sqlite", d / "b.sqlite"), NotFoundError, "missing"),
        (lambda d: restore_store(d / "missing.sqlite", d / "b.sqlite"), NotFoundError, "missing"),
        (lambda d: backup_store(d / "live.sqlite", d / "live.sqlite"), InvalidInputError, "same"),
        (
            lambda d: backup_store(d / "live.sqlite", d / "no" / "b.sqlite"),
            InvalidInputError,
            "folder",
        ),
    ],
    ids=["backup-missing", "restore-missing", "same-file", "no-folder"],
)
def test_refusals_change_nothing(
    source: Path, tmp_path: Path, call: Any, error: type[UreshiiError], key: str
) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(error) as refused:
        call(tmp_path)
    expected = {
        "missing": "backup_error_missing",
        "same": "backup_error_same_file",
        "folder": "backup_error_folder_missing",
    }
    assert isinstance(refused.value, UreshiiError)
    assert refused.value.key == expected[key]
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert table_counts(source)["votes"] == 1


def test_the_report_is_frozen(source: Path, tmp_path: Path) -> None:
    report = backup_store(source, tmp_path / "b.sqlite")
    with pytest.raises(AttributeError):
        report.votes = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        report.counts["votes"] = 3  # type: ignore[index]


@pytest.fixture(autouse=True)
def _no_leftover_processes() -> Iterator[None]:
    yield
    assert multiprocessing.active_children() == []
