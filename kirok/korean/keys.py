"""Matching keys for names and places in any script: one key for 요덕, Yodok, Yoduk and Yodŏk.

Every string is brought to Latin (Hangul through orthography folding and Revised Romanization),
then to a coarse phonetic *skeleton* in which the spellings that romanization systems, ad hoc
spellings and sound changes use for one Korean sound become one symbol:

- vowels: ŏ/eo/o/u/oo/eu/ŭ → o; ae/e/ai → e; yeo/yo/yu/yoo/you → yo; ee/i/ui/ŭi/wi → i;
  oe/we/wae → we; wo/weo/wŏ → wo; ya, ye, wa, a as such; repeated vowels collapse;
- consonants: k/g/kh/kk → k, t/d/th/tt → t, p/b/ph/pp/f → p, ch/j/tch/jj → c, s/sh/ss → s,
  r/l → l, ng → q; h is dropped beside another consonant and at the end (Ahn = An);
- the sound changes written by RR and MR but not by transliteration: n+l, l+n → l (Silla/Sinla),
  n+k between vowels → q (RR Jingeun, popular Jinkeun),
  k+n, k+l → qn (Dongnip/Dokrip), p+n, p+l → mn, m+l → mn, q+l → qn, t+n → n; doubles collapse;
- at the start of each word the initial-sound rule, in Latin: l or n before i/y is dropped
  (Ri, Lee, Rhee → i; Ryanggang → yanggang), l becomes n (Rason → nason).

The skeleton is deliberately lossy: 정, 종, 중 and 증 share one. Keys find candidates (search
terms, blocking keys, blind-index tokens); ranking and linkage decide between them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kirok.korean.hangul import nfc
from kirok.korean.orthography import fold, fold_word
from kirok.korean.romanization import romanize

# Longest spelling first. Classes: a e i o ya ye yo wa we wo.
_VOWEL_SPELLINGS = {
    "yeo": "yo", "yae": "ye", "yai": "ye", "weo": "wo", "wae": "we", "wai": "we", "eui": "i", "yoo": "yo",
    "you": "yo", "yeu": "yo", "woo": "o", "wee": "i",
    "eo": "o", "eu": "o", "oo": "o", "ou": "o", "ae": "e", "ai": "e", "ay": "e", "oe": "we", "oi": "we",
    "ya": "ya", "ye": "ye", "yo": "yo", "yu": "yo", "wa": "wa", "oa": "wa", "we": "we", "wo": "wo",
    "uo": "wo", "wi": "i", "ui": "i", "ee": "i", "yi": "i",
    "a": "a", "e": "e", "i": "i", "o": "o", "u": "o", "w": "", "y": "",
}
_VOWEL_RUN = re.compile(r"[aeiouwy]+")
_VOWEL_PIECE = re.compile("|".join(sorted(_VOWEL_SPELLINGS, key=len, reverse=True)))
_CONSONANTS = [  # ordered: digraphs before their letters
    ("tch", "c"), ("ch", "c"), ("jj", "c"), ("j", "c"), ("z", "c"), ("sh", "s"), ("kh", "k"), ("th", "t"),
    ("ph", "p"), ("ng", "q"), ("g", "k"), ("d", "t"), ("b", "p"), ("f", "p"), ("v", "p"), ("r", "l"),
    ("x", "ks"), ("c", "c"),
]
_CONSONANT = re.compile("|".join(re.escape(a) for a, _ in _CONSONANTS))
_CONSONANT_MAP = dict(_CONSONANTS)
_H_AFTER = re.compile(r"(?<=[ktpcsmnlq])h")
_H_BESIDE = re.compile(r"(?<=[ktpcsmnlq])h|h(?=[ktpcsmnlq])|h$")
_CLUSTERS = [
    (re.compile(r"([a-z])\1+"), r"\1"),
    (re.compile(r"nl|ln"), "l"),
    (re.compile(r"nk$"), "q"),  # ㄴ+ㄱ: RR and MR write n-g (Jingeun), others n-k (Jinkeun)
    (re.compile(r"[kq][nl]"), "qn"), (re.compile(r"km"), "qm"),
    (re.compile(r"p[nl]"), "mn"), (re.compile(r"pm"), "m"), (re.compile(r"ml"), "mn"),
    (re.compile(r"t[nl]"), "n"), (re.compile(r"tm"), "nm"),
    (re.compile(r"t(?=[cs])"), ""),  # t + ch is MR's tch (ㅉ): 걋자 Kyatcha = Kyacha
]
_Y_OR_I = ("i", "y")


def _letters(text: str, keep: str = "") -> str:
    """Lower-case ASCII letters and digits only: diacritics, apostrophes, hyphens and spaces go
    (except the characters in ``keep``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if (ch.isascii() and ch.isalnum()) or ch in keep)


@lru_cache(maxsize=1 << 17)
def skeleton(word: str, boundaries: bool = False) -> str:
    """The coarse phonetic skeleton of one romanized word (see the module docstring).

    ``word`` may carry diacritics, apostrophes and hyphens; spaces are removed too, so call it per
    word when the initial-sound rule should apply to each. With ``boundaries``, a hyphen, space
    or ``|`` ends a vowel sequence: Se-ung is se + ung (세웅), where the letters of Seung read 승.
    """
    text = _letters(word.replace("-", "|").replace(" ", "|"), "|" if boundaries else "")
    vowels = _VOWEL_RUN.split(text)
    runs = _VOWEL_RUN.findall(text)
    out: list[str] = []
    last_vowel = None
    for n, consonants in enumerate(vowels):
        cons = _CONSONANT.sub(lambda m: _CONSONANT_MAP[m.group()], consonants.replace("|", ""))
        if n == 0:  # a word starts with one consonant: no assimilation (Province); Rhee = Ree
            cons = _CLUSTERS[0][0].sub(_CLUSTERS[0][1], _H_AFTER.sub("", cons))
        else:
            if len(cons) > 1 or (cons == "h" and n == len(vowels) - 1):
                cons = _H_BESIDE.sub("", cons)
            for pattern, repl in _CLUSTERS:
                cons = pattern.sub(repl, cons)
        if cons:
            out.append(cons)
            last_vowel = None
        if n < len(runs):
            for piece in _VOWEL_PIECE.findall(runs[n]):
                cls = _VOWEL_SPELLINGS[piece]
                if cls and cls != last_vowel:
                    out.append(cls)
                    last_vowel = cls
    key = "".join(out)
    key = re.sub(r"([a-z])\1+", r"\1", key)
    if key[:1] in ("l", "n"):
        if key[1:2] in _Y_OR_I:
            key = key[1:]
        elif key[0] == "l":
            key = "n" + key[1:]
    return key


def latin(text: str) -> str:
    """``text`` in Latin letters: Hangul folded (DPRK → ROK) and in Revised Romanization."""
    return romanize(fold(text), "rr")


def phrase_skeleton(text: str) -> str:
    """The skeleton of a whole phrase: per space-separated word (each gets the initial-sound
    rule), joined without spaces, so 'Ri Myong Su' and '리명수' meet."""
    return "".join(skeleton(w) for w in latin(nfc(text)).split())


def given_skeletons(given: str) -> set[str]:
    """The skeletons of a given name however it is spaced or hyphenated: Myong Su = Myong-su =
    Myongsu = 명수, and Ryon Hui = 연희 (the initial-sound rule on its first syllable only).

    A Hangul given name gets two: its letters run together (RR Suil for 수일) and with syllable
    boundaries (Soo-il, Su Il), because ``ui`` run together reads as ㅢ. A romanized one gets the
    boundaries it was written with."""
    if any("\uac00" <= ch <= "\ud7a3" for ch in given):
        syllables = [romanize(ch, "rr", sound_changes=False) for ch in fold_word("".join(given.split()))]
        found = {skeleton("".join(syllables)), skeleton("|".join(syllables), True)}
    else:
        found = {skeleton(given.strip(), True)}
    found.discard("")
    return found


# Generic words for administrative units and their romanizations: "량강도", "Ryanggang-do",
# "Ryanggang Province" and "Ryanggang" all mean one place, so keys() also gives the key without them.
_HANGUL_SUFFIXES = ("특별시", "직할시", "특급시", "광역시", "로동자구", "노동자구", "구역", "지구", "도", "시", "군", "구", "읍", "면", "리", "동")
_LATIN_SUFFIXES = frozenset({
    "do", "to", "si", "shi", "gun", "kun", "gu", "ku", "guyeok", "kuyok", "guyok", "ri", "ni", "li", "dong", "tong",
    "eup", "up", "myeon", "myon", "province", "city", "county", "district", "teukbyeolsi", "tukpyolsi",
    "jikhalsi", "chikhalsi", "teukgeupsi", "tukkupsi", "nodongjagu", "rodongjagu",
})
_LATIN_SPLIT = re.compile(r"[\s\-‐‑–]+")


def without_suffix(text: str) -> str | None:
    """The place name without its administrative-unit word (량강도 → 량강, Ryanggang-do →
    Ryanggang), or None when there is none or nothing would be left but one syllable."""
    text = nfc(text).strip()
    if any("\uac00" <= ch <= "\ud7a3" for ch in text):
        for suffix in _HANGUL_SUFFIXES:
            stem = text[: -len(suffix)].rstrip()
            if text.endswith(suffix) and len(stem) >= 2 and all("\uac00" <= ch <= "\ud7a3" for ch in stem[-2:]):
                return stem
        return None
    words = [w for w in _LATIN_SPLIT.split(text) if w]
    if len(words) >= 2 and _letters(words[-1]) in _LATIN_SUFFIXES:
        return " ".join(words[:-1])
    return None


KINDS = (None, "person", "place")


def keys(text: str, kind: str | None = None) -> set[str]:
    """Matching keys of a query or a value in any script (Hangul in either orthography, RR, MR,
    DPRK, ad hoc romanizations). Two strings that may name the same person or place share a key:

    - ``w:<skeleton>`` of the whole string;
    - ``w:<skeleton>`` of the string without an administrative-unit word (량강도 ~ Ryanggang ~
      Yanggang-do) — not for ``kind="person"``, where 김영동 is not "김영" in 동;
    - ``n:<surname>:<given skeleton>`` for each reading as a person name (리명수 ~ Ri Myong Su ~
      Lee Myung-soo ~ Myung-soo Lee) — not for ``kind="place"``;
    - ``x:<text>`` (NFKC, case-folded, no spaces) when the text has neither Latin nor Hangul.

    ``kind=None`` (a search query, which may be either) gives both.
    """
    from kirok.korean.names import name_keys  # names builds on this module

    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; use None, 'person' or 'place'")
    text = " ".join(nfc(text).split())
    if not text:
        return set()
    out = set()
    forms = (text,) if kind == "person" else (text, without_suffix(text))
    for form in forms:
        if form and (skel := phrase_skeleton(form)):
            out.add(f"w:{skel}")
    if kind != "place":
        out |= name_keys(text)
    if not out:
        exact = "".join(unicodedata.normalize("NFKC", text).casefold().split())
        if exact:
            out.add(f"x:{exact}")
    return out
