"""The phone pages under ``/p/``: server-rendered HTML that works without JavaScript.

Each page is a Jinja2 template in ``templates/`` (autoescaped), in the participant's
language (``?lang=``, then a cookie, then the browser's ``Accept-Language``, then the
workshop's). Forms post back to the same path; on success the answer is a redirect (303)
to the next page, on a refusal the same form comes back with the message and everything the
person sent (nothing lost). Every form carries a CSRF token tied to a random per-browser
cookie (:meth:`PageHandler.csrf_token`), and posts from another origin are refused.

The participant's token lives in an HttpOnly cookie scoped to the workshop's path; the
store keeps only its hash.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlencode, urlparse

import jinja2
from tornado import web

from toolkit import consent
from toolkit.ballots import ballot_rule
from toolkit.errors import InvalidInputError, NotFoundError, UreshiiError
from toolkit.i18n import LANGUAGES, normalize_language, t
from toolkit.model import CATEGORIES, Ballot, Participant
from toolkit.money import amount_text, exact_amount
from toolkit.server.access import FacilitatorAccess
from toolkit.server.handlers import UreshiiHandler
from toolkit.server.participant.api import status_of
from toolkit.server.participant.service import ParticipantService, WorkshopView
from toolkit.times import format_time, workshop_time_zone

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
LANG_COOKIE = "ureshii_lang"
CSRF_COOKIE = "ureshii_csrf"
CSRF_FIELD = "_csrf"
TOKEN_COOKIE_PREFIX = "ureshii_p_"
COOKIE_MAX_AGE_DAYS = 2
"""A phone keeps its place for the rest of the event (and the next day), not longer."""

PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

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
}


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the templates ship with the package: no stat() per page
    )
    env.filters["yen"] = lambda value: amount_text(exact_amount(value or 0))
    env.globals["consent_levels"] = consent.LEVELS  # 5 … 0, the order of every screen
    return env


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
    error: UreshiiError, lang: str, view: WorkshopView | None, ballot: Ballot | None
) -> str:
    """What a participant reads for ``error`` in ``lang`` (see :data:`PAGE_WORDS`)."""
    key = PAGE_WORDS.get(error.key)
    if key is None:
        return error.messages[normalize_language(lang)]
    params = dict(error.params)

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


class PageHandler(UreshiiHandler):
    """Shared by every phone page: language, token cookie, CSRF, rendering."""

    def initialize(
        self, service: ParticipantService, access: FacilitatorAccess, base_url: str
    ) -> None:
        self.service = service
        self.access = access
        self.root = base_url.rstrip("/") + "/p/"

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("Content-Security-Policy", PAGE_CSP)
        self.set_header("X-Frame-Options", "DENY")
        self.set_header("Vary", "Accept-Language, Cookie")

    def check_xsrf_cookie(self) -> None:
        return None  # checked by `check_form` with our own token

    # -------------------------------------------------------------- language
    def lang_for(self, view: WorkshopView | None) -> str:
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
        seed = getattr(self, "_csrf_seed", None) or self.get_cookie(CSRF_COOKIE)
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
        zone = workshop_time_zone(view.workshop.lang)
        return format_time(value, self.lang_for(view), zone=zone, date=False, seconds=seconds)

    def render_page(
        self,
        template: str,
        *,
        view: WorkshopView | None,
        status: int = 200,
        error: UreshiiError | None = None,
        ballot: Ballot | None = None,
        **context: Any,
    ) -> None:
        lang = self.lang_for(view)
        other = next(code for code in LANGUAGES if code != lang)
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
                language_link=self.language_link(other),
                view=view,
                ballot=ballot,
                rule=ballot_rule(ballot.rule) if ballot is not None else None,
                root=self.root,
                home=self.workshop_path(view.slug) if view is not None else self.root,
                csrf_field=CSRF_FIELD,
                csrf=self.csrf_token(),
                error_text=error_words(error, lang, view, ballot) if error else "",
                **context,
            )
        )
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


class EntryPage(PageHandler):
    """``/p/``: type a code (the workshop's 6 digits or a printed code), or pick a workshop."""

    def get(self) -> None:
        if not self.service.configured:
            self.message_page(NotFoundError("participant_no_store"), 503, None)
            return
        code = self.get_query_argument("code", "").strip()
        workshops = self.service.workshops()
        if code:
            found = self.service.find_code(code)
            if found is None:
                self.render_page(
                    "entry.html",
                    view=None,
                    status=404,
                    workshops=workshops,
                    code=code,
                    error=NotFoundError("participant_code_unknown"),
                )
                return
            slug, token = found
            if token is not None:
                self.set_token(slug, token)
            self.redirect(self.workshop_path(slug), status=303)
            return
        if len(workshops) == 1:
            # The join link and its QR code lead here: one meeting, straight in. Its join
            # page takes a code as well.
            self.redirect(self.workshop_path(workshops[0].slug), status=303)
            return
        self.render_page("entry.html", view=None, workshops=workshops, code="")


class WorkshopPage(PageHandler):
    """``/p/<slug>/``: the join page, or once joined, what is open now (a small script
    fetches it again every :attr:`LIVE_SECONDS` and shows what changed, such as a ballot
    just opened; without JavaScript the page's reload link does the same)."""

    LIVE_SECONDS = 15

    async def get(self, slug: str) -> None:
        view = self.view_or_404(slug)
        if view is None:
            return
        token = self.token(slug)
        participant = self.service.participant(slug, token)
        if token is None or participant is None:
            await self.service.door.enter()  # new phones queue here (see .door)
            self.render_page("join.html", view=view, categories=CATEGORIES)
            return
        votes = self.service.my_votes(slug, token)
        consented = view.charter is not None and self.service.has_consented(
            slug, token, view.charter
        )
        vision_consented = view.vision is not None and self.service.has_consented_vision(
            slug, token, view.vision
        )
        self.render_page(
            "home.html",
            view=view,
            votes=votes,
            consented=consented,
            vision_consented=vision_consented,
            scored=self.get_query_argument("scored", "") == "1",
            ballots=view.visible_ballots(),
            live_seconds=self.LIVE_SECONDS,
        )


class JoinPage(PageHandler):
    """``POST /p/<slug>/join``: a new anonymous device token in a cookie."""

    def get(self, slug: str) -> None:
        # Reached by reloading or sharing the address of a refused join: the join page.
        self.redirect(self.workshop_path(slug), status=303)

    async def post(self, slug: str) -> None:
        view = self.view_or_404(slug)
        if view is None:
            return
        category = self.get_body_argument("category", "") or None
        try:
            self.check_form()
            if category is not None and category not in CATEGORIES:
                raise FormError(
                    InvalidInputError(
                        "invalid_category", value=category, allowed=", ".join(CATEGORIES)
                    )
                )
            token = await self.service.join(slug, category=category)
        except (FormError, UreshiiError) as refused:
            error, status = refusal(refused)
            self.render_page(
                "join.html",
                view=view,
                status=status,
                categories=CATEGORIES,
                error=error,
                values={"category": [category or ""]},
            )
            return
        self.set_token(slug, token)
        self.redirect(self.workshop_path(slug), status=303)


# ---------------------------------------------------------------------- ballots
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


class BallotPage(PageHandler):
    """``/p/<slug>/b/<key>``: the ballot form, by its rule; posts the vote."""

    def get(self, slug: str, key: str) -> None:
        visit = self.visitor(slug)
        if visit is None:
            return
        view, token, participant = visit
        try:
            ballot = view.ballot(key)
        except NotFoundError as error:
            self.message_page(error, 404, view)
            return
        if key in self.service.my_votes(slug, token):
            self.redirect(f"{self.workshop_path(slug)}b/{quote(key)}/receipt", status=303)
            return
        self._show(view, ballot, participant)

    async def post(self, slug: str, key: str) -> None:
        visit = self.visitor(slug)
        if visit is None:
            return
        view, token, participant = visit
        try:
            ballot = view.ballot(key)
        except NotFoundError as missing:
            self.message_page(missing, 404, view)
            return
        form = self.form()
        try:
            self.check_form()
            payload = ballot_payload(ballot, form)
            await self.service.vote(slug, key, token, payload)
        except (FormError, UreshiiError) as refused:
            error, status = refusal(refused)
            # The ballot as it is now (it may have closed meanwhile), with what was sent.
            fresh = self.service.view(slug)
            current = fresh.ballots.get(key, ballot)
            voted = key in self.service.my_votes(slug, token)
            self._show(
                fresh, current, participant, values=form, error=error, status=status, voted=voted
            )
            return
        self.redirect(f"{self.workshop_path(slug)}b/{quote(key)}/receipt", status=303)

    def _show(
        self,
        view: WorkshopView,
        ballot: Ballot,
        participant: Participant,
        *,
        values: dict[str, list[str]] | None = None,
        error: UreshiiError | None = None,
        status: int = 200,
        voted: bool = False,
    ) -> None:
        self.render_page(
            "ballot.html",
            view=view,
            ballot=ballot,
            may_vote=may_vote(ballot, participant) and not voted,
            voted=voted,
            values=values or {},
            error=error,
            status=status,
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
        self.render_page(
            "receipt.html",
            view=view,
            ballot=view.ballots[key],
            vote=vote,
            ranked=ballot_rule(view.ballots[key].rule).ranked,
            at=self.local_time(view, vote.created_at),
            receipt=self.service.receipt(vote),
        )


class ResultsPage(PageHandler):
    """``/p/<slug>/b/<key>/results``: the tally once visible; while the ballot is open a small
    script fetches it again every :attr:`REFRESH_SECONDS` (no meta refresh: it reloads the
    whole page under a screen reader's cursor), and a reload link does it without one."""

    REFRESH_SECONDS = 10

    def get(self, slug: str, key: str) -> None:
        view = self.view_or_404(slug)
        if view is None:
            return
        try:
            ballot = view.ballot(key)
        except NotFoundError as error:
            self.message_page(error, 404, view)
            return
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


# ---------------------------------------------------------------------- cards, consent, scores
class CardPage(PageHandler):
    """``/p/<slug>/card``: what would make a stakeholder glad (うれしい)."""

    def get(self, slug: str) -> None:
        visit = self.visitor(slug)
        if visit is None:
            return
        view = visit[0]
        added = self.get_query_argument("added", "") == "1"
        self.render_page("card.html", view=view, added=added)

    async def post(self, slug: str) -> None:
        visit = self.visitor(slug)
        if visit is None:
            return
        view, token, _ = visit
        text = self.get_body_argument("text", "", strip=False)
        stakeholder = self.get_body_argument("stakeholder", "") or None
        try:
            self.check_form()
            await self.service.add_card(slug, token, text, stakeholder)
        except (FormError, UreshiiError) as refused:
            error, status = refusal(refused)
            self.render_page(
                "card.html",
                view=view,
                values={"text": [text], "stakeholder": [stakeholder or ""]},
                error=error,
                added=False,
                status=status,
            )
            return
        self.redirect(f"{self.workshop_path(slug)}card?added=1", status=303)


class _ConsentForm(PageHandler):
    """A fist-of-five answer to one version of what the group is asked to consent to (the
    one scale of :mod:`toolkit.consent`, ``consent_form.html``). The charter's and the
    vision's pages differ only in what they ask about: their template, whether this person
    has answered, when the form is closed, and the store write."""

    TEMPLATE = ""
    PAGE = ""
    """The page's address under the workshop (the form posts to it, and returns there)."""

    def answered(self, slug: str, token: str, view: WorkshopView) -> bool:
        raise NotImplementedError

    def closed(self, view: WorkshopView) -> UreshiiError | None:
        """Why the form no longer takes answers, if it does not (the store refuses the rest)."""
        return None

    async def record(self, slug: str, token: str, level: int, version: int) -> None:
        raise NotImplementedError

    def get(self, slug: str) -> None:
        visit = self.visitor(slug)
        if visit is None:
            return
        view, token, _ = visit
        self.render_page(self.TEMPLATE, view=view, done=self.answered(slug, token, view))

    async def post(self, slug: str) -> None:
        visit = self.visitor(slug)
        if visit is None:
            return
        view, token, _ = visit
        level = self.get_body_argument("level", "")
        version = self.get_body_argument("version", "")
        try:
            self.check_form()
            closed = self.closed(view)
            if closed is not None:
                raise FormError(closed, 409)
            if not level.isdigit() or len(level) > 1:
                raise FormError(InvalidInputError("participant_choose_one"))
            # The version the person read; anything else is not a form this page sent.
            if not (version.isdigit() and len(version) <= 6):
                raise FormError(InvalidInputError("participant_form_expired"), 400)
            await self.record(slug, token, int(level), int(version))
        except (FormError, UreshiiError) as refused:
            error, status = refusal(refused)
            self.service.forget(slug)  # a newer version, or the phase moved on: show it now
            self.render_page(
                self.TEMPLATE,
                view=self.service.view(slug),
                error=error,
                done=False,
                values={"level": [level]},
                status=status,
            )
            return
        self.redirect(f"{self.workshop_path(slug)}{self.PAGE}", status=303)


class ConsentPage(_ConsentForm):
    """``/p/<slug>/consent``: fist of five on the proposed method charter."""

    TEMPLATE, PAGE = "consent.html", "consent"

    def answered(self, slug: str, token: str, view: WorkshopView) -> bool:
        charter = view.charter
        return charter is not None and self.service.has_consented(slug, token, charter)

    async def record(self, slug: str, token: str, level: int, version: int) -> None:
        await self.service.consent(slug, token, level, version)


class VisionConsentPage(_ConsentForm):
    """``/p/<slug>/vision``: the newest vision draft and the consent check on it, during
    the vision phase (the same scale as the table laptops and the charter)."""

    TEMPLATE, PAGE = "vision.html", "vision"

    def answered(self, slug: str, token: str, view: WorkshopView) -> bool:
        vision = view.vision
        return vision is not None and self.service.has_consented_vision(slug, token, vision)

    def closed(self, view: WorkshopView) -> UreshiiError | None:
        if view.vision_consent_open():
            return None
        return InvalidInputError("participant_vision_closed")

    async def record(self, slug: str, token: str, level: int, version: int) -> None:
        await self.service.vision_consent(slug, token, level, version)


class ScorePage(PageHandler):
    """``/p/<slug>/score/<n>``: one issue per page, every criterion, "don't know" allowed."""

    def get(self, slug: str, number: str) -> None:
        visit = self.visitor(slug)
        if visit is None:
            return
        view = visit[0]
        self._show(view, number)

    def _show(
        self,
        view: WorkshopView,
        number: str,
        *,
        values: dict[str, list[str]] | None = None,
        error: UreshiiError | None = None,
        status: int = 200,
    ) -> None:
        issues = list(view.issues.values())
        index = int(number) - 1 if number.isdigit() else -1
        if not view.scoring_open():
            self.message_page(InvalidInputError("participant_scoring_not_open"), 409, view)
            return
        if not 0 <= index < len(issues):
            self.message_page(NotFoundError("not_found_issue", key=number), 404, view)
            return
        self.render_page(
            "score.html",
            view=view,
            issue=issues[index],
            number=index + 1,
            total=len(issues),
            values=values or {},
            error=error,
            status=status,
        )

    async def post(self, slug: str, number: str) -> None:
        visit = self.visitor(slug)
        if visit is None:
            return
        view, token, _ = visit
        issues = list(view.issues.values())
        index = int(number) - 1 if number.isdigit() else -1
        form = self.form()
        try:
            self.check_form()
            if not 0 <= index < len(issues):
                raise FormError(NotFoundError("not_found_issue", key=number), 404)
            scores: dict[tuple[str, str], float | None] = {}
            for criterion in view.criteria:
                raw = (form.get(f"c_{criterion.key}") or [""])[0]
                if raw == "dk":
                    scores[(issues[index].key, criterion.key)] = None
                elif raw.lstrip("-").isdigit() and len(raw) < 7:
                    scores[(issues[index].key, criterion.key)] = int(raw)
            if not scores:
                raise FormError(InvalidInputError("participant_choose_one"))
            await self.service.scores(slug, token, scores)
        except (FormError, UreshiiError) as refused:
            error, status = refusal(refused)
            self._show(self.service.view(slug), number, values=form, error=error, status=status)
            return
        following = index + 2
        if following > len(issues):
            self.redirect(f"{self.workshop_path(slug)}?scored=1", status=303)
        else:
            self.redirect(f"{self.workshop_path(slug)}score/{following}", status=303)


class StaticFile(web.RequestHandler):
    """``/p/static/…``: the one small script that adds live counters (pages work without it)."""

    FILES: ClassVar[dict[str, str]] = {"enhance.js": "application/javascript; charset=utf-8"}

    def initialize(self, **_shared: Any) -> None:
        """Takes the route's shared arguments (service, access, base_url) and needs none."""

    def set_default_headers(self) -> None:
        # Also on Tornado's own error answers (405 for a POST …): nothing may run or frame.
        self.set_header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")

    def get(self, name: str) -> None:
        if name not in self.FILES:
            raise web.HTTPError(404)
        self.set_header("Content-Type", self.FILES[name])
        self.set_header("Cache-Control", "public, max-age=3600")
        self.finish((STATIC / name).read_bytes())
