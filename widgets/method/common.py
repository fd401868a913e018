"""What the method screens share: the workshop's candidates, a ballot's count as far as it
may be seen, and the charter card. The rules behind them live in
:mod:`toolkit.methods.charter`; these only read the store for them."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from toolkit import consent
from toolkit.ballots import tally
from toolkit.i18n import t
from toolkit.methods.charter import points_to_weights, vote_winner
from toolkit.methods.registry import method_name
from toolkit.model import Ballot, MethodCharter
from toolkit.store import TIE_BREAKS
from widgets.context import AppContext
from widgets.ui import bar_cell, html_table, percent


def candidate_methods(ctx: AppContext) -> list[str]:
    """The workshop's candidate method ids, in the order of its file."""
    return [m["id"] for m in ctx.store.workshop(ctx.slug).spec.get("methods", [])]


def ballot_tally(ctx: AppContext, ballot: Ballot) -> tuple[int, dict[str, Any] | None]:
    """(number of votes, tally or ``None`` while the results are hidden)."""
    votes = ctx.store.votes(ctx.slug, ballot.key)
    if not ballot.results_visible or not votes:
        return len(votes), None
    return len(votes), tally(
        ballot.rule, ballot.options, ballot.settings, [v.payload for v in votes]
    )


def method_vote_winner(ctx: AppContext) -> str | None:
    """The method vote's winner (:func:`toolkit.methods.charter.vote_winner`), once its
    results may be seen."""
    ballot = ctx.store.ballot_for(ctx.slug, "method")
    if ballot is None:
        return None
    return vote_winner(ballot_tally(ctx, ballot)[1])


def mean_allocation(ctx: AppContext, ballot: Ballot | None) -> tuple[int, dict[str, float] | None]:
    """(allocations, mean weights summing to 1) of a visible 100-point ballot."""
    if ballot is None:
        return 0, None
    votes, counted = ballot_tally(ctx, ballot)
    if counted is None:
        return votes, None
    return votes, points_to_weights(counted["points"])


def weights_table(
    caption: str, weights: Mapping[str, float], names: Mapping[str, str], lang: str
) -> str:
    """Weights as a table with decorative bars (the text is the content)."""
    rows = [
        (escape(names.get(key, key)), bar_cell(value, percent(value)))
        for key, value in weights.items()
    ]
    columns = (t("method_col_criterion", lang), t("method_col_weight", lang))
    return html_table(columns, rows, caption, raw=True)


def tie_break_name(tie_break: str, lang: str) -> str:
    """A tie-break rule in words (an unknown rule is shown as it is stored)."""
    return t(f"method_tie_{tie_break}", lang) if tie_break in TIE_BREAKS else tie_break


def charter_card(charter: MethodCharter, title: str, names: Mapping[str, str], lang: str) -> str:
    """A charter as a card: method, tie-break, reason and consent record, weights table."""
    rows = [
        (t("method_charter_method", lang), method_name(charter.method, lang)),
        (t("method_charter_tie_break", lang), tie_break_name(charter.tie_break, lang)),
    ]
    if charter.reason:
        rows.append((t("method_col_reason", lang), charter.reason))
    if charter.consent:
        rows.append(
            (
                t("method_col_consent", lang),
                consent.summary(consent.tally_from_record(charter.consent), lang),
            )
        )
    facts = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in rows)
    weights = weights_table(t("method_charter_weights", lang), charter.weights, names, lang)
    return (
        f'<section class="ureshii-card" aria-label="{escape(title)}">'
        f"<h3>{escape(title)}</h3><dl>{facts}</dl>{weights}</section>"
    )


def status_text(ballot: Ballot, votes: int, lang: str) -> str:
    """A ballot's state and number of votes, in words."""
    return t(f"method_ballot_status_{ballot.status}", lang, votes=votes)
