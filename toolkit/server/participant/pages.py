"""The phone pages under ``/p/``: server-rendered HTML that works without JavaScript.

This module holds what every page shares (:class:`PageHandler`) and the one script;
the pages themselves are in :mod:`.join_pages` (code, join, home), :mod:`.ballot_pages`
(ballot, receipt, results), :mod:`.answer_pages` (card, consent checks, scores) and
:mod:`.survey_pages` (surveys).

Each page is a Jinja2 template in ``page_templates/`` (autoescaped), in the participant's
language (``?lang=``, then a cookie, then the browser's ``Accept-Language``, then the
workshop's). Forms post back to the same path; on success the answer is a redirect (303)
to the next page, on a refusal the same form comes back with the message and everything the
person sent (nothing lost). Every form carries a CSRF token tied to a random per-browser
cookie (:meth:`PageHandler.csrf_token`), and posts from another origin are refused.

The participant's token lives in an HttpOnly cookie scoped to the workshop's path; the
store keeps only its hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import weakref
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlencode, urlparse

import jinja2
import markupsafe

from toolkit import consent
from toolkit.ballots import ballot_rule
from toolkit.errors import InvalidInputError, NotFoundError, UreshiiError
from toolkit.i18n import LANGUAGES, normalize_language, t
from toolkit.model import Ballot, Participant, Survey
from toolkit.money import amount_text, exact_amount
from toolkit.server.access import FacilitatorAccess
from toolkit.server.handlers import UreshiiHandler
from toolkit.server.light_handler import LightHandler
from toolkit.server.participant.api import status_of
from toolkit.server.participant.service import ParticipantService, WorkshopView
from toolkit.surveys.definition import LINK_QUESTIONS, MAX_TEXT, likert_labels, local
from toolkit.times import format_time, workshop_time_zone

PAGE_TEMPLATES = Path(__file__).parent / "page_templates"
LANG_COOKIE = "ureshii_lang"
CSRF_COOKIE = "ureshii_csrf"
CSRF_FIELD = "_csrf"
TOKEN_COOKIE_PREFIX = "ureshii_p_"
COOKIE_MAX_AGE_DAYS = 2
"""A phone keeps its place for the rest of the event (and the next day), not longer."""
CSRF_SLOT = "ureshii-csrf-slot-4b7e19"
"""Where a cached page's CSRF token goes (:meth:`PageHandler.render_page`'s ``cache_key``)."""
PAGES_PER_VIEW = 256
"""Rendered pages kept per workshop snapshot (languages × links × what differs per phone)."""

ENHANCE_SCRIPT = (PAGE_TEMPLATES / "enhance.js").read_text(encoding="utf-8")
"""The pages' one script (live "dots left" lines, the vote answered in place; every page
works without it). It is written into the pages that use it, so a phone asks for nothing
besides the page: no script file, and no ``/favicon.ico`` (``base.html`` names its icon)."""
_DIGEST = hashlib.sha256(ENHANCE_SCRIPT.encode()).digest()
SCRIPT_HASH = f"'sha256-{base64.b64encode(_DIGEST).decode()}'"
"""The Content-Security-Policy's one allowed script: these bytes and no others run."""
PAGE_ICON = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAACAAAAAgBAMAAACBVGfHAAAAMFBMVEUKPrIAAAALQLgLPLQAAP8MRMEKPrIK"
    "QLYAVaoKPrQKPrQKQbMAVf8Af38Af/8AAADvcD1fAAAAEHRSTlP9APoNAf+OiQNQvlADAgIATdXf1gAAAR9J"
    "REFUeNqNkr0vQ2EUxn/veW81JU2chKTxkVQlRGJotIRRyt50MFgMIiYiRpu/wGCXWBili4Wli5FKDEhcnYnm"
    "YmiquWWgei8GZ3t+ec7Hm+c1Ckyck8Jl+A5AVRM6swWHu7qtqjYGa9UHp66ls8U9H4wS9zsbFUDyS+k0aM/l"
    "ZhIAZHRwVoX3ebfyCZrunIeNHb0d8FXNkZuGSZhopQWQHc9OOzXvG5jbF3nKtA00MxfkhEAls/Qng0CKNjZ5"
    "HQBOh2TLQYefIx1usaGRAP8AfWG9b5/Da+MSCa/N/zpdqstBMHVvx91o+/lSG3OuTDTgWPfQ0kpbLwyoUCjm"
    "WzrS1YtgTlKtGFKn3b+DcuB14/ixUMb6Q6v1P8I2P7/DB5iXUbCoDeLrAAAAAElFTkSuQmCC"
)
"""The pages' icon, a dot in their blue (a 32 × 32 PNG, 432 bytes), inside each page: a
browser that finds no icon in a page asks the server for ``/favicon.ico``, one request more
per phone in a full room."""
PAGE_CSP = (
    f"default-src 'none'; style-src 'unsafe-inline'; script-src {SCRIPT_HASH}; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)

ANSWER_FIELD = "answer"
"""Sent as ``answer=here`` by a form whose page script runs (the script enables the field,
disabled in the page): a stored vote is answered with its receipt, a survey's answers with
its thanks, in place of a redirect, and the script puts that page's own address in the
address bar, so a reload or a bookmark asks for it and never sends the form again. Without
the script the answer is a redirect (post, redirect, get). In a crowd this saves each phone
one request."""


def answer_here(form: dict[str, list[str]]) -> bool:
    """Whether a posted form asks to be answered in place (see :data:`ANSWER_FIELD`)."""
    return form.get(ANSWER_FIELD) == ["here"]


# Refusals from the store that a resident reads in the page's own words: plain language,
# the option's name instead of its key, "dots" as the ballot calls them. An error not listed
# keeps the store's message (already in ja and en).
PAGE_WORDS: dict[str, str] = {
    "duplicate_vote": "p_vote_duplicate",
    "ballot_not_open": "p_ballot_not_open",
    "ballot_closed": "p_ballot_not_open",
    "vote_not_eligible": "p_ballot_codes_only",
    "vote_too_many_dots": "p_vote_too_many_dots",
    "vote_too_many_per_option": "p_vote_too_many_per_option",
    "vote_unknown_option": "participant_unknown_choice",
    "vote_score_range": "p_vote_score_range",
    "vote_bad_count": "participant_not_a_number",
    "participant_not_a_number": "participant_not_a_number",
    "charter_not_locked": "participant_scoring_not_open",
    "consent_already_given": "p_consent_already",
    "vision_consent_already_given": "p_vision_already",
    "consent_level": "participant_choose_one",
    "text_required": "p_card_text_required",
    "text_too_long": "p_card_text_too_long",
    "score_out_of_scale": "p_score_out_of_scale",
    "not_found_workshop": "p_workshop_unknown",
    "not_found_ballot": "p_ballot_unknown",
    "not_found_issue": "p_issue_unknown",
    "not_found_survey": "p_survey_unknown",
    "not_found_survey_wave": "p_survey_unknown",
    "survey_not_open": "p_survey_not_open",
    "survey_codes_only": "p_survey_codes_only",
    "survey_already_answered": "p_survey_already",
    "survey_answer_required": "p_survey_answer_required",
    "survey_answer_scale": "p_survey_answer_scale",
    "survey_answer_option": "p_survey_answer_option",
    "survey_answer_repeated": "p_survey_answer_repeated",
    "survey_answer_too_many": "p_survey_answer_too_many",
    "survey_answer_number": "p_survey_answer_number",
    "survey_answer_range": "p_survey_answer_range",
    "survey_answer_text": "p_survey_answer_text",
    "survey_answer_text_long": "p_survey_answer_text_long",
    "survey_link_day": "p_survey_link_day",
    "survey_link_letter": "p_survey_link_letter",
}


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PAGE_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the templates ship with the package: no stat() per page
    )
    env.filters["yen"] = lambda value: amount_text(exact_amount(value or 0))
    env.globals["consent_levels"] = consent.LEVELS  # 5 … 0, the order of every screen
    env.globals["enhance_script"] = markupsafe.Markup(f"<script>{ENHANCE_SCRIPT}</script>")
    env.globals["page_icon"] = PAGE_ICON
    env.globals["local"] = local  # a survey's wording in the page's language
    env.globals["likert_labels"] = likert_labels
    env.globals["link_questions"] = LINK_QUESTIONS
    env.globals["max_text"] = MAX_TEXT
    env.globals["plain_number"] = lambda n: str(int(n)) if float(n).is_integer() else str(n)
    return env


def slot_mark(name: str) -> str:
    """What a cached page holds in place of the request's own value ``name``."""
    return f"ureshii-slot-{name}-4b7e19"


def fill_slots(page: str, csrf: str, slots: dict[str, str] | None) -> str:
    """A cached page with this request's CSRF token and ``slots`` put in (escaped)."""
    page = page.replace(CSRF_SLOT, csrf)
    for name, value in (slots or {}).items():
        page = page.replace(slot_mark(name), str(markupsafe.escape(value)))
    return page


_RENDERED: weakref.WeakKeyDictionary[
    ParticipantService, dict[str, tuple[WorkshopView, dict[tuple[Any, ...], str]]]
] = weakref.WeakKeyDictionary()


def rendered_pages(service: ParticipantService, view: WorkshopView) -> dict[tuple[Any, ...], str]:
    """The pages ``service`` rendered from this snapshot of a workshop, by what else they
    depend on (:meth:`PageHandler.render_page`'s ``cache_key``). A new snapshot (when a read
    finds the definitions changed, or after ``forget``) starts empty: a page never outlives
    the definitions it was drawn from."""
    workshops = _RENDERED.setdefault(service, {})
    found = workshops.get(view.slug)
    if found is None or found[0] is not view:
        found = (view, {})
        workshops[view.slug] = found
    return found[1]


def browser_language(header: str | None) -> str | None:
    """The language of ours that an ``Accept-Language`` header prefers most, if any.

    >>> browser_language("fr-FR,fr;q=0.9,ja;q=0.8,en;q=0.5")
    'ja'
    """
    best, best_q = None, 0.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        code = tag.strip().lower().split("-")[0]
        if code in LANGUAGES and q > best_q:
            best, best_q = code, q
    return best


def error_words(
    error: UreshiiError,
    lang: str,
    view: WorkshopView | None,
    ballot: Ballot | None,
    survey: Survey | None = None,
) -> str:
    """What a participant reads for ``error`` in ``lang`` (see :data:`PAGE_WORDS`): a
    ballot's options and a survey's questions by their names, never their keys."""
    key = PAGE_WORDS.get(error.key)
    if key is None:
        return error.messages[normalize_language(lang)]
    params = dict(error.params)
    if survey is not None:
        spec = survey.definition
        params["survey"] = local(spec.title, lang)
        if "question" in params:
            asked = {q.id: q for q in spec.questions}.get(str(params["question"]))
            if asked is not None:
                params["question"] = local(asked.text, lang)
        if key == "p_survey_answer_range" and not params.get("low"):
            key = "p_survey_answer_range_max"
        elif key == "p_survey_answer_range" and not params.get("high"):
            key = "p_survey_answer_range_min"

    def name(option: str) -> str:
        if view is not None and ballot is not None:
            return view.option_label(ballot, option, lang)
        return option

    if "option" in params:
        params["option"] = name(str(params["option"]))
    if "options" in params:
        names = [name(o) for o in str(params["options"]).split(", ")]
        params["options"] = ("、" if lang == "ja" else ", ").join(names)
    if "criterion" in params and view is not None:
        criteria = {c.key: c.name for c in view.criteria}
        params["criterion"] = criteria.get(str(params["criterion"]), params["criterion"])
    return t(key, lang, **params)


class FormError(Exception):
    """A form that cannot be taken as sent: shown again with this message."""

    def __init__(self, error: UreshiiError, status: int = 422) -> None:
        super().__init__(error.key)
        self.error = error
        self.status = status


def refusal(error: Exception) -> tuple[UreshiiError, int]:
    """The error and HTTP status of a refused form."""
    if isinstance(error, FormError):
        return error.error, error.status
    assert isinstance(error, UreshiiError)
    return error, status_of(error)


class PageHandler(LightHandler):
    """Shared by every phone page: language, token cookie, CSRF, rendering (on the lighter
    request path of :mod:`toolkit.server.light_handler`: a town meeting's burst is these
    pages)."""

    def initialize(
        self, service: ParticipantService, access: FacilitatorAccess, base_url: str
    ) -> None:
        self.service = service
        self.access = access
        self.root = base_url.rstrip("/") + "/p/"
        self._lang: tuple[WorkshopView | None, str] | None = None  # (`lang_for`'s answer)
        self._csrf_seed: str | None = None  # this browser's CSRF seed, once known

    DEFAULT_HEADERS: ClassVar[tuple[tuple[str, str], ...]] = (
        *UreshiiHandler.DEFAULT_HEADERS,
        ("Content-Security-Policy", PAGE_CSP),  # replaces the shared one
        ("X-Frame-Options", "DENY"),
        ("Vary", "Accept-Language, Cookie"),
    )

    # -------------------------------------------------------------- language
    def lang_for(self, view: WorkshopView | None) -> str:
        """The page's language (see the module), worked out once per request."""
        known = self._lang
        if known is not None and known[0] is view:
            return known[1]
        lang = self._choose_lang(view)
        self._lang = (view, lang)
        return lang

    def _choose_lang(self, view: WorkshopView | None) -> str:
        asked = self.get_query_argument("lang", None)
        if asked in LANGUAGES:
            self.set_cookie(LANG_COOKIE, asked, path=self.root, httponly=True, samesite="Lax")
            return asked
        cookie = self.get_cookie(LANG_COOKIE)
        if cookie in LANGUAGES:
            return cookie
        browser = browser_language(self.request.headers.get("Accept-Language"))
        if browser is not None:
            return browser
        if view is None:
            workshops = self.service.workshops() if self.service.configured else []
            if len(workshops) == 1:
                return workshops[0].lang
        return normalize_language(view.workshop.lang if view is not None else None)

    def language_link(self, lang: str) -> str:
        """The same page in ``lang`` (a form's answer links the page the form is on)."""
        path = self.request.path
        if self.request.method != "GET":
            path = path.rsplit("/join", 1)[0] + "/" if path.endswith("/join") else path
            return f"{path}?lang={lang}"
        query = [
            (name, value.decode("utf-8", "replace"))
            for name, values in self.request.query_arguments.items()
            if name != "lang"
            for value in values
        ]
        return f"{path}?{urlencode([*query, ('lang', lang)])}"

    # -------------------------------------------------------------- token
    def workshop_path(self, slug: str) -> str:
        return f"{self.root}{quote(slug)}/"

    def token(self, slug: str) -> str | None:
        return self.get_cookie(TOKEN_COOKIE_PREFIX + slug)

    def set_token(self, slug: str, token: str) -> None:
        self.set_cookie(
            TOKEN_COOKIE_PREFIX + slug,
            token,
            path=self.workshop_path(slug),
            httponly=True,
            samesite="Lax",
            secure=self.request.protocol == "https",
            expires_days=COOKIE_MAX_AGE_DAYS,
        )

    # -------------------------------------------------------------- CSRF
    def csrf_token(self) -> str:
        seed = self._csrf_seed or self.get_cookie(CSRF_COOKIE)
        if not seed or len(seed) > 64:
            seed = secrets.token_urlsafe(16)
            self.set_cookie(
                CSRF_COOKIE,
                seed,
                path=self.root,
                httponly=True,
                samesite="Lax",
                secure=self.request.protocol == "https",
            )
        self._csrf_seed = seed
        return self.service.keyed("csrf", seed)

    def check_form(self) -> None:
        """Refuse a post from another origin or without this browser's CSRF token.

        A missing or ``null`` Origin is let through (old browsers, privacy settings and
        no-referrer pages send one): the token decides then. The Origin check only adds a
        second lock for browsers that say where a post comes from.
        """
        origin = self.request.headers.get("Origin")
        if origin and origin != "null" and urlparse(origin).netloc != self.request.host:
            raise FormError(InvalidInputError("participant_form_expired"), 403)
        seed = self.get_cookie(CSRF_COOKIE) or ""
        given = self.get_body_argument(CSRF_FIELD, "")
        expected = self.service.keyed("csrf", seed) if seed else ""
        if not seed or not hmac.compare_digest(given.encode(), expected.encode()):
            raise FormError(InvalidInputError("participant_form_expired"), 403)

    def form(self) -> dict[str, list[str]]:
        """What was posted, every value as text, without the CSRF token."""
        return {
            name: [value.decode("utf-8", "replace") for value in values]
            for name, values in self.request.body_arguments.items()
            if name != CSRF_FIELD
        }

    # -------------------------------------------------------------- rendering
    def local_time(self, view: WorkshopView, value: datetime, *, seconds: bool = False) -> str:
        """A time in the workshop's time zone with its offset, in the page's language."""
        zone = workshop_time_zone(view.workshop.time_zone)
        return format_time(value, self.lang_for(view), zone=zone, date=False, seconds=seconds)

    def render_page(
        self,
        template: str,
        *,
        view: WorkshopView | None,
        status: int = 200,
        error: UreshiiError | None = None,
        ballot: Ballot | None = None,
        survey: Survey | None = None,
        cache_key: tuple[Any, ...] | None = None,
        slots: dict[str, str] | None = None,
        address: str | None = None,
        **context: Any,
    ) -> None:
        """Render ``template`` and answer with it.

        ``cache_key``: the caller says the page is fully determined by the workshop snapshot
        (``view``), ``ballot``, ``survey``, the language, the language link and these values
        (never with an error shown or a form's values): it is then rendered once per
        snapshot and reused, with this browser's CSRF token put in. A burst of a thousand
        phones loading the same join or ballot page costs one rendering, until the
        facilitator changes what it shows.

        ``slots``: more values of this request only (a receipt's number and time), given to
        the template like ``context`` and, in a cached page, put in the same way (escaped,
        as the template's ``{{ }}`` would). Each must be shown by ``{{ }}`` only, unchanged.

        ``address``: the page's own address when it answers a form posted elsewhere (a
        receipt or a survey's thanks shown in place of a redirect): its language link is
        then that address's.
        """
        lang = self.lang_for(view)
        other = next(code for code in LANGUAGES if code != lang)
        if address:  # a survey's thanks: …/surveys/<key>?sent=1
            language_link = f"{address}{'&' if '?' in address else '?'}lang={other}"
        else:
            language_link = self.language_link(other)
        csrf = self.csrf_token()
        pages: dict[tuple[Any, ...], str] | None = None
        key: tuple[Any, ...] = ()
        if (
            cache_key is not None
            and view is not None
            and error is None
            and not context.get("values")
        ):
            pages = rendered_pages(self.service, view)
            key = (
                template,
                status,
                lang,
                language_link,
                self.root,
                ballot.key if ballot is not None else None,
                survey.key if survey is not None else None,
                *cache_key,
            )
            page = pages.get(key)
            if page is not None:
                self.write_html(fill_slots(page, csrf, slots), status=status)
                return
        overrides = (view.workshop.spec.get("messages") or {}) if view is not None else {}

        def tr(key: str, **params: Any) -> str:
            return t(key, lang, overrides=overrides, **params)

        context.setdefault("values", {})
        html = (
            environment()
            .get_template(template)
            .render(
                t=tr,
                lang=lang,
                other_lang=other,
                language_link=language_link,
                view=view,
                ballot=ballot,
                rule=ballot_rule(ballot.rule) if ballot is not None else None,
                root=self.root,
                home=self.workshop_path(view.slug) if view is not None else self.root,
                csrf_field=CSRF_FIELD,
                csrf=CSRF_SLOT if pages is not None else csrf,
                survey=survey,
                address=address,
                error_text=error_words(error, lang, view, ballot, survey) if error else "",
                **context,
                **{
                    name: slot_mark(name) if pages is not None else value
                    for name, value in (slots or {}).items()
                },
            )
        )
        if pages is not None:
            if len(pages) < PAGES_PER_VIEW:
                pages[key] = html
            html = fill_slots(html, csrf, slots)
        self.write_html(html, status=status)

    def message_page(self, error: UreshiiError, status: int, view: WorkshopView | None) -> None:
        self.render_page("message.html", view=view, status=status, error=error)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A failure nobody planned for: a short ja/en page, never a traceback on a phone."""
        key = "p_error_server" if status_code >= 500 else "p_error_request"
        try:
            self.clear()
            self.set_default_headers()
            self.render_page("message.html", view=None, status=status_code, error=UreshiiError(key))
        except Exception:  # the page itself failed: Tornado's plain answer then
            super().write_error(status_code, **kwargs)

    def view_or_404(self, slug: str) -> WorkshopView | None:
        try:
            return self.service.view(slug)
        except NotFoundError as error:
            self.message_page(error, 404, None)
            return None

    def visitor(self, slug: str) -> tuple[WorkshopView, str, Participant] | None:
        """The workshop, token and participant of a joined phone; None once it has been
        answered instead (an unknown workshop's page, or the way to the join page)."""
        view = self.view_or_404(slug)
        if view is None:
            return None
        me = self.joined(slug)
        if me is None:
            return None
        return view, *me

    def joined(self, slug: str) -> tuple[str, Participant] | None:
        """The token and participant of a joined phone, or None after sending it to join."""
        token = self.token(slug)
        participant = self.service.participant(slug, token)
        if token and participant is not None:
            return token, participant
        self.redirect(self.workshop_path(slug), status=303)
        return None
