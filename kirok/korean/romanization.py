"""Hangul → Latin in the three systems met in North Korea documentation.

- ``rr``: Revised Romanization of Korean (국어의 로마자 표기법, ROK Ministry of Culture and
  Tourism notice 2000-8, 2000-07-07). Sound changes between consonants are written (신라
  Silla, 종로 Jongno, 독립 Dongnip, 같이 gachi, 좋고 joko); tensing is not (낙동강
  Nakdonggang); ㄱ/ㄷ/ㅂ + ㅎ keep the h in nouns (묵호 Mukho) — all names here are nouns.
- ``mr``: McCune–Reischauer (McCune and Reischauer, "The Romanization of the Korean Language",
  Transactions of the Korea Branch of the Royal Asiatic Society 29, 1939): the same sound changes,
  plus voicing — ㄱ ㄷ ㅂ ㅈ are k t p ch at the start and after a stop, g d b j between voiced
  sounds (Taegu, Pusan); aspirates take an apostrophe (ch' k' t' p'); ㄴ+ㄱ is n'g (Han'gŭl);
  ŏ ŭ carry a breve. ``diacritics=False`` gives the form typed without them (Pyongyang, Hangul).
- ``dprk``: the DPRK's own system (조선어의 라틴문자 표기법, 1992; revised 2002, 2012), as the DPRK
  press prints it: MR's voicing, but kh th ph for the aspirates, j for ㅈ, no apostrophes, and
  (by default) no breves — Chongjin, Kaechon, Phyongyang. (Pyongyang itself is a conventional
  exception in KCNA English; keys treat ph and p alike.)

Person names are romanized by ``kirok.korean.names``: no sound changes across the given name
(RR rule 3 §4: 한복남 Han Boknam), given-name syllables hyphenated (MR) or apart (DPRK).
"""

from __future__ import annotations

import re
from functools import lru_cache

from kirok.korean.hangul import FINALS, INITIALS, MEDIALS, decompose, nfc

SYSTEMS = ("rr", "mr", "dprk")

# The sound a final consonant makes before a consonant or at the end (its representative).
_FINAL_SOUND = {
    "": "", "ㄱ": "k", "ㄲ": "k", "ㄳ": "k", "ㄺ": "k", "ㅋ": "k", "ㄴ": "n", "ㄵ": "n", "ㄶ": "n",
    "ㄷ": "t", "ㅅ": "t", "ㅆ": "t", "ㅈ": "t", "ㅊ": "t", "ㅌ": "t", "ㅎ": "t", "ㄹ": "l", "ㄼ": "l",
    "ㄽ": "l", "ㄾ": "l", "ㅀ": "l", "ㅁ": "m", "ㄻ": "m", "ㅂ": "p", "ㅄ": "p", "ㄿ": "p", "ㅍ": "p",
    "ㅇ": "ng",
}
# Before a vowel, a final moves to the next syllable (연음); a cluster moves its second part.
_LIAISON = {"ㄳ": ("ㄱ", "ㅅ"), "ㄵ": ("ㄴ", "ㅈ"), "ㄺ": ("ㄹ", "ㄱ"), "ㄻ": ("ㄹ", "ㅁ"), "ㄼ": ("ㄹ", "ㅂ"),
            "ㄽ": ("ㄹ", "ㅅ"), "ㄾ": ("ㄹ", "ㅌ"), "ㄿ": ("ㄹ", "ㅍ"), "ㅄ": ("ㅂ", "ㅅ"), "ㄶ": ("ㄴ", ""), "ㅀ": ("ㄹ", "")}
_ASPIRATE = {"ㄱ": "ㅋ", "ㄷ": "ㅌ", "ㅈ": "ㅊ"}
_NASAL = {"k": "ng", "t": "n", "p": "m"}
_I = MEDIALS.index("ㅣ")

#          RR     MR     DPRK
_VOWELS = {
    "ㅏ": ("a", "a", "a"), "ㅐ": ("ae", "ae", "ae"), "ㅑ": ("ya", "ya", "ya"), "ㅒ": ("yae", "yae", "yae"),
    "ㅓ": ("eo", "ŏ", "ŏ"), "ㅔ": ("e", "e", "e"), "ㅕ": ("yeo", "yŏ", "yŏ"), "ㅖ": ("ye", "ye", "ye"),
    "ㅗ": ("o", "o", "o"), "ㅘ": ("wa", "wa", "wa"), "ㅙ": ("wae", "wae", "wae"), "ㅚ": ("oe", "oe", "oe"),
    "ㅛ": ("yo", "yo", "yo"), "ㅜ": ("u", "u", "u"), "ㅝ": ("wo", "wŏ", "wŏ"), "ㅞ": ("we", "we", "we"),
    "ㅟ": ("wi", "wi", "wi"), "ㅠ": ("yu", "yu", "yu"), "ㅡ": ("eu", "ŭ", "ŭ"), "ㅢ": ("ui", "ŭi", "ŭi"),
    "ㅣ": ("i", "i", "i"),
}
_VOWEL_TABLE = [_VOWELS[m] for m in MEDIALS]
# Initial consonants: RR; MR voiceless, voiced; DPRK voiceless, voiced.
_ONSETS = {
    "ㄱ": ("g", "k", "g", "k", "g"), "ㄲ": ("kk", "kk", "kk", "kk", "kk"), "ㄴ": ("n", "n", "n", "n", "n"),
    "ㄷ": ("d", "t", "d", "t", "d"), "ㄸ": ("tt", "tt", "tt", "tt", "tt"), "ㄹ": ("r", "r", "r", "r", "r"),
    "ㅁ": ("m", "m", "m", "m", "m"), "ㅂ": ("b", "p", "b", "p", "b"), "ㅃ": ("pp", "pp", "pp", "pp", "pp"),
    "ㅅ": ("s", "s", "s", "s", "s"), "ㅆ": ("ss", "ss", "ss", "ss", "ss"), "ㅇ": ("", "", "", "", ""),
    "ㅈ": ("j", "ch", "j", "j", "j"), "ㅉ": ("jj", "tch", "tch", "jj", "jj"), "ㅊ": ("ch", "ch'", "ch'", "ch", "ch"),
    "ㅋ": ("k", "k'", "k'", "kh", "kh"), "ㅌ": ("t", "t'", "t'", "th", "th"), "ㅍ": ("p", "p'", "p'", "ph", "ph"),
    "ㅎ": ("h", "h", "h", "h", "h"),
}
_VOICED_BEFORE = ("", "n", "m", "ng", "l")  # after these a plain stop is voiced in MR and DPRK
_PLAIN = str.maketrans({"ŏ": "o", "ŭ": "u", "Ŏ": "O", "Ŭ": "U", "'": None, "’": None})
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")


def pronounce(word: str, *, sound_changes: bool = True) -> list[tuple[str, int, str]]:
    """(initial jamo, medial index, final sound) per syllable of one Hangul word, after the sound
    changes romanization writes: liaison, palatalization, ㅎ aspiration, nasalization, ㄹ
    assimilation. Without ``sound_changes`` each syllable keeps its own letters (names)."""
    sylls = [decompose(ch) for ch in word]
    onsets = [INITIALS[i] for i, _, _ in sylls]
    finals = [FINALS[f] for _, _, f in sylls]
    out: list[tuple[str, int, str]] = []
    for n, (_, medial, _) in enumerate(sylls):
        final = finals[n]
        if not sound_changes or n + 1 == len(sylls):
            out.append((onsets[n], medial, _FINAL_SOUND[final]))
            continue
        nxt = onsets[n + 1]
        if nxt == "ㅇ" and final not in ("", "ㅇ"):
            if final == "ㅎ":
                final = ""
            else:
                final, moved = _LIAISON.get(final, ("", final))
                if moved in ("ㄷ", "ㅌ") and sylls[n + 1][1] == _I:
                    moved = "ㅈ" if moved == "ㄷ" else "ㅊ"  # 굳이 guji, 같이 gachi
                onsets[n + 1] = moved or "ㅇ"
        elif final in ("ㅎ", "ㄶ", "ㅀ") and nxt in _ASPIRATE:
            onsets[n + 1] = _ASPIRATE[nxt]  # 좋고 joko, 않다 anta
            final = {"ㅎ": "", "ㄶ": "ㄴ", "ㅀ": "ㄹ"}[final]
        sound = _FINAL_SOUND[final]
        nxt = onsets[n + 1]
        if nxt in ("ㄴ", "ㅁ") and sound in _NASAL:
            sound = _NASAL[sound]  # 백마 Baengma
        if nxt == "ㄹ":
            if sound == "n":
                sound = "l"  # 신라 Silla
            elif sound in ("m", "ng"):
                onsets[n + 1] = "ㄴ"  # 종로 Jongno, 강릉 Gangneung
            elif sound in _NASAL:
                sound, onsets[n + 1] = _NASAL[sound], "ㄴ"  # 독립 Dongnip, 십리 Simni
        elif nxt == "ㄴ" and sound == "l":
            onsets[n + 1] = "ㄹ"  # 별내 Byeollae
        out.append((onsets[n], medial, sound))
    return out


def render(sounds: list[tuple[str, int, str]], system: str, *, previous: str | None = None) -> list[str]:
    """Latin text per syllable. ``previous`` is the final sound before the first syllable (None at
    the start of a word), so that MR and DPRK voice the second syllable of a given name."""
    col = SYSTEMS.index(system)
    parts = []
    for onset, medial, sound in sounds:
        letters = _ONSETS[onset]
        if onset == "ㄹ" and previous == "l":
            first = "l"
        elif col == 0:
            first = letters[0]
        else:
            voiced = previous in _VOICED_BEFORE and (previous != "l" or onset in ("ㄱ", "ㅂ"))
            first = letters[(2 if voiced else 1) + (col - 1) * 2]
            if col == 1 and previous == "n" and onset == "ㄱ":
                first = "'g"  # Han'gŭl: n + g, not ng
            if col == 1 and onset == "ㅅ" and MEDIALS[medial] == "ㅟ":
                first = "sh"
        parts.append(first + _VOWEL_TABLE[medial][col] + sound)
        previous = sound
    return parts


@lru_cache(maxsize=1 << 16)
def _word(word: str, system: str, sound_changes: bool, diacritics: bool) -> str:
    text = "".join(render(pronounce(word, sound_changes=sound_changes), system))
    return text if diacritics else plain(text)


def romanize(text: str, system: str = "rr", *, diacritics: bool | None = None, sound_changes: bool = True) -> str:
    """``text`` with every Hangul word romanized (lower case); other characters pass through.

    ``diacritics`` (MR and DPRK only): keep ŏ ŭ and MR's apostrophes. Default: yes for MR, no
    for DPRK (as its press prints), and RR has none.
    """
    if system not in SYSTEMS:
        raise ValueError(f"unknown romanization system {system!r}; use one of {', '.join(SYSTEMS)}")
    keep = (system == "mr") if diacritics is None else diacritics
    return _HANGUL_RUN.sub(lambda m: _word(m.group(), system, sound_changes, keep), nfc(text))


def plain(text: str) -> str:
    """Without breves and apostrophes, as typed on an ordinary keyboard: Ch'ŏngjin → Chongjin."""
    return text.translate(_PLAIN)


def capitalize(text: str) -> str:
    """First letter of each space-separated word upper case (names are proper nouns): 'n'g
    stays lower after the apostrophe."""
    return " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
