"""A town meeting's batch in the writer process, against the database's own floor.

    .venv/bin/python bench/writer_batch.py
    .venv/bin/python bench/writer_batch.py --write docs/benchmarks.md

What the writer process does for a burst of phones: ``Store.write_batch`` of ``--batch``
joins-and-votes (a new participant, its vote, and the two events), one transaction per
batch, on a fresh SQLite store. Beside it, the same four inserts per phone through Python's
``sqlite3`` alone (the same schema, triggers and indexes, the same commits: the SQLite
floor under the store's work). The two run in turn, ``--rounds`` times. It prints the CPU
milliseconds per join-and-vote of each: the difference is the store's own Python work
(SQLAlchemy's per statement, the checks, the objects returned). A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import secrets
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from sections import median_range, write_section  # noqa: E402
from town_meeting import BALLOT, OPTIONS  # noqa: E402

from toolkit.store import Store  # noqa: E402
from toolkit.workshop_file import write_template  # noqa: E402

SECTION = "## The writer's batch against SQLite's floor (bench/writer_batch.py)"


def fresh_store(folder: Path) -> tuple[str, str]:
    """A town meeting with its question open: (database path, slug)."""
    url = str(folder / "town.sqlite")
    with Store.open(url) as store:
        slug = store.load_workshop_file(
            write_template(folder / "t.yaml", "town-meeting", "ja")
        ).slug
        store.create_ballot(slug, BALLOT, "ベンチマーク", rule="approval", options=OPTIONS)
        store.open_ballot(slug, BALLOT)
    return url, slug


def through_the_store(url: str, slug: str, batch: int, batches: int) -> float:
    with Store.open(url) as store:

        def item(i: int) -> Callable[[Store], Any]:
            return lambda s: s.join_and_vote(slug, BALLOT, [OPTIONS[i % 4]], category="resident")

        store.write_batch([item(i) for i in range(batch)])  # warm
        started = time.process_time()
        for _ in range(batches):
            store.write_batch([item(i) for i in range(batch)])
        return 1000 * (time.process_time() - started) / (batch * batches)


def through_sqlite(url: str, batch: int, batches: int) -> float:
    db = sqlite3.connect(url, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
        db.execute(f"PRAGMA {pragma}")
    workshop = db.execute("SELECT id FROM workshops").fetchone()[0]
    ballot = db.execute("SELECT id FROM ballots WHERE key = ?", (BALLOT,)).fetchone()[0]
    event = "INSERT INTO events (workshop_id, at, kind, actor, payload) VALUES (?, ?, ?, ?, ?)"
    started = time.process_time()
    for _ in range(batches):
        db.execute("BEGIN IMMEDIATE")
        for i in range(batch):
            at = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
            token_hash = hashlib.sha256(secrets.token_urlsafe(18).encode()).hexdigest()
            person = db.execute(
                "INSERT INTO participants (workshop_id, token_hash, channel, category, "
                "created_at) VALUES (?, ?, ?, ?, ?)",
                (workshop, token_hash, "device", "resident", at),
            ).lastrowid
            joined = json.dumps({"channel": "device"})
            db.execute(event, (workshop, at, "participant_joined", "system", joined))
            db.execute(
                "INSERT INTO votes (ballot_id, participant_id, payload, channel, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (ballot, person, json.dumps([OPTIONS[i % 4]]), "device", at),
            )
            cast = json.dumps({"ballot": BALLOT})
            db.execute(event, (workshop, at, "vote_cast", "participant", cast))
        db.execute("COMMIT")
    elapsed = time.process_time() - started
    db.close()
    return 1000 * elapsed / (batch * batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", type=Path, help="write the figures into this markdown file")
    args = parser.parse_args()
    store_ms: list[float] = []
    sqlite_ms: list[float] = []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as folder:
            url, slug = fresh_store(Path(folder))
            store_ms.append(through_the_store(url, slug, args.batch, args.batches))
        with tempfile.TemporaryDirectory() as folder:
            url, _ = fresh_store(Path(folder))
            sqlite_ms.append(through_sqlite(url, args.batch, args.batches))
    text = "\n".join(
        [
            SECTION,
            "",
            f"Command: `.venv/bin/python bench/writer_batch.py --batch {args.batch} "
            f"--batches {args.batches} --rounds {args.rounds}`  ",
            f"{args.batch * args.batches} joins-and-votes per round, in batches of "
            f"{args.batch} (one transaction each), on a fresh SQLite store; CPU ms per "
            "join-and-vote, median (range) of the rounds.",
            "",
            "| through | CPU per join-and-vote |",
            "|---|---:|",
            "| `Store.write_batch` (what the writer process runs) | "
            f"{median_range(store_ms, 'ms')} |",
            f"| the same four inserts through `sqlite3` alone | {median_range(sqlite_ms, 'ms')} |",
            "",
        ]
    )
    print(text)
    if args.write:
        write_section(args.write, SECTION, text)


if __name__ == "__main__":
    main()
