"""The same recommendation made again in a later cycle: the rule, and finding the matches.

States repeat recommendations with small changes of wording ("Ratify the Rome Statute" →
"Consider ratifying the Rome Statute of the ICC"). The rule compares the words of two texts:
lower case, the paragraph number and the recommending states in brackets removed, stop words
dropped (``kirok/data/upr/recommendations.yaml``), each word once. Two recommendations of
different cycles are the same one made again when the Jaccard index of their word sets reaches
the threshold in that file; "repeated" when the word sets are equal, "similar" otherwise. The
rule looks at words only, so a change of meaning in few words ("ratify" / "do not ratify") is a
match a person should check: the page shows both texts side by side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Recommendation
from .vocab import read

WORD = re.compile(r"\w+", re.UNICODE)
BRACKETS = re.compile(r"\([^()]*\)")
NUMBER = re.compile(r"^\s*\d{1,4}(?:\.\d{1,4})+\.?\s+")


def _rule() -> tuple[float, frozenset[str]]:
    repeat = read("recommendations")["repeat"]
    return float(repeat["similarity"]), frozenset(repeat["stop_words"])


def reduce_text(text: str) -> str:
    """The words the rule compares, sorted and each once, joined by spaces (stored, indexed)."""
    _threshold, stop = _rule()
    text = BRACKETS.sub(" ", NUMBER.sub("", text or "")).lower()
    return " ".join(sorted({w for w in WORD.findall(text) if w not in stop and not w.isdigit()}))


def similarity(a: str, b: str) -> float:
    left, right = set(a.split()), set(b.split())
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


@dataclass(frozen=True)
class Match:
    recommendation: Recommendation
    similarity: float

    @property
    def repeated(self) -> bool:
        return self.similarity >= 1.0


def made_again(recommendation: Recommendation) -> list[Match]:
    """Recommendations of other cycles that are this one made again (or made before), best first."""
    threshold, _stop = _rule()
    words = recommendation.words or reduce_text(recommendation.text)
    if not words:
        return []
    found = []
    others = Recommendation.objects.exclude(cycle=recommendation.cycle).select_related("cycle").only(
        "id", "paragraph", "text", "words", "position", "cycle__number", "cycle__review_date")
    for other in others.iterator(chunk_size=2000):
        score = similarity(words, other.words)
        if score >= threshold:
            found.append(Match(other, score))
    return sorted(found, key=lambda m: (-m.similarity, m.recommendation.cycle.number, m.recommendation.paragraph))
