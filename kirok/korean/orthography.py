"""DPRK ↔ ROK orthography folding: one spelling for matching, whichever side wrote the text.

Direction: DPRK → ROK. The DPRK keeps the etymological ㄹ and ㄴ at the start of Sino-Korean
words (리, 로동, 량강, 라선, 녀성); the ROK writes them as pronounced (이, 노동, 양강, 나선, 여성).
Going DPRK → ROK is a function of the spelling alone — 리 always becomes 이 — while the way back
is not: ROK 이 may be DPRK 리 (李) or 이 (伊), ROK 유 may be 류 (柳) or 유 (兪). So only this
direction gives one key for both.

Two steps, in this order:

1. the word table (``kirok/data/korean/orthography.yaml``): fixed compounds where the rule
   applies inside a word (조선로동당 → 조선노동당), the 사이시옷 the DPRK does not write
   (수도물 → 수돗물), loanwords (로씨야 → 러시아), a few words spelled as spoken (한나산 → 한라산);
2. the initial-sound rule (두음법칙) on the first syllable of every word, by jamo arithmetic.

The result is a matching key, not a spelling to show: ROK words that keep ㄹ/ㄴ by exception
(loanwords such as 라디오, 뉴스) are folded too (라디오 → 나디오) — on both sides alike, so
nothing is missed, at the cost of rare collisions (뉴스 and 유스 share a key).
"""

from __future__ import annotations

import re
from functools import cache

from kirok.korean import data
from kirok.korean.hangul import initial_sound_rule, nfc

# The first syllable of a word: a Hangul syllable not preceded by a letter or digit (so 3리 and
# the 리 of 전거리 are left alone).
_WORD_START = re.compile(r"(?<![^\W_])[\uac00-\ud7a3]")


@cache
def word_table() -> dict[str, str]:
    """DPRK spelling → ROK spelling, from ``orthography.yaml``."""
    table: dict[str, str] = {}
    for number, entry in enumerate(data.orthography()["words"], start=1):
        dprk, rok = nfc(str(entry["dprk"])), nfc(str(entry["rok"]))
        if not dprk or not rok or dprk == rok:
            raise ValueError(f"kirok/data/korean/orthography.yaml: words[{number}] needs different `dprk` and `rok` forms")
        if table.get(dprk, rok) != rok:
            raise ValueError(f"kirok/data/korean/orthography.yaml: words[{number}]: {dprk} is listed twice with different ROK forms")
        table[dprk] = rok
    return table


@cache
def _table_pattern() -> re.Pattern[str]:
    forms = sorted(word_table(), key=len, reverse=True)  # longest first: 조선로동당 before 로동당
    return re.compile("|".join(map(re.escape, forms)))


def _fold_syllable(match: re.Match[str]) -> str:
    return initial_sound_rule(match.group())


def fold(text: str) -> str:
    """The orthography-folded form of ``text`` (NFC): DPRK spellings become ROK spellings.

    Idempotent: ``fold(fold(t)) == fold(t)``. Non-Hangul text passes through unchanged.
    """
    text = nfc(text)
    table = word_table()
    pattern = _table_pattern()
    if table:
        text = pattern.sub(lambda m: table[m.group()], text)
    return _WORD_START.sub(_fold_syllable, text)


def fold_word(word: str) -> str:
    """``fold`` for one word known to stand alone — a surname, a given name, a place name —
    where the initial-sound rule applies to its first syllable even if the caller cut it out of
    a longer string (the given name 련희 of 김련희 → 연희)."""
    word = fold(word)
    return initial_sound_rule(word[0]) + word[1:] if word else word
