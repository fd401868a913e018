"""Scores: each rater's ratings of each issue on each criterion, under a locked charter."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, insert, select

from toolkit.errors import CharterNotLockedError, InvalidInputError, NotFoundError
from toolkit.store import tables as s
from toolkit.store.charter import CharterStore
from toolkit.store.core import now

if TYPE_CHECKING:  # pandas is imported by scores(), the one method that needs it
    import pandas as pd


class ScoreStore(CharterStore):
    """Scores, taken only under a locked charter."""

    def record_scores(
        self,
        slug: str,
        token: str,
        scores: Mapping[tuple[str, str], float | None],
        *,
        actor: str = "participant",
    ) -> int:
        """Record one participant's scores ``{(issue_key, criterion_key): value}``.

        ``None`` means "don't know" (わからない). Refused before the charter is locked.
        A later score for the same issue and criterion supersedes the earlier one; both
        stay on record. Returns how many scores were stored.
        """

        def work(conn: Connection) -> int:
            wid = self._workshop_id(conn, slug)
            charter = self._locked_charter_row(conn, wid)
            if charter is None:
                raise CharterNotLockedError("charter_not_locked")
            pid = self._participant_id(conn, wid, token)
            issue_ids = dict(
                conn.execute(
                    select(s.issues.c.key, s.issues.c.id).where(s.issues.c.workshop_id == wid)
                ).all()
            )
            crit = {
                r.key: r
                for r in conn.execute(select(s.criteria).where(s.criteria.c.workshop_id == wid))
            }
            at, rows = now(), []
            for (issue, criterion), value in scores.items():
                if issue not in issue_ids:
                    raise NotFoundError("not_found_issue", key=issue)
                if criterion not in crit:
                    raise NotFoundError("not_found_criterion", key=criterion)
                c = crit[criterion]
                if value is not None and (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or math.isnan(value)
                    or not c.scale_min <= value <= c.scale_max
                ):
                    raise InvalidInputError(
                        "score_out_of_scale",
                        value=value,
                        criterion=criterion,
                        low=c.scale_min,
                        high=c.scale_max,
                    )
                rows.append(
                    {
                        "charter_id": charter.id,
                        "participant_id": pid,
                        "issue_id": issue_ids[issue],
                        "criterion_id": c.id,
                        "value": value,
                        "created_at": at,
                    }
                )
            if rows:
                conn.execute(insert(s.scores), rows)
            self._event(
                conn,
                wid,
                "scores_recorded",
                actor,
                {"version": charter.version, "count": len(rows)},
            )
            return len(rows)

        return self._write(work)

    def scores(self, slug: str, *, version: int | None = None) -> pd.DataFrame:
        """The latest score of each participant × issue × criterion under a locked charter.

        Columns: ``rater`` (participant id), ``issue``, ``criterion``, ``score`` (NaN = don't
        know): the long format that ``toolkit.methods.aggregate_scores`` reads.
        ``version`` defaults to the newest locked charter.
        """

        import pandas as pd

        def work(conn: Connection) -> pd.DataFrame:
            wid = self._workshop_id(conn, slug)
            if version is None:
                charter = self._locked_charter_row(conn, wid)
                if charter is None:
                    return pd.DataFrame(columns=["rater", "issue", "criterion", "score"])
                charter_id = charter.id
            else:
                charter_id = self._charter_row(conn, wid, version).id
            latest = (
                select(func.max(s.scores.c.id))
                .where(s.scores.c.charter_id == charter_id)
                .group_by(s.scores.c.participant_id, s.scores.c.issue_id, s.scores.c.criterion_id)
            )
            query = (
                select(
                    s.scores.c.participant_id.label("rater"),
                    s.issues.c.key.label("issue"),
                    s.criteria.c.key.label("criterion"),
                    s.scores.c.value.label("score"),
                )
                .join(s.issues, s.scores.c.issue_id == s.issues.c.id)
                .join(s.criteria, s.scores.c.criterion_id == s.criteria.c.id)
                .where(s.scores.c.id.in_(latest))
                .order_by(s.scores.c.id)
            )
            names = ["rater", "issue", "criterion", "score"]
            rows = conn.execute(query).all()
            # Built from columns of plain values: handed Row objects, pandas asks each row
            # whether it is a dataclass (an attribute lookup that Row answers slowly), about
            # 2 s for the 270,000 scores of 1,000 issues × 1,000 participants.
            columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
            frame = pd.DataFrame(dict(zip(names, columns, strict=True)), columns=names)
            frame["score"] = frame["score"].astype(float)
            return frame

        return self._read(work)
