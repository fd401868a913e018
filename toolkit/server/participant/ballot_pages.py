"""The phone pages of a ballot: the form drawn by its rule, the receipt, the results.

``/p/<slug>/b/<key>`` posts the vote; ``…/receipt`` shows it as stored; ``…/results`` the
tally once the facilitator releases it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from toolkit.ballots import ballot_rule
from toolkit.errors import InvalidInputError, NotFoundError, UreshiiError
from toolkit.model import Ballot, Participant, Vote
from toolkit.server.participant.pages import FormError, PageHandler, answer_here, refusal
from toolkit.server.participant.service import WorkshopView


def ballot_payload(ballot: Ballot, form: dict[str, list[str]]) -> Any:
    """The vote a ballot form describes (fields ``choice`` or ``o<i>``), for ``validate_vote``.

    The form is the rule's (``toolkit.ballots``): one ``choice`` (radio), several (ticks),
    or a number per option ``o<i>`` (ranks, numbers, a scale). Raises ``InvalidInputError``
    (ja/en) for what the form itself gets wrong: no choice, a number that is not one, a rank
    used twice. The store checks the rest (the rule's limits, the budget), whatever the form
    said.
    """
    options = ballot.options
    rule = ballot_rule(ballot.rule)

    def option(index: str) -> str:
        if not index.isdigit() or int(index) >= len(options):
            raise InvalidInputError("participant_unknown_choice")
        return options[int(index)]

    if rule.form == "radio":
        chosen = form.get("choice", [])
        if not chosen:
            raise InvalidInputError("participant_choose_one")
        return option(chosen[0])
    if rule.form == "checkboxes":
        return [option(i) for i in form.get("choice", [])]
    numbers: dict[str, int] = {}
    for i, name in enumerate(options):
        raw = (form.get(f"o{i}") or [""])[0].strip()
        if not raw:
            continue
        raw = raw.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        if not raw.isdigit() or len(raw) > 6:
            raise InvalidInputError("participant_not_a_number", option=name)
        numbers[name] = int(raw)
    if rule.form == "ranks":
        ranks = sorted(numbers.items(), key=lambda item: item[1])
        used = [rank for _, rank in ranks]
        if len(set(used)) != len(used):
            raise InvalidInputError("participant_rank_repeated")
        return [name for name, _ in ranks]
    if rule.form == "numbers":
        return {name: n for name, n in numbers.items() if n}
    return numbers  # a scale: blank = not scored, 0 is a score


def may_vote(ballot: Ballot, participant: Participant) -> bool:
    """Whether this participant's channel may vote on ``ballot`` (codes-only ballots)."""
    eligible = ballot.settings.get("eligible")
    return not eligible or participant.channel in eligible


def ballot_or_404(
    page: PageHandler, view: WorkshopView, key: str
) -> tuple[WorkshopView, Ballot] | None:
    """The ballot ``key`` of the workshop and the snapshot it is in (read again when the
    ballot is new: :meth:`.ParticipantService.looked_up`), or None after answering with
    the 404 page."""
    try:
        return page.service.looked_up(view.slug, lambda fresh: fresh.ballot(key))
    except NotFoundError as error:
        page.message_page(error, 404, view)
        return None


class BallotPage(PageHandler):
    """``/p/<slug>/b/<key>``: the ballot form, by its rule; posts the vote."""

    def _visit(self, slug: str, key: str) -> tuple[WorkshopView, str, Participant, Ballot] | None:
        """The visitor and the ballot, or None once the page already answered (the join
        page for a new visitor, 404 for an unknown ballot)."""
        visit = self.visitor(slug)
        if visit is None:
            return None
        view, token, participant = visit
        found = ballot_or_404(self, view, key)
        return None if found is None else (found[0], token, participant, found[1])

    def get(self, slug: str, key: str) -> None:
        visit = self._visit(slug, key)
        if visit is None:
            return
        view, token, participant, ballot = visit
        if key in self.service.my_votes(slug, token):
            self.redirect(receipt_path(self, slug, key), status=303)
            return
        show_ballot(self, view, ballot, participant)

    async def post(self, slug: str, key: str) -> None:
        visit = self._visit(slug, key)
        if visit is None:
            return
        _, token, participant, ballot = visit
        form = self.form()
        try:
            self.check_form()
            payload = ballot_payload(ballot, form)
            vote = await self.service.vote(slug, key, token, payload)
        except (FormError, UreshiiError) as refused:
            error, status = refusal(refused)
            # The ballot as it is now (it may have closed meanwhile), with what was sent.
            fresh = self.service.view(slug)
            current = fresh.ballots.get(key, ballot)
            voted = key in self.service.my_votes(slug, token)
            show_ballot(
                self,
                fresh,
                current,
                participant,
                values=form,
                error=error,
                status=status,
                voted=voted,
            )
            return
        acknowledge_vote(self, self.service.view(slug), ballot, vote, form)


def show_ballot(
    page: PageHandler,
    view: WorkshopView,
    ballot: Ballot,
    participant: Participant,
    *,
    values: dict[str, list[str]] | None = None,
    error: UreshiiError | None = None,
    status: int = 200,
    voted: bool = False,
) -> None:
    """Answer with the ballot page: its form for ``participant``, or why it cannot vote
    (with ``error`` and the ``values`` sent when a vote was refused)."""
    allowed = may_vote(ballot, participant) and not voted
    page.render_page(
        "ballot.html",
        view=view,
        ballot=ballot,
        may_vote=allowed,
        voted=voted,
        values=values or {},
        error=error,
        status=status,
        # The form as drawn for everyone who may (or may not) vote; not once refused.
        cache_key=(allowed, voted) if error is None and not values else None,
    )


def receipt_path(page: PageHandler, slug: str, key: str) -> str:
    return f"{page.workshop_path(slug)}b/{quote(key)}/receipt"


def ballot_filled(ballot: Ballot, form: dict[str, list[str]]) -> bool:
    """Whether a form says anything of ``ballot`` (a choice, a number): a join form whose
    question was left blank joins without voting."""
    fields = ["choice", *(f"o{i}" for i in range(len(ballot.options)))]
    return any(value.strip() for name in fields for value in form.get(name, []))


def acknowledge_vote(
    page: PageHandler, view: WorkshopView, ballot: Ballot, vote: Vote, form: dict[str, list[str]]
) -> None:
    """Answer a stored vote: its receipt here when the page's script asked for it, else a
    redirect to the receipt (see :func:`.pages.answer_here`)."""
    if answer_here(form) and ballot.key in view.ballots:
        show_receipt(page, view, view.ballots[ballot.key], vote)
    else:
        page.redirect(receipt_path(page, view.slug, ballot.key), status=303)


def show_receipt(page: PageHandler, view: WorkshopView, ballot: Ballot, vote: Vote) -> None:
    """Answer with the receipt of ``vote`` on ``ballot``: the vote as stored, its number."""
    page.render_page(
        "receipt.html",
        view=view,
        ballot=ballot,
        vote=vote,
        ranked=ballot_rule(ballot.rule).ranked,
        address=receipt_path(page, view.slug, ballot.key),
        # Everyone who chose the same shares one rendering; its number and time are theirs.
        cache_key=(json.dumps(vote.payload, ensure_ascii=False),),
        slots={
            "at": page.local_time(view, vote.created_at),
            "receipt": page.service.receipt(vote),
        },
    )


class ReceiptPage(PageHandler):
    """``/p/<slug>/b/<key>/receipt``: the vote as stored, with its receipt number."""

    def get(self, slug: str, key: str) -> None:
        visit = self.visitor(slug)
        if visit is None:
            return
        view, token, _ = visit
        vote = self.service.my_votes(slug, token).get(key)
        if vote is None or key not in view.ballots:
            self.redirect(f"{self.workshop_path(slug)}b/{quote(key)}", status=303)
            return
        show_receipt(self, view, view.ballots[key], vote)


class ResultsPage(PageHandler):
    """``/p/<slug>/b/<key>/results``: the tally once visible; while the ballot is open a small
    script fetches it again every :attr:`REFRESH_SECONDS` (no meta refresh: it reloads the
    whole page under a screen reader's cursor), and a reload link does it without one."""

    REFRESH_SECONDS = 10

    def get(self, slug: str, key: str) -> None:
        view = self.view_or_404(slug)
        if view is None:
            return
        found = ballot_or_404(self, view, key)
        if found is None:
            return
        view, ballot = found
        results = self.service.results(slug, key)
        top = max(results["points"].values(), default=0) or 1
        self.render_page(
            "results.html",
            view=view,
            ballot=ballot,
            results=results,
            top=top,
            refresh=self.REFRESH_SECONDS if results["status"] == "open" else 0,
            generated=self.local_time(view, datetime.now(UTC), seconds=True),
        )
