"""Offline theme suggestions for happiness cards: a suggestion; the group decides.

At the happiness map a table groups its cards into themes by talking. With 40 cards on the
wall, a first proposal helps the talk start; this module makes one without any network,
model download or dictionary, and it works for Japanese, which has no spaces between words.

Method
------
1. Each card is normalised (NFKC, lower case) and turned into features:

   * character **bigrams** inside each run of Japanese text (kanji, kana), so that
     「窓口で待たない」 gives 窓口, 口で, で待, 待た, たな, ない;
   * each **kanji** alone (待, 紙 …): a kanji carries meaning, and 「待たずに済む」 and
     「待ち時間がない」 share no bigram but share 待;
   * whole **kanji runs** and **katakana runs** (窓口, 時間, ファックス) as terms;
   * **words** of Latin text (``fax``, ``waiting`` → ``wait``) with a crude English suffix
     strip and a short stop-word list.

   Bigrams of hiragana only (なく, ずに) count 0.6, bigrams across a word boundary
   (で待, 紙の, ち時) 0.3: they are partly grammar.
2. The features are weighted by **TF-IDF** (``1 + log tf`` times smoothed ``idf``) and each
   card vector is scaled to length 1, so the **cosine similarity** of two cards is their
   dot product.
3. **Average-linkage agglomerative clustering**: the two most similar groups are merged
   while their average pairwise similarity is at least ``threshold``. Ties go to the lower
   card numbers, so the same cards always give the same suggestions.
4. Each group of two or more cards is a :class:`Suggestion`; its **label** is made of the
   terms that most cards of the group share and few other cards have. When ``existing``
   themes are given, a group (or a single card) that resembles one of them is suggested for
   that theme instead of a new one.

Limits
------
Similar *wording* is not similar *meaning*: 「紙をなくす」 and 「ペーパーレス」 share no
character, 「待たずに済む」 and 「すぐ手続きできる」 mean nearly the same and are not found;
two cards that share a frequent kanji may be grouped although they speak of different
things. The label is a bag of shared terms, not a name. Treat every suggestion as a prompt
for the group, which accepts, renames or ignores it.

>>> cards = ["待たずに済む", "窓口で待たない", "待ち時間がない", "FAXをなくす", "紙の申請をなくす"]
>>> [s.cards for s in suggest_themes(cards)]
[(0, 1, 2), (3, 4)]
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

K = TypeVar("K", bound=Hashable)
Matrix = npt.NDArray[np.float64]

#: Two groups are merged while their average cosine similarity is at least this.
DEFAULT_THRESHOLD = 0.1
#: A card or a group is suggested for an existing theme at this similarity or more.
DEFAULT_MATCH_THRESHOLD = 0.1
#: Weights of bigrams that are partly grammar (see :func:`_weight`).
_BOUNDARY_WEIGHT = 0.3
_HIRAGANA_WEIGHT = 0.6
#: Hiragana that are usually particles; 「紙の」 is a word and a particle, not a term.
_PARTICLES = frozenset("のでをにがはともへや")
_LABEL_TERMS = 3

_KANJI = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆"
_HIRAGANA = r"\u3041-\u309f"
_KATAKANA = r"\u30a0-\u30ffー"
_JAPANESE_RUN = re.compile(f"[{_KANJI}{_HIRAGANA}{_KATAKANA}]+")
_KANJI_RUN = re.compile(f"[{_KANJI}]+")
_KATAKANA_RUN = re.compile(f"[{_KATAKANA}]{{2,}}")
_HIRAGANA_CHAR = re.compile(f"[{_HIRAGANA}]")
#: Terms fit for a label: kanji (with okurigana), katakana, or a Latin word.
_LABEL_TERM = re.compile(f"^([{_KANJI}]+[{_HIRAGANA}]?|[{_KATAKANA}]+|[a-z0-9]+)$")
_KANJI_CHAR = re.compile(f"[{_KANJI}]")
_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORDS = frozenset(
    re.findall(
        r"\w+",
        """a an and are as at be but by can do for from get have i in into is it its me more
        my no not of on or our so than that the their them there they this to up us was we
        were when where which who will with without you your""",
    )
)


@dataclass(frozen=True)
class Suggestion:
    """A proposed theme: which cards (indices into the ``cards`` given) and a short label.

    ``theme`` is the key of an existing theme these cards resemble (then the proposal is
    "put them there"), or ``None`` for a new theme. ``representative`` is the card most
    like the others of the group: a readable example to show next to the label.
    """

    cards: tuple[int, ...]
    label: str
    terms: tuple[str, ...]
    representative: int
    theme: Hashable | None = None


def features(text: str) -> Counter[str]:
    """The features of one card (see the module docstring), with their counts.

    >>> sorted(features("窓口で待たない"))
    ['たな', 'で待', 'ない', '口', '口で', '待', '待た', '窓', '窓口']
    >>> sorted(features("Waiting at the counters"))
    ['counter', 'wait']
    """
    normalised = _normalise(text)
    found: Counter[str] = Counter()
    for run in _JAPANESE_RUN.findall(normalised):
        found.update(run[i : i + 2] for i in range(len(run) - 1))
        found.update(_KANJI_CHAR.findall(run))
        found.update(r for r in _KANJI_RUN.findall(run) if len(r) > 2)
        found.update(r for r in _KATAKANA_RUN.findall(run) if len(r) > 2)
    found.update(_stem(w) for w in _WORD.findall(normalised) if w not in _STOP_WORDS)
    return found


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _stem(word: str) -> str:
    """A crude English suffix strip: waiting/waited/waits → wait, forms → form."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            if suffix in ("ing", "ed") and len(stem) > 3 and stem[-1] == stem[-2]:
                stem = stem[:-1]  # stopped → stop
            return stem
    return word


def _weight(feature: str) -> float:
    """1 for content; less for bigrams of hiragana (なく: a verb ending, some meaning) and
    less still for bigrams across a word boundary (で待, 紙の, ち時: a particle or an
    ending next to the following word)."""
    if len(feature) != 2:
        return 1.0
    first, second = (bool(_HIRAGANA_CHAR.match(c)) for c in feature)
    if first and second:
        return _HIRAGANA_WEIGHT
    if first or (second and feature[1] in _PARTICLES):
        return _BOUNDARY_WEIGHT
    return 1.0


def _vectors(texts: Sequence[str]) -> tuple[Matrix, list[str], Matrix]:
    """Unit-length TF-IDF rows for ``texts``, the vocabulary, and the idf of each feature."""
    counted = [features(t) for t in texts]
    vocabulary = sorted({f for c in counted for f in c})
    index = {f: i for i, f in enumerate(vocabulary)}
    matrix = np.zeros((len(texts), len(vocabulary)))
    for row, counts in enumerate(counted):
        for feature, n in counts.items():
            matrix[row, index[feature]] = (1.0 + math.log(n)) * _weight(feature)
    df = (matrix > 0).sum(axis=0)
    idf = np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0
    matrix *= idf
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    np.divide(matrix, norms, out=matrix, where=norms > 0)
    return matrix, vocabulary, idf


def _cluster(similarity: Matrix, threshold: float) -> list[list[int]]:
    """Average-linkage agglomerative clustering; groups of indices, each sorted."""
    n = similarity.shape[0]
    groups: list[list[int]] = [[i] for i in range(n)]
    linked = similarity.astype(float).copy()
    np.fill_diagonal(linked, -np.inf)
    alive = np.ones(n, dtype=bool)
    while alive.sum() > 1:
        flat = int(np.argmax(linked))  # first maximum: lower indices win ties
        a, b = divmod(flat, n)
        if linked[a, b] < threshold:
            break
        a, b = min(a, b), max(a, b)
        size_a, size_b = len(groups[a]), len(groups[b])
        merged = (size_a * linked[a] + size_b * linked[b]) / (size_a + size_b)
        linked[a, :], linked[:, a] = merged, merged
        linked[a, a] = -np.inf
        linked[b, :], linked[:, b] = -np.inf, -np.inf
        alive[b] = False
        groups[a] = sorted(groups[a] + groups[b])
        groups[b] = []
    return [g for g in groups if g]


def _label(
    texts: Sequence[str],
    members: Sequence[int],
    matrix: Matrix,
    vocabulary: Sequence[str],
    idf: Matrix,
) -> tuple[str, ...]:
    """The terms most members share (and few other cards have); longer terms first on ties."""
    present = (matrix[list(members)] > 0).sum(axis=0)
    candidates = [int(j) for j in np.flatnonzero(present >= min(2, len(members)))]
    shared = [
        j
        for j in candidates
        if _LABEL_TERM.match(vocabulary[j]) and vocabulary[j][-1] not in _PARTICLES
    ]
    ranked = sorted(
        shared,
        key=lambda j: (
            -present[j] * idf[j] * _weight(vocabulary[j]) * min(len(vocabulary[j]), 3),
            vocabulary[j],
        ),
    )
    normalised = [_normalise(texts[i]) for i in members]
    chosen: list[str] = []
    for j in ranked:
        term = vocabulary[j]
        if any(term in other or other in term for other in chosen):
            continue
        for n, other in enumerate(chosen):  # 手続 + 続き → 手続き, when the cards say so
            joined = _join(other, term)
            if joined and sum(joined in text for text in normalised) >= min(2, len(members)):
                chosen[n] = joined
                break
        else:
            chosen.append(term)
        if len(chosen) == _LABEL_TERMS:
            break
    return tuple(chosen)


def _join(first: str, second: str) -> str | None:
    """Two overlapping terms as one (手続 + 続き → 手続き), or None if they do not overlap."""
    if first[1:] == second[:-1] and len(first) > 1:
        return first + second[-1]
    if second[1:] == first[:-1] and len(second) > 1:
        return second + first[-1]
    return None


def suggest_themes(
    cards: Sequence[str],
    *,
    existing: Mapping[K, Sequence[str]] | None = None,
    max_themes: int = 8,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Suggestion]:
    """Group similar happiness cards into proposed themes (offline; see the module docs).

    ``cards`` are the texts to group (typically the cards not yet in a theme); the
    suggestion's ``cards`` are indices into it. ``existing`` maps theme keys to the texts
    already in each theme: a group or a single card resembling one of them is proposed for
    that theme (``Suggestion.theme``). At most ``max_themes`` suggestions, largest first;
    a card like no other stays out. Deterministic: the same input gives the same output.

    This is a suggestion; the group decides.

    >>> suggest_themes([]), suggest_themes(["一枚だけ"])
    ([], [])
    """
    texts = list(cards)
    if not texts or max_themes <= 0:
        return []
    themes = {key: list(members) for key, members in (existing or {}).items() if members}
    theme_texts = [text for members in themes.values() for text in members]
    matrix, vocabulary, idf = _vectors(texts + theme_texts)
    card_rows = matrix[: len(texts)]
    similarity = card_rows @ card_rows.T
    centroids: list[tuple[K, Matrix]] = []
    start = len(texts)
    for key, members in themes.items():
        centroid = matrix[start : start + len(members)].mean(axis=0)
        start += len(members)
        norm = float(np.linalg.norm(centroid))
        if norm > 0:
            centroids.append((key, centroid / norm))

    suggestions: list[Suggestion] = []
    for group in _cluster(similarity, threshold):
        inner = similarity[np.ix_(group, group)]
        representative = group[int(np.argmax(inner.sum(axis=1)))]
        theme = _closest_theme(card_rows[group].mean(axis=0), centroids)
        if len(group) < 2 and theme is None:
            continue
        terms = _label(texts, group, card_rows, vocabulary, idf)
        label = "・".join(terms) if terms else texts[representative][:20]
        suggestions.append(Suggestion(tuple(group), label, terms, representative, theme))
    suggestions.sort(key=lambda s: (-len(s.cards), s.cards[0]))
    return suggestions[:max_themes]


def _closest_theme(vector: Matrix, centroids: Sequence[tuple[K, Matrix]]) -> K | None:
    norm = float(np.linalg.norm(vector))
    if norm == 0 or not centroids:
        return None
    scores = [float(centroid @ (vector / norm)) for _, centroid in centroids]
    best = int(np.argmax(scores))  # first maximum: the theme given first wins a tie
    return centroids[best][0] if scores[best] >= DEFAULT_MATCH_THRESHOLD else None


def suggest_theme_for(
    card: str,
    themes: Mapping[K, Sequence[str]],
    *,
    threshold: float = DEFAULT_MATCH_THRESHOLD,
) -> K | None:
    """The existing theme whose cards ``card`` resembles most, or ``None`` if none does.

    ``themes`` maps theme keys to the texts of their cards (a theme's name counts as one of
    its texts if you add it). Same method and limits as :func:`suggest_themes`: a
    suggestion; the group decides.

    >>> themes = {"matanai": ["待たずに済む"], "3res": ["FAXをなくす"]}
    >>> suggest_theme_for("窓口で待ちたくない", themes)
    'matanai'
    >>> suggest_theme_for("観光情報", {"matanai": ["待たずに済む"]}) is None
    True
    """
    named = {key: list(members) for key, members in themes.items() if members}
    if not card.strip() or not named:
        return None
    texts = [card] + [text for members in named.values() for text in members]
    matrix, _, _ = _vectors(texts)
    centroids: list[tuple[K, Matrix]] = []
    start = 1
    for key, members in named.items():
        centroid = matrix[start : start + len(members)].mean(axis=0)
        start += len(members)
        norm = float(np.linalg.norm(centroid))
        if norm > 0:
            centroids.append((key, centroid / norm))
    if not centroids or not np.any(matrix[0]):
        return None
    scores = [float(centroid @ matrix[0]) for _, centroid in centroids]
    best = int(np.argmax(scores))
    return centroids[best][0] if scores[best] >= threshold else None
