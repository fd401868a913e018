"""The method charter: proposed, amended, consented to, locked and revised, every
version kept."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from toolkit import consent
from toolkit.errors import (
    AlreadyAnsweredError,
    CharterNotLockedError,
    ConsentBlockedError,
    InvalidInputError,
    MethodLockedError,
    NotFoundError,
)
from toolkit.model import Consent, MethodCharter
from toolkit.store import tables as s
from toolkit.store.core import StoreCore, _check_level, now
from toolkit.workshop_file.models import METHOD_IDS as WORKSHOP_METHOD_IDS
from toolkit.workshop_file.models import TIE_BREAKS

#: Method ids a charter may name: the same as a workshop file's ``methods`` (and as the keys
#: of ``toolkit.methods.METHODS``, checked by a test; imported from the file model because the
#: methods package pulls in scipy, which every app would then pay for at start).
METHOD_IDS = WORKSHOP_METHOD_IDS


class CharterStore(StoreCore):
    """The method charter and its consent."""

    def propose_charter(
        self,
        slug: str,
        *,
        method: str,
        weights: Mapping[str, float],
        tie_break: str = "mean_then_median",
        rules: Mapping[str, Any] | None = None,
        reason: str = "",
    ) -> MethodCharter:
        """Propose the next version of the method charter (a draft until it is locked).

        Version 1 needs no reason; every later version records why the method changed.
        Weights are given per criterion key and must add up to 1 (or to 100 points).
        """

        def work(conn: Connection) -> int:
            wid = self._workshop_id(conn, slug)
            normalised = self._check_charter(conn, wid, method, weights, tie_break)
            latest = self._latest_charter(conn, wid)
            if latest is not None and latest.locked_at is None:
                raise InvalidInputError("charter_draft_open", version=latest.version)
            version = 1 if latest is None else latest.version + 1
            if version > 1 and not reason.strip():
                raise InvalidInputError("charter_reason_required", version=version)
            conn.execute(
                insert(s.charters).values(
                    workshop_id=wid,
                    version=version,
                    method=method,
                    weights=normalised,
                    tie_break=tie_break,
                    rules=dict(rules or {}),
                    reason=reason.strip(),
                    proposed_at=now(),
                )
            )
            self._event(
                conn,
                wid,
                "charter_proposed",
                "facilitator",
                {
                    "version": version,
                    "method": method,
                    "weights": normalised,
                    "tie_break": tie_break,
                    "reason": reason.strip(),
                },
            )
            return version

        return self.charter(slug, self._write(work))

    def amend_charter(
        self,
        slug: str,
        version: int,
        *,
        method: str | None = None,
        weights: Mapping[str, float] | None = None,
        tie_break: str | None = None,
        rules: Mapping[str, Any] | None = None,
    ) -> MethodCharter:
        """Change a draft charter before it is locked. A locked one raises ``MethodLockedError``.

        Consent given to the draft so far is withdrawn: people consented to what they saw.
        """

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            current = self._charter_row(conn, wid, version)
            if current.locked_at is not None:
                raise MethodLockedError("charter_locked", version=version)
            new_method = method or current.method
            new_tie = tie_break or current.tie_break
            normalised = self._check_charter(
                conn, wid, new_method, weights or current.weights, new_tie
            )
            conn.execute(
                update(s.charters)
                .where(s.charters.c.id == current.id)
                .values(
                    method=new_method,
                    weights=normalised,
                    tie_break=new_tie,
                    rules=dict(rules) if rules is not None else current.rules,
                    # A new consent round: earlier answers (blocks too) stay on record but
                    # no longer count, and everyone may answer the amended draft.
                    consent_round=current.consent_round + 1,
                )
            )
            self._event(
                conn,
                wid,
                "charter_amended",
                "facilitator",
                {
                    "version": version,
                    "method": new_method,
                    "weights": normalised,
                    "tie_break": new_tie,
                },
            )

        self._write(work)
        return self.charter(slug, version)

    def _check_charter(
        self, conn: Connection, wid: int, method: str, weights: Mapping[str, float], tie_break: str
    ) -> dict[str, float]:
        if method not in METHOD_IDS:
            raise InvalidInputError(
                "charter_unknown_method", value=method, allowed=", ".join(METHOD_IDS)
            )
        if tie_break not in TIE_BREAKS:
            raise InvalidInputError(
                "charter_unknown_tie_break", value=tie_break, allowed=", ".join(TIE_BREAKS)
            )
        known = list(
            conn.execute(select(s.criteria.c.key).where(s.criteria.c.workshop_id == wid)).scalars()
        )
        return normalise_weights(weights, known)

    def record_consent(
        self, slug: str, token: str, level: int, *, version: int | None = None
    ) -> None:
        """Record one participant's consent to a draft charter (fist of five: 0 = block … 5).

        Each participant answers once per version (the database refuses a second answer).
        """
        _check_level(level)
        if version is not None and (
            isinstance(version, bool) or not isinstance(version, int) or not 1 <= version < 2**31
        ):
            raise NotFoundError("not_found_charter", version=version)

        def work(conn: Connection) -> None:
            wid = self._workshop_id(conn, slug)
            row = self._draft_row(conn, wid, version)
            self._insert_consent(
                conn,
                wid,
                token,
                level,
                {"charter_id": row.id, "round": row.consent_round},
                row.version,
            )
            self._event(
                conn, wid, "consent_given", "participant", {"version": row.version, "level": level}
            )

        self._write(work)

    def _insert_consent(
        self,
        conn: Connection,
        wid: int,
        token: str,
        level: int,
        subject: dict[str, int],
        version: int,
    ) -> None:
        """Insert one consent; a second answer by the same person raises a message that
        names what was being consented to (a charter or a vision draft)."""
        pid = self._participant_id(conn, wid, token)
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(s.consents).values(
                        participant_id=pid, level=level, created_at=now(), **subject
                    )
                )
        except IntegrityError:
            key = (
                "vision_consent_already_given"
                if "vision_id" in subject
                else "consent_already_given"
            )
            raise AlreadyAnsweredError(key, version=version) from None

    def consents(self, slug: str, version: int) -> list[Consent]:
        """The answers to the consent check of charter ``version`` in its current round
        (answers to earlier, amended drafts stay on record but are not returned)."""

        def work(conn: Connection) -> list[Consent]:
            wid = self._workshop_id(conn, slug)
            row = self._charter_row(conn, wid, version)
            return [
                Consent(r.participant_id, r.level)
                for r in conn.execute(
                    select(s.consents)
                    .where(
                        s.consents.c.charter_id == row.id,
                        s.consents.c.round == row.consent_round,
                    )
                    .order_by(s.consents.c.id)
                )
            ]

        return self._read(work)

    def lock_charter(self, slug: str, version: int | None = None) -> MethodCharter:
        """Lock a draft charter after the consent check. Scoring may start only after this.

        Refused when nobody answered the consent check or anyone blocked (level 0).
        """

        def work(conn: Connection) -> int:
            wid = self._workshop_id(conn, slug)
            row = self._draft_row(conn, wid, version)
            levels = list(
                conn.execute(
                    select(s.consents.c.level).where(
                        s.consents.c.charter_id == row.id,
                        s.consents.c.round == row.consent_round,
                    )
                ).scalars()
            )
            if not levels:
                raise ConsentBlockedError("consent_missing", version=row.version)
            blocks = levels.count(consent.BLOCK)
            if blocks:
                raise ConsentBlockedError("consent_blocked", version=row.version, blocks=blocks)
            record = consent.tally(levels).as_record()
            conn.execute(
                insert(s.charter_locks).values(
                    charter_id=row.id, workshop_id=wid, locked_at=now(), consent=record
                )
            )
            self._event(
                conn,
                wid,
                "charter_locked",
                "facilitator",
                {"version": row.version, "consent": record},
            )
            return int(row.version)

        return self.charter(slug, self._write(work))

    def revise_charter(self, slug: str, *, reason: str, **changes: Any) -> MethodCharter:
        """Unlock by proposing the next version from the locked one, with a reason on record."""
        current = self.locked_charter(slug)
        if current is None:
            raise CharterNotLockedError("charter_not_locked")
        return self.propose_charter(
            slug,
            method=changes.get("method", current.method),
            weights=changes.get("weights", current.weights),
            tie_break=changes.get("tie_break", current.tie_break),
            rules=changes.get("rules", current.rules),
            reason=reason,
        )

    @staticmethod
    def _charter_query(wid: int) -> Any:
        return (
            select(s.charters, s.charter_locks.c.locked_at, s.charter_locks.c.consent)
            .select_from(
                s.charters.outerjoin(
                    s.charter_locks, s.charter_locks.c.charter_id == s.charters.c.id
                )
            )
            .where(s.charters.c.workshop_id == wid)
        )

    def _charter_row(self, conn: Connection, wid: int, version: int) -> Row[Any]:
        row = conn.execute(self._charter_query(wid).where(s.charters.c.version == version)).first()
        if row is None:
            raise NotFoundError("not_found_charter", version=version)
        return row

    def _latest_charter(self, conn: Connection, wid: int) -> Row[Any] | None:
        return conn.execute(
            self._charter_query(wid).order_by(s.charters.c.version.desc()).limit(1)
        ).first()

    def _draft_row(self, conn: Connection, wid: int, version: int | None) -> Row[Any]:
        """The charter draft ``version`` (the newest if ``None``), refused once locked."""
        row = self._charter_row(conn, wid, version) if version else self._latest_charter(conn, wid)
        if row is None:
            raise NotFoundError("not_found_charter", version=version or 1)
        if row.locked_at is not None:
            raise MethodLockedError("charter_locked", version=row.version)
        return row

    def charter(self, slug: str, version: int) -> MethodCharter:
        return self._read(
            lambda c: _charter(self._charter_row(c, self._workshop_id(c, slug), version))
        )

    def charters(self, slug: str) -> list[MethodCharter]:
        def work(conn: Connection) -> list[MethodCharter]:
            query = self._charter_query(self._workshop_id(conn, slug)).order_by(
                s.charters.c.version
            )
            return [_charter(r) for r in conn.execute(query)]

        return self._read(work)

    def _locked_charter_row(self, conn: Connection, wid: int) -> Row[Any] | None:
        query = self._charter_query(wid).where(s.charter_locks.c.locked_at.is_not(None))
        return conn.execute(query.order_by(s.charters.c.version.desc()).limit(1)).first()

    def locked_charter(self, slug: str) -> MethodCharter | None:
        """The newest locked charter: the one that governs scoring now (or ``None``)."""

        def work(conn: Connection) -> MethodCharter | None:
            row = self._locked_charter_row(conn, self._workshop_id(conn, slug))
            return None if row is None else _charter(row)

        return self._read(work)


def normalise_weights(weights: Mapping[str, float], known: Iterable[str]) -> dict[str, float]:
    """Check weights per criterion key and scale them to sum to 1.

    Accepts weights that add up to 1 or to 100 points (a 100-point allocation).

    >>> normalise_weights({"a": 60, "b": 40}, ["a", "b"])
    {'a': 0.6, 'b': 0.4}
    """
    known = list(known)
    if not weights:
        raise InvalidInputError("weights_empty")
    unknown = [k for k in weights if k not in known]
    if unknown:
        raise InvalidInputError(
            "weights_unknown_criterion", value=unknown[0], allowed=", ".join(known)
        )
    values = {}
    for key, value in weights.items():
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or math.isnan(value)
            or value < 0
        ):
            raise InvalidInputError("weights_negative", criterion=key, value=value)
        values[key] = float(value)
    total = sum(values.values())
    if not (math.isclose(total, 1.0, abs_tol=1e-6) or math.isclose(total, 100.0, abs_tol=1e-4)):
        raise InvalidInputError("weights_sum", total=round(total, 6))
    return {k: v / total for k, v in values.items()}


def _charter(row: Row[Any]) -> MethodCharter:
    return MethodCharter(
        row.id,
        row.version,
        row.method,
        dict(row.weights),
        row.tie_break,
        dict(row.rules),
        row.reason,
        row.proposed_at,
        row.locked_at,
        dict(row.consent) if row.consent else None,
    )
