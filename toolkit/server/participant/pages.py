"""The phone pages under ``/p/``: server-rendered HTML that works without JavaScript.

Each page is a Jinja2 template in ``templates/`` (autoescaped), in the participant's
language (``?lang=``, then a cookie, then the workshop's). Forms post back to the same
path; on success the answer is a redirect (303) to the next page, on a refusal the same form
comes back with the message and everything the person typed (nothing lost). Every form
carries a CSRF token tied to a random per-browser cookie (:meth:`PageHandler.csrf_token`),
and posts from another origin are refused.

The participant's token lives in an HttpOnly cookie scoped to the workshop's path; the
store keeps only its hash.
"""

from __future__ import annotations

import hmac
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlparse

import jinja2
from tornado import web

from toolkit.errors import InvalidInputError, NotFoundError, UreshiiError
from toolkit.i18n import LANGUAGES, normalize_language, t
from toolkit.model import CATEGORIES, Ballot
from toolkit.server.access import FacilitatorAccess
from toolkit.server.handlers import UreshiiHandler
from toolkit.server.participant.service import ParticipantService, WorkshopView

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


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


class FormError(Exception):
    """A form that cannot be taken as sent: shown again with this message."""

    def __init__(self, error: UreshiiError, status: int = 422) -> None:
        super().__init__(error.key)
        self.error = error
        self.status = status


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
        return normalize_language(view.workshop.lang if view is not None else None)

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
        seed = self.get_cookie(CSRF_COOKIE)
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
            self._new_csrf_seed = seed
        return self.service.keyed("csrf", seed)

    def check_form(self) -> None:
        """Refuse a post from another origin or without this browser's CSRF token."""
        origin = self.request.headers.get("Origin")
        if origin and origin != "null" and urlparse(origin).netloc != self.request.host:
            raise FormError(InvalidInputError("participant_form_expired"), 403)
        seed = self.get_cookie(CSRF_COOKIE) or ""
        given = self.get_body_argument(CSRF_FIELD, "")
        expected = self.service.keyed("csrf", seed) if seed else ""
        if not seed or not hmac.compare_digest(given.encode(), expected.encode()):
            raise FormError(InvalidInputError("participant_form_expired"), 403)

    # -------------------------------------------------------------- rendering
    def render_page(
        self, template: str, *, view: WorkshopView | None, status: int = 200, **context: Any
    ) -> None:
        lang = self.lang_for(view)
        page = environment().get_template(template)

        def tr(key: str, **params: Any) -> str:
            return t(key, lang, **params)

        html = page.render(
            t=tr,
            lang=lang,
            other_lang=next(code for code in LANGUAGES if code != lang),
            view=view,
            root=self.root,
            home=self.workshop_path(view.slug) if view is not None else self.root,
            path=self.request.path,
            csrf_field=CSRF_FIELD,
            csrf=self.csrf_token(),
            **context,
        )
        self.write_html(html, status=status)

    def message_page(self, error: UreshiiError, status: int, view: WorkshopView | None) -> None:
        self.render_page("message.html", view=view, status=status, error=error)

    def view_or_404(self, slug: str) -> WorkshopView | None:
        try:
            return self.service.view(slug)
        except NotFoundError as error:
            self.message_page(error, 404, None)
            return None

    def joined(self, slug: str, view: WorkshopView) -> str | None:
        """The token of a joined participant, or None after sending them to the join page."""
        token = self.token(slug)
        if token and self.service.participant(slug, token) is not None:
            return token
        self.redirect(self.workshop_path(slug), status=303)
        return None


class EntryPage(PageHandler):
    """``/p/``: type a code (the workshop's 6 digits or a printed code), or pick a workshop."""

    def get(self) -> None:
        if not self.service.configured:
            self.message_page(NotFoundError("participant_no_store"), 503, None)
            return
        code = self.get_query_argument("code", "")
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
            self.redirect(self.workshop_path(workshops[0].slug), status=303)
            return
        self.render_page("entry.html", view=None, workshops=workshops, code="", error=None)


class WorkshopPage(PageHandler):
    """``/p/<slug>/``: the join page, or once joined, what is open now."""

    def get(self, slug: str) -> None:
        view = self.view_or_404(slug)
        if view is None:
            return
        token = self.token(slug)
        participant = self.service.participant(slug, token)
        if token is None or participant is None:
            self.render_page("join.html", view=view, categories=CATEGORIES, error=None)
            return
        votes = self.service.my_votes(slug, token)
        consented = view.charter is not None and self.service.has_consented(
            slug, token, view.charter
        )
        self.render_page(
            "home.html",
            view=view,
            participant=participant,
            votes=votes,
            consented=consented,
            ballots=view.visible_ballots(),
        )


class JoinPage(PageHandler):
    """``POST /p/<slug>/join``: a new anonymous device token in a cookie."""

    async def post(self, slug: str) -> None:
        view = self.view_or_404(slug)
        if view is None:
            return
        try:
            self.check_form()
            category = self.get_body_argument("category", "") or None
            if category is not None and category not in CATEGORIES:
                raise FormError(
                    InvalidInputError(
                        "invalid_category", value=category, allowed=", ".join(CATEGORIES)
                    )
                )
            token = await self.service.join(slug, category=category)
        except FormError as refused:
            self.render_page(
                "join.html",
                view=view,
                status=refused.status,
                categories=CATEGORIES,
                error=refused.error,
            )
            return
        self.set_token(slug, token)
        self.redirect(self.workshop_path(slug), status=303)


# ---------------------------------------------------------------------- ballots
def ballot_payload(ballot: Ballot, form: dict[str, list[str]]) -> Any:
    """The vote a ballot form describes (fields ``choice`` or ``o<i>``), for ``validate_vote``.

    Raises ``InvalidInputError`` (ja/en) for what the form itself gets wrong: no choice,
    a number that is not one, a rank used twice.
    """
    options = ballot.options

    def option(index: str) -> str:
        if not index.isdigit() or int(index) >= len(options):
            raise InvalidInputError("participant_unknown_choice")
        return options[int(index)]

    rule = ballot.rule
    if rule == "single":
        chosen = form.get("choice", [])
        if not chosen:
            raise InvalidInputError("participant_choose_one")
        return option(chosen[0])
    if rule in ("approval", "equal_shares", "greedy_budget"):
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
    if rule in ("borda", "schulze"):
        ranks = sorted(numbers.items(), key=lambda item: item[1])
        used = [rank for _, rank in ranks]
        if len(set(used)) != len(used):
            raise InvalidInputError("participant_rank_repeated")
        return [name for name, _ in ranks]
    if rule in ("dot_votes", "points"):
        return {name: n for name, n in numbers.items() if n}
    return numbers  # score: blank = not scored


def form_values(form: dict[str, list[str]]) -> dict[str, list[str]]:
    """What the person sent, to fill the form again after a refusal."""
    return {k: v for k, v in form.items() if k != CSRF_FIELD}


class BallotPage(PageHandler):
    """``/p/<slug>/b/<key>``: the ballot form, by its rule; posts the vote."""

    def get(self, slug: str, key: str) -> None:
        view = self.view_or_404(slug)
        if view is None:
            return
        token = self.joined(slug, view)
        if token is None:
            return
        try:
            ballot = view.ballot(key)
        except NotFoundError as error:
            self.message_page(error, 404, view)
            return
        if key in self.service.my_votes(slug, token):
            self.redirect(f"{self.workshop_path(slug)}b/{quote(key)}/receipt", status=303)
            return
        self.render_page("ballot.html", view=view, ballot=ballot, values={}, error=None)

    async def post(self, slug: str, key: str) -> None:
        view = self.view_or_404(slug)
        if view is None:
            return
        token = self.joined(slug, view)
        if token is None:
            return
        form = {
            name: [value.decode("utf-8", "replace") for value in values]
            for name, values in self.request.body_arguments.items()
        }
        try:
            ballot = view.ballot(key)
        except NotFoundError as error:
            self.message_page(error, 404, view)
            return
        try:
            self.check_form()
            payload = ballot_payload(ballot, form)
            await self.service.vote(slug, key, token, payload)
        except FormError as refused:
            self._again(view, ballot, form, refused.error, refused.status)
            return
        except UreshiiError as error:
            from toolkit.server.participant.api import status_of

            self._again(view, ballot, form, error, status_of(error))
            return
        self.redirect(f"{self.workshop_path(slug)}b/{quote(key)}/receipt", status=303)

    def _again(
        self,
        view: WorkshopView,
        ballot: Ballot,
        form: dict[str, list[str]],
        error: UreshiiError,
        status: int,
    ) -> None:
        fresh = self.service.view(view.slug)
        current = fresh.ballots.get(ballot.key, ballot)
        self.render_page(
            "ballot.html",
            view=fresh,
            ballot=current,
            values=form_values(form),
            error=error,
            status=status,
        )


class ReceiptPage(PageHandler):
    """``/p/<slug>/b/<key>/receipt``: the vote as stored, with its receipt number."""

    def get(self, slug: str, key: str) -> None:
        view = self.view_or_404(slug)
        if view is None:
            return
        token = self.joined(slug, view)
        if token is None:
            return
        vote = self.service.my_votes(slug, token).get(key)
        if vote is None:
            self.redirect(f"{self.workshop_path(slug)}b/{quote(key)}", status=303)
            return
        ballot = view.ballots[key]
        self.render_page(
            "receipt.html",
            view=view,
            ballot=ballot,
            vote=vote,
            receipt=self.service.receipt(vote),
        )


class ResultsPage(PageHandler):
    """``/p/<slug>/b/<key>/results``: the tally once visible (refreshes itself)."""

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
        self.render_page("results.html", view=view, ballot=ballot, results=results, top=top)


# ---------------------------------------------------------------------- cards, consent, scores
class CardPage(PageHandler):
    """``/p/<slug>/card``: what would make a stakeholder glad (うれしい)."""

    def get(self, slug: str) -> None:
        view = self.view_or_404(slug)
        if view is None or self.joined(slug, view) is None:
            return
        added = self.get_query_argument("added", "") == "1"
        self.render_page("card.html", view=view, values={}, error=None, added=added)

    async def post(self, slug: str) -> None:
        view = self.view_or_404(slug)
        if view is None:
            return
        token = self.joined(slug, view)
        if token is None:
            return
        text = self.get_body_argument("text", "")
        stakeholder = self.get_body_argument("stakeholder", "") or None
        try:
            self.check_form()
            await self.service.add_card(slug, token, text, stakeholder)
        except (FormError, UreshiiError) as refused:
            error = refused.error if isinstance(refused, FormError) else refused
            status = refused.status if isinstance(refused, FormError) else 422
            values = {"text": text, "stakeholder": stakeholder or ""}
            self.render_page(
                "card.html", view=view, values=values, error=error, added=False, status=status
            )
            return
        self.redirect(f"{self.workshop_path(slug)}card?added=1", status=303)


class ConsentPage(PageHandler):
    """``/p/<slug>/consent``: fist of five on the proposed method charter."""

    def get(self, slug: str) -> None:
        view = self.view_or_404(slug)
        if view is None:
            return
        token = self.joined(slug, view)
        if token is None:
            return
        done = view.charter is not None and self.service.has_consented(slug, token, view.charter)
        self.render_page("consent.html", view=view, error=None, done=done, values={})

    async def post(self, slug: str) -> None:
        view = self.view_or_404(slug)
        if view is None:
            return
        token = self.joined(slug, view)
        if token is None:
            return
        level = self.get_body_argument("level", "")
        version = self.get_body_argument("version", "")
        try:
            self.check_form()
            if not level.isdigit():
                raise FormError(InvalidInputError("participant_choose_one"))
            await self.service.consent(
                slug, token, int(level), int(version) if version.isdigit() else None
            )
        except (FormError, UreshiiError) as refused:
            from toolkit.server.participant.api import status_of

            error = refused.error if isinstance(refused, FormError) else refused
            status = refused.status if isinstance(refused, FormError) else status_of(refused)
            self.render_page(
                "consent.html",
                view=self.service.view(slug),
                error=error,
                done=False,
                values={"level": level},
                status=status,
            )
            return
        self.redirect(f"{self.workshop_path(slug)}consent", status=303)


class ScorePage(PageHandler):
    """``/p/<slug>/score/<n>``: one issue per page, every criterion, "don't know" allowed."""

    def get(self, slug: str, number: str) -> None:
        view = self.view_or_404(slug)
        if view is None or self.joined(slug, view) is None:
            return
        self._show(view, number, values={}, error=None)

    def _show(
        self,
        view: WorkshopView,
        number: str,
        *,
        values: dict[str, str],
        error: UreshiiError | None,
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
            values=values,
            error=error,
            status=status,
        )

    async def post(self, slug: str, number: str) -> None:
        view = self.view_or_404(slug)
        if view is None:
            return
        token = self.joined(slug, view)
        if token is None:
            return
        issues = list(view.issues.values())
        index = int(number) - 1 if number.isdigit() else -1
        values = {c.key: self.get_body_argument(f"c_{c.key}", "") for c in view.criteria}
        try:
            self.check_form()
            if not 0 <= index < len(issues):
                raise FormError(NotFoundError("not_found_issue", key=number), 404)
            scores: dict[tuple[str, str], float | None] = {}
            for criterion in view.criteria:
                raw = values[criterion.key]
                if raw == "dk":
                    scores[(issues[index].key, criterion.key)] = None
                elif raw.lstrip("-").isdigit():
                    scores[(issues[index].key, criterion.key)] = int(raw)
            if not scores:
                raise FormError(InvalidInputError("participant_choose_one"))
            await self.service.scores(slug, token, scores)
        except (FormError, UreshiiError) as refused:
            from toolkit.server.participant.api import status_of

            error = refused.error if isinstance(refused, FormError) else refused
            status = refused.status if isinstance(refused, FormError) else status_of(refused)
            self._show(view, number, values=values, error=error, status=status)
            return
        following = index + 2
        if following > len(issues):
            self.redirect(f"{self.workshop_path(slug)}?scored=1", status=303)
        else:
            self.redirect(f"{self.workshop_path(slug)}score/{following}", status=303)


class StaticFile(web.RequestHandler):
    """``/p/static/…``: the one small script that adds live counters (pages work without it)."""

    FILES: ClassVar[dict[str, str]] = {"enhance.js": "application/javascript; charset=utf-8"}

    def get(self, name: str) -> None:
        if name not in self.FILES:
            raise web.HTTPError(404)
        self.set_header("Content-Type", self.FILES[name])
        self.set_header("Cache-Control", "public, max-age=3600")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish((STATIC / name).read_bytes())
