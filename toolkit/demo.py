"""The demo workshop: the ``dx-vision`` template with the simulated activity of 24 people.

Everything is written through the public :class:`~toolkit.store.Store` API, exactly as the
screens would, so the demo is also an end-to-end exercise of the engine. The simulation is
deterministic for a given ``seed``: the same demo twice gives the same store contents.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from toolkit.i18n import Lang, normalize_language
from toolkit.store import Store

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
