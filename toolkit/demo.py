"""The demo workshop: the ``dx-vision`` template with the simulated activity of 24 people,
and the follow-up year after it.

Everything is written through the public :class:`~toolkit.store.Store` API, exactly as the
screens would, so the demo is also an end-to-end exercise of the engine. The simulation is
deterministic for a given ``seed``: the same demo twice gives the same store contents.

**The follow-up year** (issue 18) is dated for :data:`FOLLOWUP_AS_OF` (2026-12-01), not for
the day the demo is built: the top five issues of the ranking are on the roadmap over
FY2026–FY2028 (令和8〜10年度), four of them have an indicator with its baseline on 2026-04-01,
and the measurements are dated on or before :data:`FOLLOWUP_AS_OF`. As of that day (and any
later day before the targets' dates: 2027-03-31 for the first and the third) the four
indicators are, in ranking order, ``achieved``, ``on_track``, ``at_risk`` and ``no_data``
(:func:`toolkit.indicators.assess`). A measurement dated after the computer's today (a
clock set before 2026-12-01) is left out, as the store refuses it.

**The staff survey** (issue 19): the workshop's staff DX survey (:data:`STAFF_SURVEY`) was
answered before the training by :data:`SURVEY_BEFORE` people and after it by
:data:`SURVEY_AFTER`, :data:`SURVEY_LINKED` of whom gave the same link code both times;
both waves are closed. A few papers were typed in by staff. Two questions measure issues'
current state (so the results show gaps) and one is linked to an indicator of the fifth
roadmap issue (no measurement recorded yet: the results view's button records it). One
department is smaller than the minimum group size, so its answers are never shown apart.
The survey has its own seeded random stream, so adding it changed nothing else.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from toolkit.fiscal import FiscalPeriod, period_of
from toolkit.i18n import Lang, normalize_language
from toolkit.store import Store
from toolkit.times import workshop_time_zone

PARTICIPANTS = 24

# (theme key, stakeholder key, ja text, en text): cards people post at the happiness map.
CARD_POOL: tuple[tuple[str, str, str, str], ...] = (
    (
        "no-wait",
        "kosodate",
        "子どもを連れて窓口で待たずに済む",
        "No waiting at the counter with my children",
    ),
    (
        "no-wait",
        "koureisha",
        "予約した時間に行けばすぐ手続きできる",
        "Come at my booked time and be served at once",
    ),
    (
        "no-wait",
        "madoguchi",
        "混雑のピークがなくなり、一人ひとりに丁寧に対応できる",
        "No rush hour, so I can help each person properly",
    ),
    (
        "less-hassle",
        "kosodate",
        "同じことを何枚もの紙に書かなくていい",
        "No writing the same thing on many forms",
    ),
    ("less-hassle", "jigyosha", "申請が夜でも家からできる", "Apply from home, even at night"),
    ("less-hassle", "gakusei", "スマホで手続きが終わる", "Finish the procedure on my phone"),
    (
        "data-link",
        "hokenshi",
        "健診の結果がすぐ手元に届き、早めに声をかけられる",
        "Check-up results reach me fast so I can reach out early",
    ),
    ("data-link", "madoguchi", "システム間の転記がなくなる", "No more copying between systems"),
    (
        "data-link",
        "kanrishoku",
        "数字で現状がわかり、根拠を持って決められる",
        "See the current state in numbers and decide on evidence",
    ),
    ("info-reach", "koureisha", "必要なお知らせが自分に届く", "The notices I need reach me"),
    (
        "info-reach",
        "kankokyaku",
        "観光情報がまとまっていて迷わない",
        "Tourist information in one place, easy to find",
    ),
    (
        "info-reach",
        "kosodate",
        "子育ての支援を自分から探さなくても教えてもらえる",
        "Told about childcare support without searching",
    ),
    (
        "easy-work",
        "kyoin",
        "修繕の報告が一度で済み、授業に集中できる",
        "Report a repair once and get back to teaching",
    ),
    ("easy-work", "madoguchi", "FAXと押印の確認作業がなくなる", "No more checking faxes and seals"),
    (
        "easy-work",
        "kanrishoku",
        "チャットで相談が早く片づく",
        "Questions settled quickly over chat",
    ),
    ("anshin", "koureisha", "困ったときに相談できる人がいる", "Someone to ask when I am stuck"),
    (
        "anshin",
        "jigyosha",
        "手続きの進み具合がわかって安心できる",
        "Peace of mind from seeing where my application is",
    ),
    (
        "anshin",
        "hokenshi",
        "訪問先でも安全にタブレットが使える",
        "Use the tablet safely on home visits",
    ),
)

VISION = {
    "ja": "だれも待たされず、必要な情報が届き、職員が住民と向き合う時間をもてるまち",
    "en": "A town where nobody is kept waiting, the right information reaches everyone, "
    "and staff have time to be with residents",
}


@dataclass(frozen=True)
class DemoResult:
    """What :func:`build_demo` made: the store file, the workshop and what it holds."""

    path: Path
    slug: str
    lang: Lang
    counts: dict[str, int]
    method: str
    weights: dict[str, float]


def build_demo(
    data_dir: str | Path, *, lang: str | None = "ja", seed: int = 0, overwrite: bool = True
) -> DemoResult:
    """Build ``data_dir/demo-LANG.sqlite``: the dx-vision workshop after a morning's work.

    24 anonymous participants post happiness cards, which are grouped into themes and
    dot-voted; a vision is drafted and consented to; the group votes on the method and
    allocates 100 points over the criteria; the charter is proposed, consented and locked;
    everyone scores every issue on every criterion (with some "don't know").
    """
    from toolkit.workshop_file import write_template

    language = normalize_language(lang)
    folder = Path(data_dir).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"demo-{language}.sqlite"
    workshop_file = folder / f"demo-{language}.yaml"
    if overwrite:
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), workshop_file):
            stale.unlink(missing_ok=True)
    write_template(workshop_file, "dx-vision", language)
    rng = random.Random(seed)

    with Store.open(path) as store:
        workshop = store.load_workshop_file(workshop_file)
        slug = workshop.slug
        tokens = [
            store.join(slug, category=rng.choice(["resident", "staff", "staff"]))
            for _ in range(PARTICIPANTS)
        ]
        _happiness_map(store, slug, tokens, language, rng)
        _vision(store, slug, tokens, language, rng)
        method, weights = _method_agreement(store, slug, tokens, rng)
        _scoring(store, slug, tokens, rng)
        store.set_phase(slug, "results")
        _followup_year(store, slug, language, rng)
        _staff_survey(store, slug, language, random.Random(seed + 19))
        return DemoResult(path, slug, language, store.counts(slug), method, weights)


def _happiness_map(
    store: Store, slug: str, tokens: list[str], lang: Lang, rng: random.Random
) -> None:
    store.set_phase(slug, "happiness")
    known_themes = {t.key for t in store.themes(slug)}
    for token in tokens:
        for theme, stakeholder, ja, en in rng.sample(CARD_POOL, 2):
            card = store.add_card(
                slug, ja if lang == "ja" else en, stakeholder=stakeholder, token=token
            )
            if theme in known_themes:
                store.group_card(slug, card.id, theme)
    themes = [t.key for t in store.themes(slug)]
    store.create_ballot(
        slug,
        "theme-dots",
        "テーマへのドット投票" if lang == "ja" else "Dot vote on themes",
        rule="dot_votes",
        options=themes,
        settings={"dots": 3},
        purpose="themes",
        visibility="live",
    )
    store.open_ballot(slug, "theme-dots")
    popular = ["no-wait", "data-link", "less-hassle"]
    for token in tokens:
        picks = Counter(rng.choice(popular if rng.random() < 0.7 else themes) for _ in range(3))
        store.cast_vote(slug, "theme-dots", token, dict(picks))
    store.close_ballot(slug, "theme-dots")


def _vision(store: Store, slug: str, tokens: list[str], lang: Lang, rng: random.Random) -> None:
    store.set_phase(slug, "vision")
    tally: Counter[str] = Counter()
    for vote in store.votes(slug, "theme-dots"):
        tally.update(vote.payload)
    top = [key for key, _ in tally.most_common(3)]
    store.draft_vision(slug, VISION[lang], themes=top)
    for token in tokens:
        store.record_vision_consent(slug, token, rng.choice([3, 4, 4, 5, 5]))


def _method_agreement(
    store: Store, slug: str, tokens: list[str], rng: random.Random
) -> tuple[str, dict[str, float]]:
    store.set_phase(slug, "method")
    spec = store.workshop(slug).spec
    methods = [m["id"] for m in spec["methods"]]
    store.create_ballot(
        slug,
        "method",
        "優先順位の決め方",
        rule="single",
        options=methods,
        purpose="method",
        visibility="live",
    )
    store.open_ballot(slug, "method")
    for token in tokens:
        choice = methods[0] if rng.random() < 0.6 else rng.choice(methods)
        store.cast_vote(slug, "method", token, choice)
    store.close_ballot(slug, "method")
    method = Counter(v.payload for v in store.votes(slug, "method")).most_common(1)[0][0]

    criteria = store.criteria(slug)
    proposed = {c["id"]: c.get("weight") or 1 for c in spec["criteria"]}
    store.create_ballot(
        slug,
        "weights",
        "評価基準の重み（100点配分）",
        rule="points",
        options=[c.key for c in criteria],
        settings={"total": 100},
        purpose="weights",
        visibility="live",
    )
    store.open_ballot(slug, "weights")
    for token in tokens:
        store.cast_vote(slug, "weights", token, _allocation(proposed, rng))
    store.close_ballot(slug, "weights")
    totals: Counter[str] = Counter()
    for vote in store.votes(slug, "weights"):
        totals.update(vote.payload)
    whole = sum(totals.values())
    weights = {key: totals[key] / whole for key in proposed}

    store.propose_charter(slug, method=method, weights=weights, tie_break=spec["tie_break"])
    for token in tokens:
        store.record_consent(slug, token, rng.choice([3, 4, 4, 5]))
    charter = store.lock_charter(slug)
    return charter.method, charter.weights


def _allocation(proposed: dict[str, float], rng: random.Random) -> dict[str, int]:
    """One person's 100 points: near the proposal, in whole points, summing to exactly 100."""
    raw = {k: max(0.0, v * rng.uniform(0.6, 1.4)) for k, v in proposed.items()}
    scale = 100 / sum(raw.values())
    points = {k: int(v * scale) for k, v in raw.items()}
    first = next(iter(points))
    points[first] += 100 - sum(points.values())
    return points


def _scoring(store: Store, slug: str, tokens: list[str], rng: random.Random) -> None:
    store.set_phase(slug, "scoring")
    criteria = store.criteria(slug)
    issues = store.issues(slug)
    # Each issue has a "true" value per criterion that people see with some noise; a few
    # issues divide the group (much more noise), as real workshops show.
    truth = {
        (i.key, c.key): rng.uniform(c.scale_min, c.scale_max) for i in issues for c in criteria
    }
    divisive = {i.key for i in rng.sample(issues, 2)}
    for token in tokens:
        answers: dict[tuple[str, str], float | None] = {}
        for issue in issues:
            spread = 1.8 if issue.key in divisive else 0.6
            for c in criteria:
                if rng.random() < 0.05:
                    answers[(issue.key, c.key)] = None  # わからない / don't know
                    continue
                value = round(rng.gauss(truth[(issue.key, c.key)], spread))
                answers[(issue.key, c.key)] = min(c.scale_max, max(c.scale_min, value))
        store.record_scores(slug, token, answers)


# -- the follow-up year (issue 18) ------------------------------------------------------

#: The day the demo's follow-up year is written for: every measurement is dated on or
#: before it, and the statuses of :data:`FOLLOWUP_STATUSES` hold as of it.
FOLLOWUP_AS_OF = date(2026, 12, 1)
#: The baseline date of every demo indicator (the first day of 令和8年度 / FY2026).
FOLLOWUP_BASELINE_ON = date(2026, 4, 1)


@dataclass(frozen=True)
class _Followup:
    """An issue's owner department and the indicator the demo gives it (ja, en)."""

    department: tuple[str, str]
    indicator: tuple[str, str]
    unit: tuple[str, str]
    direction: str
    baseline: float
    target: float


# Per template issue, so that whichever issues a seed ranks first have a fitting indicator.
FOLLOWUP_ISSUES: dict[str, _Followup] = {
    "madoguchi-konzatsu": _Followup(
        ("市民課", "Citizens Division"),
        ("窓口の平均待ち時間", "Average waiting time at the front desk"),
        ("分", "min"),
        "decrease",
        30,
        15,
    ),
    "choju-hokaku": _Followup(
        ("農林課", "Agriculture and Forestry Division"),
        ("捕獲報告から報奨金の支払いまでの日数", "Days from capture report to reward payment"),
        ("日", "days"),
        "decrease",
        45,
        14,
    ),
    "gakko-shuzen": _Followup(
        ("教育総務課", "Education Administration Division"),
        ("修繕報告から着手までの平均日数", "Average days from repair report to start of work"),
        ("日", "days"),
        "decrease",
        21,
        7,
    ),
    "kenshin-henko": _Followup(
        ("健康推進課", "Health Promotion Division"),
        ("健診の日程変更のオンライン受付の割合", "Share of check-up reschedulings made online"),
        ("%", "%"),
        "increase",
        0,
        50,
    ),
    "koyosha-nippo": _Followup(
        ("管財課", "Property Management Division"),
        ("運転日報の集計にかかる時間（月）", "Hours a month spent tallying vehicle logbooks"),
        ("時間", "hours"),
        "decrease",
        40,
        5,
    ),
    "three-less": _Followup(
        ("総務課", "General Affairs Division"),
        ("押印が必要な手続きの数", "Procedures that still need a seal"),
        ("件", "procedures"),
        "decrease",
        320,
        40,
    ),
    "tablet-rule": _Followup(
        ("情報政策課", "Information Policy Division"),
        ("庁外でタブレットを使う職員の割合", "Share of field staff using tablets on site"),
        ("%", "%"),
        "increase",
        10,
        80,
    ),
    "chat-teichaku": _Followup(
        ("情報政策課", "Information Policy Division"),
        ("業務チャットを毎日使う職員の割合", "Share of staff using the work chat every day"),
        ("%", "%"),
        "increase",
        25,
        90,
    ),
    "sns-kouhou": _Followup(
        ("秘書広報課", "Public Relations Division"),
        ("SNSでの問い合わせへの回答数（月）", "Questions answered on social media per month"),
        ("件", "questions"),
        "increase",
        20,
        150,
    ),
    "online-shinsei": _Followup(
        ("こども家庭課", "Children and Families Division"),
        ("子育て関連手続きのオンライン申請率", "Share of child-related applications made online"),
        ("%", "%"),
        "increase",
        12,
        40,
    ),
    "kosodate-push": _Followup(
        ("こども家庭課", "Children and Families Division"),
        ("子育て支援のお知らせを受け取る世帯数", "Households receiving childcare-support notices"),
        ("世帯", "households"),
        "increase",
        800,
        3000,
    ),
    "data-renkei": _Followup(
        ("情報政策課", "Information Policy Division"),
        ("部署間で連携したデータ項目の数", "Data items shared between departments"),
        ("項目", "items"),
        "increase",
        15,
        120,
    ),
}

# By ranking position: the roadmap period, the review date and the positions it waits for.
FOLLOWUP_ROADMAP: tuple[tuple[FiscalPeriod, date, tuple[int, ...]], ...] = (
    (FiscalPeriod(2026), date(2026, 11, 30), ()),
    (FiscalPeriod(2026, 3), date(2026, 12, 25), ()),
    (FiscalPeriod(2027), date(2027, 6, 30), ()),
    (FiscalPeriod(2027, 2), date(2027, 9, 30), (0,)),
    (FiscalPeriod(2028), date(2028, 3, 1), (0, 2)),
)

# By ranking position: the status the indicator shows as of FOLLOWUP_AS_OF, its target date
# and its measurements as (day, share of the way from baseline to target).
FOLLOWUP_STATUSES: tuple[tuple[str, date, tuple[tuple[date, float], ...]], ...] = (
    (
        "achieved",
        date(2027, 3, 31),
        ((date(2026, 6, 30), 0.35), (date(2026, 9, 30), 0.7), (date(2026, 11, 30), 1.1)),
    ),
    ("on_track", date(2028, 3, 31), ((date(2026, 7, 31), 0.15), (date(2026, 10, 31), 0.4))),
    ("at_risk", date(2027, 3, 31), ((date(2026, 9, 30), 0.05), (date(2026, 11, 30), 0.12))),
    ("no_data", date(2028, 3, 31), ()),
)


def _followup_year(store: Store, slug: str, lang: Lang, rng: random.Random) -> None:
    """The year after the workshop: the top issues on the roadmap, their indicators and the
    measurements the owner departments entered (see the module's docstring)."""
    from toolkit.summary import summarize

    side = 0 if lang == "ja" else 1
    ranked = [row["key"] for row in summarize(store, slug)["ranking"]]
    top = [key for key in ranked if key in FOLLOWUP_ISSUES][: len(FOLLOWUP_ROADMAP)]
    budget = ("デジタル化推進事業費", "Digital transformation programme")[side]
    for position, key in enumerate(top):
        period, review_on, waits_for = FOLLOWUP_ROADMAP[position]
        store.set_roadmap_item(
            slug,
            key,
            period,
            owner_department=FOLLOWUP_ISSUES[key].department[side],
            budget_line=budget,
            review_on=review_on,
            depends_on=[top[i] for i in waits_for],
        )
    spec = store.workshop(slug).spec
    today = datetime.now(workshop_time_zone(spec.get("time_zone"))).date()
    for key, (_status, target_on, measured) in zip(top, FOLLOWUP_STATUSES, strict=False):
        issue = FOLLOWUP_ISSUES[key]
        department = issue.department[side]
        indicator = store.add_indicator(
            slug,
            key,
            issue.indicator[side],
            direction=issue.direction,  # type: ignore[arg-type]
            baseline=issue.baseline,
            baseline_on=FOLLOWUP_BASELINE_ON,
            target=issue.target,
            target_on=target_on,
            unit=issue.unit[side],
            source=f"{department}の業務統計" if side == 0 else f"{department} records",
            key=f"{key}-kpi",
        )
        for day, share in measured:
            if day > today:
                continue
            # A little seeded noise (a hundredth of the way or two): never enough to change
            # the status the position is meant to show.
            share += rng.uniform(-0.02, 0.02)
            value = issue.baseline + share * (issue.target - issue.baseline)
            # Counts and percentages in whole numbers, short spans (minutes, days) to a tenth.
            value = round(value) if abs(issue.target - issue.baseline) >= 20 else round(value, 1)
            quarter = period_of(day, quarterly=True).label(lang)
            store.record_measurement(
                slug,
                indicator.key,
                value,
                day,
                entered_by=department,
                note=f"{quarter}の集計" if side == 0 else f"{quarter} figures",
            )


# -- the staff survey (issue 19) --------------------------------------------------------

#: Answered the "before" wave, the "after" wave, and both with the same link code.
SURVEY_BEFORE, SURVEY_AFTER, SURVEY_LINKED = 60, 50, 40
#: Of the "before" answers, this many came on paper (typed in by staff).
SURVEY_PAPER = 6
SURVEY_KEY = "staff-dx"
#: The indicator the survey's confidence question measures (on the fifth roadmap issue).
SURVEY_INDICATOR = "staff-dx-confidence"

#: Departments and how many staff answer from each (議会事務局 is below the minimum group
#: size of 5, so its answers are withheld from every split).
SURVEY_DEPARTMENTS: tuple[tuple[str, str, str, int], ...] = (
    ("shimin", "市民課", "Citizens Division", 22),
    ("zeimu", "税務課", "Taxation Division", 16),
    ("fukushi", "福祉課", "Welfare Division", 16),
    ("joho", "情報政策課", "Information Policy Division", 13),
    ("gikai", "議会事務局", "Assembly Secretariat", 3),
)

STAFF_SURVEY: dict[str, object] = {
    "id": SURVEY_KEY,
    "title": {"ja": "職員DX意識調査", "en": "Staff DX survey"},
    "description": {
        "ja": "DX研修の前と後に、同じ質問にお答えください（約3分、無記名）。",
        "en": "Please answer the same questions before and after the DX training "
        "(about 3 minutes, anonymous).",
    },
    "link_code": True,
    "questions": [
        {
            "id": "dept",
            "kind": "single",
            "segment": True,
            "required": True,
            "text": {"ja": "所属", "en": "Your division"},
            "options": [
                {"id": k, "text": {"ja": ja, "en": en}} for k, ja, en, _ in (SURVEY_DEPARTMENTS)
            ],
        },
        {
            "id": "positive",
            "kind": "likert",
            "required": True,
            "text": {"ja": "業務のデジタル化に前向きだ", "en": "I am positive about going digital"},
        },
        {
            "id": "chat",
            "kind": "likert",
            "issue": "chat-teichaku",
            "text": {
                "ja": "業務チャットを日常的に使えている",
                "en": "I use the work chat every day",
            },
        },
        {
            "id": "paperless",
            "kind": "likert",
            "issue": "three-less",
            "text": {
                "ja": "紙・FAX・押印に頼らずに仕事ができている",
                "en": "I can work without paper, fax or seals",
            },
        },
        {
            "id": "confidence",
            "kind": "likert",
            "required": True,
            "text": {
                "ja": "新しいデジタルツールを使いこなす自信がある",
                "en": "I am confident using new digital tools",
            },
        },
        {
            "id": "paper-minutes",
            "kind": "number",
            "min": 0,
            "max": 480,
            "unit": {"ja": "分", "en": "min"},
            "text": {
                "ja": "1日のうち紙の書類の作成・確認にかける時間",
                "en": "Time spent a day making or checking paper documents",
            },
        },
        {
            "id": "wish",
            "kind": "text",
            "text": {
                "ja": "DXで一番変えたいことは何ですか",
                "en": "What would you most like digital tools to change?",
            },
        },
    ],
}

# (ja, en): what staff wrote in the free-text question.
SURVEY_WISHES: tuple[tuple[str, str], ...] = (
    ("押印のための回覧をなくしたい", "Stop passing papers round for seals"),
    ("押印と紙の回覧をやめたい", "No more seals and paper circulation"),
    ("会議の資料を紙で配らないでほしい", "No paper handouts at meetings"),
    ("チャットで早く相談できるようにしたい", "Ask colleagues quickly over chat"),
    ("チャットをもっと使いたい", "Use the chat more"),
    ("窓口の待ち時間を減らしたい", "Shorter waits at the counter"),
    ("システム間の転記をなくしたい", "No more copying between systems"),
)

_KANA = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわ"


def _staff_survey(store: Store, slug: str, lang: Lang, rng: random.Random) -> None:
    """The staff DX survey before and after the training (see the module's docstring)."""
    store.define_survey(slug, STAFF_SURVEY)
    side = 0 if lang == "ja" else 1
    people = sum(n for *_, n in SURVEY_DEPARTMENTS)
    assert people == SURVEY_BEFORE + SURVEY_AFTER - SURVEY_LINKED
    departments = [key for key, _ja, _en, n in SURVEY_DEPARTMENTS for _ in range(n)]
    rng.shuffle(departments)
    codes: set[tuple[str, int, str]] = set()
    while len(codes) < people:
        codes.add((rng.choice(_KANA), rng.randint(1, 31), rng.choice(_KANA)))
    links = sorted(codes)
    rng.shuffle(links)
    # Person i: 0 … LINKED-1 answer both waves, then the "before only", then "after only".
    before_only = SURVEY_BEFORE - SURVEY_LINKED
    attitude = [rng.gauss(0, 1) for _ in range(people)]

    def answers(person: int, after: bool) -> dict[str, object]:
        lift = 0.55 if after else 0.0
        base = attitude[person]

        def point(offset: float, gain: float) -> int:
            value = 3 + offset + 0.9 * base + gain * lift + rng.gauss(0, 0.6)
            return min(5, max(1, round(value)))

        given: dict[str, object] = {
            "dept": departments[person],
            "positive": point(0.3, 1.0),
            "chat": point(-0.6, 1.2),
            "paperless": point(-1.0, 0.5),
            "confidence": point(-0.3, 1.1),
            "paper-minutes": max(0, min(480, round(rng.gauss(95 - 30 * lift, 30)))),
        }
        if rng.random() < 0.4:
            given["wish"] = rng.choice(SURVEY_WISHES)[side]
        return given

    def link(person: int) -> dict[str, object]:
        mother, day, school = links[person]
        return {"mother": mother, "birthday": day, "school": school}

    paper = range(SURVEY_BEFORE - SURVEY_PAPER, SURVEY_BEFORE)
    tokens = {person: store.join(slug) for person in range(people) if person not in paper}
    store.open_survey_wave(slug, SURVEY_KEY, "before")
    for person in range(SURVEY_LINKED + before_only):
        # Papers (without printed codes) come from staff who answered only once.
        if person in paper:
            store.enter_paper_survey(slug, SURVEY_KEY, answers(person, False), wave="before")
            continue
        store.submit_survey(
            slug, SURVEY_KEY, answers(person, False), token=tokens[person], link=link(person)
        )
    store.close_survey_wave(slug, SURVEY_KEY, "before")
    store.open_survey_wave(slug, SURVEY_KEY, "after")
    after_people = [*range(SURVEY_LINKED), *range(SURVEY_BEFORE, people)]
    for person in after_people:
        # People who answered only after give a link code too; it pairs with nobody.
        store.submit_survey(
            slug, SURVEY_KEY, answers(person, True), token=tokens[person], link=link(person)
        )
    store.close_survey_wave(slug, SURVEY_KEY, "after")
    _survey_indicator(store, slug, lang)


def _survey_indicator(store: Store, slug: str, lang: Lang) -> None:
    """An indicator of the fifth roadmap issue, measured by the survey's confidence question."""
    roadmap = store.roadmap(slug)
    measured = {i.issue for i in store.indicators(slug)}
    issue = next((item.issue for item in roadmap if item.issue not in measured), None)
    if issue is None:
        return
    side = 0 if lang == "ja" else 1
    store.add_indicator(
        slug,
        issue,
        (
            "DXツールを使いこなす自信（職員調査の平均）",
            "Confidence with digital tools (staff survey mean)",
        )[side],
        direction="increase",
        baseline=2.8,
        baseline_on=FOLLOWUP_BASELINE_ON,
        target=3.8,
        target_on=date(2028, 3, 31),
        unit=("点（5段階）", "points (of 5)")[side],
        source=("職員DX意識調査", "Staff DX survey")[side],
        key=SURVEY_INDICATOR,
    )
    store.link_indicator_to_survey(slug, SURVEY_INDICATOR, SURVEY_KEY, "confidence")
