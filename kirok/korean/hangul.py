"""Hangul syllables by code-point arithmetic (Unicode §3.12), no table of syllables.

A precomposed syllable U+AC00…U+D7A3 is ``0xAC00 + (initial * 21 + medial) * 28 + final``, with
19 initials, 21 medials and 28 finals (0 = none). Folding and romanization work on these three
indexes; everything else in ``kirok.korean`` is built on the few functions here.
"""

from __future__ import annotations

import unicodedata

BASE = 0xAC00
LAST = 0xD7A3
MEDIALS_N = 21
FINALS_N = 28

# Initial consonants, in code-point order (index = position).
INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ",
          "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")

# Initial indexes used by the initial-sound rule.
NIEUN, RIEUL, IEUNG = INITIALS.index("ㄴ"), INITIALS.index("ㄹ"), INITIALS.index("ㅇ")
# Medials that begin with the sound i or y (ㅣ ㅑ ㅒ ㅕ ㅖ ㅛ ㅠ): before them the initial-sound
# rule drops ㄹ and ㄴ altogether (리 → 이, 녀 → 여); before the others ㄹ becomes ㄴ (로 → 노).
I_OR_Y = frozenset(MEDIALS.index(m) for m in "ㅣㅑㅒㅕㅖㅛㅠ")
# The rule is about Sino-Korean readings, and these are the only medials that follow ㄹ or ㄴ in
# one (라 래 량 려 례 로 뢰 료 루 류 륵 리; 녀 뇨 뉴 니). ㄹ before ㅓ ㅔ ㅘ ㅝ ㅟ … starts a loanword
# that ROK spelling keeps (러시아, 레닌), so the rule leaves it alone.
SINO_AFTER_RIEUL = frozenset(MEDIALS.index(m) for m in "ㅏㅐㅑㅕㅖㅗㅚㅛㅜㅠㅡㅣ")
SINO_AFTER_NIEUN = frozenset(MEDIALS.index(m) for m in "ㅕㅖㅛㅠㅣ")


def is_syllable(ch: str) -> bool:
    return BASE <= ord(ch) <= LAST


def decompose(ch: str) -> tuple[int, int, int]:
    """(initial, medial, final) indexes of one precomposed syllable."""
    code = ord(ch) - BASE
    if not 0 <= code <= LAST - BASE:
        raise ValueError(f"{ch!r} is not a precomposed Hangul syllable (U+AC00–U+D7A3)")
    return code // (MEDIALS_N * FINALS_N), (code % (MEDIALS_N * FINALS_N)) // FINALS_N, code % FINALS_N


def compose(initial: int, medial: int, final: int = 0) -> str:
    return chr(BASE + (initial * MEDIALS_N + medial) * FINALS_N + final)


def nfc(text: str) -> str:
    """NFC, so that conjoining jamo (NFD input from macOS and some keyboards) become syllables."""
    return unicodedata.normalize("NFC", text)


def initial_sound_rule(ch: str) -> str:
    """The ROK initial-sound rule (두음법칙) on one syllable: 리 → 이, 량 → 양, 로 → 노, 녀 → 여;
    러, 레, 뉘 … (never Sino-Korean) stay.

    Returns the syllable unchanged when the rule does not apply (or ``ch`` is not a syllable).
    """
    code = ord(ch) - BASE
    if not 0 <= code <= LAST - BASE:
        return ch
    initial, rest = divmod(code, MEDIALS_N * FINALS_N)
    medial = rest // FINALS_N
    if initial == RIEUL and medial in SINO_AFTER_RIEUL:
        initial = IEUNG if medial in I_OR_Y else NIEUN
    elif initial == NIEUN and medial in SINO_AFTER_NIEUN:
        initial = IEUNG
    else:
        return ch
    return chr(BASE + initial * MEDIALS_N * FINALS_N + rest)
