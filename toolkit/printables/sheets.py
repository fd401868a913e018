"""The five kinds of printed sheet, each a list of A4 pages (``<section class="sheet">``).

Every function here is pure: it takes what the store says (a workshop, its stakeholders,
its ballots…) and returns HTML fragments; :func:`toolkit.printables.render_document` wraps
them into one self-contained page. Every word comes from the catalog
(``toolkit/i18n/catalog/printables.yaml``) or from the one home of a concept: the consent
scale's words from :mod:`toolkit.consent`, a ballot rule's voting hint and paper form from
:mod:`toolkit.ballots.rules`, a method's name and description from the method catalog.

>>> pages = consent_sheets("en")
>>> len(pages), "I cannot go ahead with this" in pages[0]
(1, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from toolkit import consent
from toolkit.ballots import ballot_rule
from toolkit.codes_sheet import link_with_code, qr_svg
from toolkit.i18n import t
from toolkit.methods.charter import method_minutes
from toolkit.methods.registry import method_name
from toolkit.model import PHASES, Ballot, Stakeholder, category_name
from toolkit.money import amount_text, exact_amount

#: Happiness cards: boxes per stakeholder sheet (2 columns × 4 rows of 90 × 52 mm).
CARD_BOXES = 8
#: Method cards per A4 page (2 × 2).
METHODS_PER_PAGE = 4
#: Ballots with at most this many options print two to a page (each half A4 = A5).
TWO_UP_MAX_OPTIONS = 5
#: The phases a table works through, in the order of the day (the sheet lists the
#: workshop's own phases, in this order).
TABLE_PHASES = PHASES


def _e(text: object) -> str:
    return escape(str(text))


def _sheet(kind: str, body: str, lang: str, **data: object) -> str:
    """One A4 page: ``data`` become ``data-*`` attributes (what tests and scripts read)."""
    attributes = "".join(f' data-{name}="{_e(value)}"' for name, value in data.items())
    return f'<section class="sheet sheet-{kind}" lang="{lang}"{attributes}>{body}</section>'


def _header(title: str, what: str) -> str:
    return f'<header class="top"><span>{_e(title)}</span><span>{_e(what)}</span></header>'


# ---------------------------------------------------------------------- tables
@dataclass(frozen=True)
class TableLink:
    """One table laptop's link (an absolute URL, see ``toolkit.server.table_links``)."""

    table: int
    url: str


def table_sheets(
    title: str, links: Sequence[TableLink], phases: Sequence[str], lang: str
) -> list[str]:
    """One page per table: its number, its link as a QR code and as text, and what the table
    does in each of the workshop's ``phases``."""
    ordered = [p for p in TABLE_PHASES if p in phases]
    steps = "".join(
        f"<li><b>{_e(t(f'console_phase_{phase}', lang))}</b>"
        f"<span>{_e(t(f'print_table_step_{phase}', lang))}</span></li>"
        for phase in ordered
    )
    pages = []
    for link in links:
        body = (
            _header(title, t("print_sheet_tables", lang))
            + f'<h1 class="table-no">{_e(t("print_table_number", lang, table=link.table))}</h1>'
            + '<div class="table-link">'
            + f'<figure class="qr-big" aria-label="{_e(link.url)}">{qr_svg(link.url)}</figure>'
            + f"<div><p>{_e(t('print_table_open', lang))}</p>"
            + f'<p class="url">{_e(link.url)}</p>'
            + f'<p class="small">{_e(t("print_table_link_note", lang))}</p></div></div>'
            + f'<h2>{_e(t("print_table_steps", lang))}</h2><ol class="steps">{steps}</ol>'
        )
        pages.append(_sheet("tables", body, lang, table=link.table, link=link.url))
    return pages


# ---------------------------------------------------------------------- happiness cards
def happiness_word(category: str, lang: str) -> str:
    """地域のうれしい for residents and everyone outside the town hall, 職員のうれしい for
    staff (the practitioners' two starting points, DOMAIN.md).

    >>> happiness_word("staff", "ja"), happiness_word("business", "ja")
    ('職員のうれしい', '地域のうれしい')
    """
    return t("print_cards_staff" if category == "staff" else "print_cards_resident", lang)


def card_sheets(title: str, stakeholders: Sequence[Stakeholder], lang: str) -> list[str]:
    """One page per stakeholder: its name, its question, and boxes to write cards by hand."""
    pages = []
    for person in stakeholders:
        word = happiness_word(person.category, lang)
        prompt = person.prompt or t("print_cards_prompt", lang, name=person.name)
        box = (
            f'<div class="box"><span class="who">{_e(person.name)} · {_e(word)}</span>'
            f'<span class="glad">{_e(t("print_cards_box", lang))}</span></div>'
        )
        body = (
            _header(title, t("print_sheet_cards", lang))
            + f'<p class="band band-{_e(person.category)}">{_e(word)}'
            + f" · {_e(category_name(person.category, lang))}</p>"
            + f'<h1 class="stakeholder">{_e(person.name)}</h1>'
            + f'<p class="prompt">{_e(prompt)}</p>'
            + f'<p class="small">{_e(t("print_cards_how", lang))}</p>'
            + f'<div class="boxes">{box * CARD_BOXES}</div>'
        )
        pages.append(_sheet("cards", body, lang, stakeholder=person.key))
    return pages


# ---------------------------------------------------------------------- method cards
def method_sheets(title: str, methods: Sequence[Mapping[str, Any]], lang: str) -> list[str]:
    """The workshop's candidate ``methods`` (its file's ``methods`` entries) as cards, four
    to a page: name, what it does, strengths, what to watch, minutes."""
    cards = []
    for spec in methods:
        method = str(spec["id"])
        parts = "".join(
            f"<h3>{_e(t(f'print_methods_{part}', lang))}</h3>"
            f"<p>{_e(t(f'method_info_{method}_{part}', lang))}</p>"
            for part in ("does", "strengths", "risks")
        )
        minutes = _e(t("print_methods_minutes", lang, minutes=method_minutes(spec)))
        cards.append(
            f'<article class="method" data-method="{_e(method)}">'
            f"<h2>{_e(method_name(method, lang))}</h2>{parts}"
            f'<p class="minutes">{minutes}</p></article>'
        )
    pages = []
    for start in range(0, len(cards), METHODS_PER_PAGE):
        body = (
            _header(title, t("print_sheet_methods", lang))
            + f"<h1>{_e(t('print_methods_heading', lang))}</h1>"
            + f'<p class="small">{_e(t("print_methods_agree_first", lang))}</p>'
            + f'<div class="methods">{"".join(cards[start : start + METHODS_PER_PAGE])}</div>'
        )
        pages.append(_sheet("methods", body, lang))
    return pages


# ---------------------------------------------------------------------- consent
def consent_sheets(lang: str, title: str = "") -> list[str]:
    """The fist-of-five scale, levels 5 to 0 in the scale's own words, large enough to read
    from across a table."""
    rows = "".join(
        f'<li class="level level-{level}" data-level="{level}">'
        f'<span class="fingers">{level}</span>'
        f'<span class="words">{_e(consent.words(level, lang))}</span></li>'
        for level in consent.LEVELS
    )
    body = (
        _header(title, t("print_sheet_consent", lang))
        + f"<h1>{_e(t('print_consent_heading', lang))}</h1>"
        + f'<p class="prompt">{_e(consent.scale_hint(lang))}</p>'
        + f'<ol class="scale">{rows}</ol>'
        + f'<p class="small">{_e(t("print_consent_how", lang))}</p>'
    )
    return [_sheet("consent", body, lang)]


# ---------------------------------------------------------------------- ballots
def ballots_per_page(ballots: Sequence[Ballot]) -> int:
    """Two ballots on an A4 page (cut in half, A5 each) when every ballot is short enough
    to fit, else one: a town meeting of hundreds prints half the paper.

    >>> ballots_per_page([]), TWO_UP_MAX_OPTIONS
    (2, 5)
    """
    return 2 if all(len(b.options) <= TWO_UP_MAX_OPTIONS for b in ballots) else 1


def ballot_sheets(
    title: str,
    ballots: Sequence[Ballot],
    labels: Mapping[str, str],
    codes: Sequence[str],
    join_url: str,
    lang: str,
) -> list[str]:
    """One paper ballot per code and ballot, a voter's ballots together, one or two to a
    page (:func:`ballots_per_page`): the code in large type and as a QR code of the join link
    with the code in it, the rule's instructions, and the options with the marks the rule's
    paper form asks for."""
    papers = []
    total = len(codes) * len(ballots)
    for n, code in enumerate(codes):
        for m, ballot in enumerate(ballots):
            number = n * len(ballots) + m + 1
            papers.append(_ballot(title, ballot, labels, code, join_url, lang, number, total))
    per_page = ballots_per_page(ballots)
    return [
        _sheet("ballots", "".join(papers[i : i + per_page]), lang, per_page=per_page)
        for i in range(0, len(papers), per_page)
    ]


def _ballot(
    title: str,
    ballot: Ballot,
    labels: Mapping[str, str],
    code: str,
    join_url: str,
    lang: str,
    number: int,
    total: int,
) -> str:
    rule = ballot_rule(ballot.rule)
    hint = rule.hint(lang, ballot.settings, len(ballot.options))
    costs = ballot.settings.get("costs") or {}
    rows = []
    for option in ballot.options:
        cost = ""
        if rule.needs_costs and option in costs:
            amount = amount_text(exact_amount(costs[option]))
            cost = f'<span class="cost">{_e(t("print_ballot_cost", lang, amount=amount))}</span>'
        rows.append(
            f'<li class="option" data-option="{_e(option)}">{_mark(rule.form, rule, ballot)}'
            f'<span class="label">{_e(labels.get(option, option))}</span>{cost}</li>'
        )
    link = link_with_code(join_url, code)
    return (
        f'<article class="ballot" data-code="{_e(code)}" data-ballot="{_e(ballot.key)}"'
        f' data-rule="{_e(ballot.rule)}">'
        + _header(title, t("print_sheet_ballots", lang))
        + '<div class="ballot-head"><div>'
        + f'<h1 class="ballot-title">{_e(ballot.title)}</h1>'
        + f'<p class="label">{_e(t("print_ballot_code", lang))}</p>'
        + f'<p class="code">{_e(code)}</p></div>'
        + f'<figure class="qr-small" aria-label="{_e(link)}">{qr_svg(link)}</figure></div>'
        + f'<p class="prompt">{_e(hint)} {_e(t(f"print_ballot_mark_{rule.form}", lang))}</p>'
        + f'<ol class="options form-{rule.form}">{"".join(rows)}</ol>'
        + f'<p class="small">{_e(t("print_ballot_phone", lang))}</p>'
        + f'<p class="page-no">{_e(t("print_ballot_page", lang, n=number, total=total))}</p>'
        + "</article>"
    )


def _mark(form: str, rule: Any, ballot: Ballot) -> str:
    """The mark a voter makes for one option, as the rule's paper form says."""
    if form == "radio":
        return '<span class="mark circle" aria-hidden="true"></span>'
    if form == "checkboxes":
        return '<span class="mark square" aria-hidden="true"></span>'
    if form == "scale":
        low, high = rule.field_range(ballot.settings, len(ballot.options))
        numbers = "".join(f"<span>{n}</span>" for n in range(low, high + 1))
        return f'<span class="mark scale">{numbers}</span>'
    return '<span class="mark write" aria-hidden="true"></span>'  # ranks, numbers
