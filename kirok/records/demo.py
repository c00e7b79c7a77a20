"""A synthetic, clearly fictional demo set in the exchange format, as large as you like.

``DemoSet(size, seed)`` describes a whole documentation collection built around ``size``
persons — testimonies with consent, victims, perpetrators and witnesses with Korean names and
their romanizations, county security and police units, incidents across North Korea's provinces
and its known camps, acts with uncertain dates, perpetrators' involvement, several sources per
incident, careers and family ties, chains of events and interventions — and yields it record
type by record type, in import order, one exchange-format dict at a time.

Nothing here is real: every person, incident and testimony is generated, every record carries the
external id ``demo:<type>:<n>`` and says it is fictional ("[FICTIONAL DEMO]" / "[가상 데모]").
Names are random combinations of common surnames and given-name syllables, never taken from a
list of real people; places, facilities, institutions and vocabulary codes are the shipped
reference data, read from ``kirok/data`` at run time.

Determinism and scale. Record ``n`` of a type is drawn from its own random stream, seeded by
(seed, type, n), and its Kirok id is the first 128 bits of that stream: the same seed gives the
same records, byte for byte, and a record never depends on the order in which others were made.
Records point to each other by index arithmetic (act ``i`` belongs to event ``i·E/A`` and harms
victim ``i mod V``), and what one record needs to know about another (a victim's birth year, an
incident's province) is recomputed from that record's stream, so nothing is held in memory but a
few small caches and the geography: a million persons stream in constant memory.

Shares follow published figures where there are any (nk_reference.md §5–6): testimony basis
69 / 22.3 / 8.7 % (MOU, 2017), NKDB source types (interviews 88.3 %…) and person roles (victims
86.6 %, perpetrators 4.2 %, witnesses 8.2 %), and a North Hamgyŏng–heavy sample.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import os
import random
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import orjson
import yaml

from kirok.records.registry import ORDER

DATA = Path(__file__).resolve().parent.parent / "data"

FICTIONAL_EN = "[FICTIONAL DEMO]"
FICTIONAL_KO = "[가상 데모]"
MARK = f"{FICTIONAL_EN} {FICTIONAL_KO}"
PREFIX = "demo"
LAST_YEAR = 2024  # no incident, interview or intervention after this year


def external_id(record_type: str, n: int) -> str:
    return f"{PREFIX}:{record_type}:{n}"


# --- Hangul and romanization ---------------------------------------------------------------
#
# A syllable is (initial, medial, final) by Unicode arithmetic. Three systems are written here
# from their published tables (no third-party code): Revised Romanization (RR, ROK 2000),
# McCune–Reischauer (MR, 1939) and the DPRK's own style as its press writes names (MR without
# diacritics, kh/th/ph for aspirates, ㅈ = j, given-name syllables apart: 박동구 → Pak Tong Gu).

_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_FINALS = ["", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ",
           "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ"]
# The sound a final consonant makes at the end of a syllable (its representative).
_FINAL_SOUND = {
    "": "", "ㄱ": "k", "ㄲ": "k", "ㄳ": "k", "ㄺ": "k", "ㅋ": "k", "ㄴ": "n", "ㄵ": "n", "ㄶ": "n",
    "ㄷ": "t", "ㅅ": "t", "ㅆ": "t", "ㅈ": "t", "ㅊ": "t", "ㅌ": "t", "ㅎ": "t", "ㄹ": "l", "ㄼ": "l",
    "ㄽ": "l", "ㄾ": "l", "ㅀ": "l", "ㅁ": "m", "ㄻ": "m", "ㅂ": "p", "ㅄ": "p", "ㄿ": "p", "ㅍ": "p",
    "ㅇ": "ng",
}
# A final consonant that moves to the next syllable when that one starts with a vowel.
_LIAISON = {"ㄱ": "ㄱ", "ㄲ": "ㄲ", "ㄴ": "ㄴ", "ㄷ": "ㄷ", "ㄹ": "ㄹ", "ㅁ": "ㅁ", "ㅂ": "ㅂ", "ㅅ": "ㅅ",
            "ㅆ": "ㅆ", "ㅈ": "ㅈ", "ㅊ": "ㅊ", "ㅋ": "ㅋ", "ㅌ": "ㅌ", "ㅍ": "ㅍ"}
_VOWELS = {
    #        RR     MR     DPRK
    "ㅏ": ("a", "a", "a"), "ㅐ": ("ae", "ae", "ae"), "ㅑ": ("ya", "ya", "ya"), "ㅒ": ("yae", "yae", "yae"),
    "ㅓ": ("eo", "ŏ", "o"), "ㅔ": ("e", "e", "e"), "ㅕ": ("yeo", "yŏ", "yo"), "ㅖ": ("ye", "ye", "ye"),
    "ㅗ": ("o", "o", "o"), "ㅘ": ("wa", "wa", "wa"), "ㅙ": ("wae", "wae", "wae"), "ㅚ": ("oe", "oe", "oe"),
    "ㅛ": ("yo", "yo", "yo"), "ㅜ": ("u", "u", "u"), "ㅝ": ("wo", "wŏ", "wo"), "ㅞ": ("we", "we", "we"),
    "ㅟ": ("wi", "wi", "wi"), "ㅠ": ("yu", "yu", "yu"), "ㅡ": ("eu", "ŭ", "u"), "ㅢ": ("ui", "ŭi", "ui"),
    "ㅣ": ("i", "i", "i"),
}
_MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
#              RR     MR voiceless/voiced   DPRK voiceless/voiced
_CONSONANTS = {
    "ㄱ": ("g", "k", "g", "k", "g"), "ㄲ": ("kk", "kk", "kk", "kk", "kk"), "ㄴ": ("n", "n", "n", "n", "n"),
    "ㄷ": ("d", "t", "d", "t", "d"), "ㄸ": ("tt", "tt", "tt", "tt", "tt"), "ㄹ": ("r", "r", "r", "r", "r"),
    "ㅁ": ("m", "m", "m", "m", "m"), "ㅂ": ("b", "p", "b", "p", "b"), "ㅃ": ("pp", "pp", "pp", "pp", "pp"),
    "ㅅ": ("s", "s", "s", "s", "s"), "ㅆ": ("ss", "ss", "ss", "ss", "ss"), "ㅇ": ("", "", "", "", ""),
    "ㅈ": ("j", "ch", "j", "j", "j"), "ㅉ": ("jj", "tch", "tch", "jj", "jj"), "ㅊ": ("ch", "ch'", "ch'", "ch", "ch"),
    "ㅋ": ("k", "k'", "k'", "kh", "kh"), "ㅌ": ("t", "t'", "t'", "th", "th"), "ㅍ": ("p", "p'", "p'", "ph", "ph"),
    "ㅎ": ("h", "h", "h", "h", "h"),
}
_SYSTEMS = ("rr", "mr", "dprk")


def decompose(syllable: str) -> tuple[str, str, str]:
    code = ord(syllable) - 0xAC00
    if not 0 <= code < 11172:
        raise ValueError(f"{syllable!r} is not a Hangul syllable")
    return _INITIALS[code // 588], _MEDIALS[(code % 588) // 28], _FINALS[code % 28]


def compose(initial: str, medial: str, final: str = "") -> str:
    return chr(0xAC00 + (_INITIALS.index(initial) * 21 + _MEDIALS.index(medial)) * 28 + _FINALS.index(final))


@lru_cache(maxsize=1 << 15)
def rok_spelling(word: str) -> str:
    """The ROK spelling of a DPRK-spelled word: the initial-sound rule on its first syllable
    (리 → 이, 량 → 양, 로 → 노, 녀 → 여)."""
    if not word:
        return word
    initial, medial, final = decompose(word[0])
    if initial == "ㄹ":
        initial = "ㅇ" if medial in "ㅑㅕㅖㅛㅠㅣ" else "ㄴ"
    elif initial == "ㄴ" and medial in "ㅑㅕㅛㅠㅣ":
        initial = "ㅇ"
    return compose(initial, medial, final) + word[1:]


def _assimilate(sylls: list[list[str]]) -> None:
    """The sound changes romanization writes inside one word (place names): a final consonant
    moves onto a following vowel, stops become nasals before nasals, ㄹ meets ㄴ."""
    for prev, cur in itertools.pairwise(sylls):
        f, i = prev[2], cur[0]
        sound = _FINAL_SOUND[f]
        if i == "ㅇ" and f in _LIAISON:
            prev[2], cur[0] = "", _LIAISON[f]
        elif i in "ㄴㅁ" and sound in ("k", "t", "p"):
            prev[2] = {"k": "ㅇ", "t": "ㄴ", "p": "ㅁ"}[sound]
        elif i == "ㄹ":
            if sound == "n":
                prev[2] = "ㄹ"
            elif sound in ("m", "ng"):
                cur[0] = "ㄴ"
            elif sound in ("k", "p"):
                prev[2], cur[0] = ("ㅇ" if sound == "k" else "ㅁ"), "ㄴ"
        elif i == "ㄴ" and sound == "l":
            cur[0] = "ㄹ"


@lru_cache(maxsize=1 << 16)
def romanize(word: str, system: str, *, syllables_apart: bool = False, assimilate: bool = False) -> str:
    """One Hangul word in RR, MR or DPRK style, lower case. ``syllables_apart`` returns the
    syllables as a list joined by spaces (for DPRK given names); MR voices ㄱㄷㅂㅈ between voiced
    sounds and marks n'g; ``assimilate`` applies the sound changes of place names."""
    col = _SYSTEMS.index(system)
    sylls = [list(decompose(ch)) for ch in word]
    if assimilate:
        _assimilate(sylls)
    out: list[str] = []
    prev_sound = None  # None at the start of the word
    for initial, medial, final in sylls:
        cons = _CONSONANTS[initial]
        voiced = prev_sound is not None and (
            prev_sound in ("", "n", "m", "ng") or (prev_sound == "l" and initial in "ㄱㅂ")
        )
        if system == "rr":
            onset = cons[0]
            if initial == "ㄹ" and prev_sound == "l":
                onset = "l"
        elif system == "mr":
            onset = cons[2] if voiced else cons[1]  # 시 is "si" as in the 1939 system (Sinŭiju)
            if initial == "ㄹ" and prev_sound == "l":
                onset = "l"
            if prev_sound == "n" and onset.startswith("g"):
                onset = "'" + onset
        else:
            onset = cons[4] if voiced else cons[3]
            if initial == "ㄹ" and prev_sound == "l":
                onset = "l"
        sound = _FINAL_SOUND[final]
        coda = "ng" if sound == "ng" else sound
        out.append(onset + _VOWELS[medial][col] + coda)
        prev_sound = sound
    if syllables_apart:
        return " ".join(out)
    return "".join(out)


# Conventional spellings of surnames and given-name syllables (ROK passports and press).
_POPULAR_SURNAMES = {
    "김": ["Kim"], "이": ["Lee", "Yi", "Rhee"], "박": ["Park"], "최": ["Choi"], "정": ["Jung", "Jeong", "Chung"],
    "강": ["Kang"], "조": ["Cho", "Jo"], "윤": ["Yoon", "Yun"], "장": ["Jang", "Chang"], "임": ["Lim", "Im"],
    "한": ["Han"], "오": ["Oh"], "서": ["Seo", "Suh"], "신": ["Shin"], "권": ["Kwon"], "황": ["Hwang"],
    "안": ["Ahn"], "송": ["Song"], "전": ["Jeon", "Chun"], "홍": ["Hong"], "유": ["Yoo", "Yu"], "류": ["Ryu", "Yoo"],
    "고": ["Ko", "Koh"], "문": ["Moon"], "양": ["Yang"], "손": ["Son", "Sohn"], "배": ["Bae"], "백": ["Baek", "Paik"],
    "허": ["Heo", "Huh"], "남": ["Nam"], "심": ["Shim"], "노": ["Noh", "Roh"], "하": ["Ha"], "곽": ["Kwak"],
    "성": ["Sung", "Seong"], "차": ["Cha"], "주": ["Joo", "Ju"], "우": ["Woo"], "구": ["Koo", "Ku"], "나": ["Na"],
    "민": ["Min"], "진": ["Jin"], "지": ["Ji"], "엄": ["Um", "Eom"], "채": ["Chae"], "원": ["Won"],
    "천": ["Cheon", "Chun"], "방": ["Bang"], "공": ["Kong"], "현": ["Hyun"], "함": ["Ham"], "변": ["Byun"],
    "염": ["Yeom"], "여": ["Yeo"], "추": ["Choo"], "도": ["Do"], "석": ["Seok"], "마": ["Ma"], "길": ["Gil", "Kil"],
    "태": ["Tae"], "탁": ["Tak"],
}
# Strict RR and MR surname forms differ from the letters: 이 is Yi (MR) or I/Yi (RR).
_SURNAME_OVERRIDES = {"rr": {"이": ["Yi", "I"]}, "mr": {"이": ["Yi"]}}
_POPULAR_SYLLABLES = {
    "영": "young", "철": "chul", "성": "sung", "정": "jung", "현": "hyun", "석": "suk", "은": "eun",
    "준": "joon", "수": "soo", "순": "soon", "숙": "sook", "희": "hee", "명": "myung", "경": "kyung",
    "혁": "hyuk", "광": "kwang", "국": "kook", "춘": "choon", "훈": "hoon", "금": "keum", "선": "sun",
    "혜": "hye", "련": "ryun", "연": "yeon", "덕": "duk", "근": "keun", "운": "woon", "웅": "woong",
    "주": "joo", "범": "bum", "설": "sul", "별": "byul", "학": "hak", "용": "yong", "룡": "ryong",
    "심": "shim", "실": "sil", "월": "wol", "건": "gun", "식": "sik", "복": "bok", "애": "ae",
}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cap_hyphenated_given(syllables: list[str], style: str) -> str:
    """'yeong', 'cheol' → 'Yeongcheol' (joined), 'Yeong-cheol' (hyphen), 'Yeong Cheol' (spaced)."""
    if style == "joined":
        return _cap("".join(syllables))
    if style == "hyphen":
        return _cap("-".join(syllables))
    return " ".join(_cap(s) for s in syllables)


@lru_cache(maxsize=1 << 15)
def _mr_given_syllables(given: str) -> tuple[str, ...]:
    """MR syllables of a given name, voiced as one word (김대중 → Tae-jung)."""
    whole = [list(decompose(ch)) for ch in given]
    parts = []
    prev_sound = None
    for initial, medial, final in whole:
        word = compose(initial, medial, final)
        text = romanize(word, "mr")
        if prev_sound is not None and (prev_sound in ("", "n", "m", "ng") or (prev_sound == "l" and initial in "ㄱㅂ")):
            cons = _CONSONANTS[initial]
            if cons[1] != cons[2] and text.startswith(cons[1]):
                text = cons[2] + text[len(cons[1]):]
        parts.append(text)
        prev_sound = _FINAL_SOUND[final]
    return tuple(parts)


@lru_cache(maxsize=1 << 15)
def _dprk_given_syllables(given: str) -> tuple[str, ...]:
    parts = romanize(given, "dprk", syllables_apart=True).split(" ")
    # The first syllable of a given name is word-initial: voiceless (박봉주 → Pak Pong Ju).
    first = romanize(given[0], "dprk")
    return (first, *parts[1:])


def romanized_name(surname_dprk: str, given: str, style: str, rng: random.Random) -> tuple[str, str, str, str]:
    """(full name, family name, given name, romanization code) of one romanized variant.

    style: ``rr`` (ROK spelling, strict or conventional surname, given name joined or hyphenated),
    ``mr`` (with or without diacritics, given name hyphenated), ``dprk`` (DPRK spelling, given
    syllables apart: Ri Yong Chol) or ``popular`` (conventional spellings: Lee Young-chul)."""
    rok_surname = rok_spelling(surname_dprk)
    rok_given = rok_spelling(given)
    if style == "rr":
        family = rng.choice(_SURNAME_OVERRIDES["rr"].get(rok_surname) or [_cap(romanize(rok_surname, "rr"))] + _POPULAR_SURNAMES.get(rok_surname, [])[:1])
        given_text = _cap_hyphenated_given([romanize(ch, "rr") for ch in rok_given], rng.choice(("joined", "hyphen", "hyphen")))
        code = "rr"
    elif style == "mr":
        base_surname = surname_dprk if rng.random() < 0.5 else rok_surname
        family = rng.choice(_SURNAME_OVERRIDES["mr"].get(base_surname) or [_cap(romanize(base_surname, "mr"))])
        given_sylls = _mr_given_syllables(given if base_surname == surname_dprk else rok_given)
        given_text = _cap("-".join(given_sylls))
        if rng.random() < 0.4:  # as typed without a diacritics keyboard
            family, given_text = _plain(family), _plain(given_text)
        code = "mr"
    elif style == "dprk":
        family = _cap(romanize(surname_dprk, "dprk"))
        given_text = " ".join(_cap(s) for s in _dprk_given_syllables(given))
        code = "dprk"
    else:
        family = rng.choice(_POPULAR_SURNAMES.get(rok_surname) or [_cap(romanize(rok_surname, "rr"))])
        sylls = [_POPULAR_SYLLABLES.get(ch) or romanize(ch, "rr") for ch in rok_given]
        given_text = _cap_hyphenated_given(sylls, rng.choice(("hyphen", "hyphen", "joined", "spaced")))
        code = "other"
    if rng.random() < 0.15 and style in ("rr", "popular"):
        full = f"{given_text} {family}"  # Western order, as in many ROK and foreign documents
    else:
        full = f"{family} {given_text}"
    return full, family, given_text, code


def _plain(text: str) -> str:
    return text.replace("ŏ", "o").replace("ŭ", "u").replace("Ŏ", "O").replace("Ŭ", "U").replace("'", "")


# --- names ---------------------------------------------------------------------------------

# (DPRK spelling, weight ‰). Weights follow the ROK census surname frequencies (2015), which
# are the published figures closest to a North Korean population; ROK spellings are derived.
SURNAMES = [
    ("김", 215), ("리", 147), ("박", 84), ("최", 47), ("정", 43), ("강", 23), ("조", 21), ("윤", 21),
    ("장", 20), ("림", 17), ("한", 15), ("오", 15), ("서", 15), ("신", 15), ("권", 14), ("황", 14),
    ("안", 14), ("송", 13), ("전", 11), ("홍", 11), ("류", 11), ("고", 9), ("문", 9), ("량", 9), ("손", 9),
    ("배", 8), ("백", 8), ("허", 6), ("남", 5), ("심", 5), ("로", 4), ("하", 4), ("곽", 4), ("성", 4),
    ("차", 4), ("주", 4), ("우", 4), ("구", 4), ("라", 3), ("민", 3), ("진", 3), ("지", 3), ("엄", 3),
    ("채", 3), ("원", 3), ("천", 2), ("방", 2), ("공", 2), ("현", 2), ("함", 2), ("변", 2), ("렴", 1),
    ("려", 1), ("추", 1), ("도", 1), ("석", 1), ("마", 1), ("길", 1), ("태", 1), ("탁", 1),
]
GIVEN = {
    "male": (
        "영성광명철정경진현동용룡춘학국남일금혁승상만덕봉기종수태세창원충호길재형효",
        "철호남일수혁진국성민길만학범식준훈석용룡복근웅운건찬명우환선삼빈",
    ),
    "female": (
        "영순명정은금옥혜미경향선춘숙련복설송화해연진유성지효",
        "희옥숙순미화실향란애련심자영정경선주아림월단별",
    ),
}
# Names of well-known real people (leaders, officials, public witnesses) the generator must
# never produce, even by chance.
REAL_NAMES = frozenset(
    "김일성 김정일 김정은 김여정 김정남 김경희 김주애 김정철 장성택 리설주 이설주 최룡해 최용해 김영남 "
    "황장엽 신동혁 강철환 박봉주 현송월 리병철 이병철 최선희 김덕훈 조용원 김재룡 리만건 이만건 태영호 "
    "지성호 박연미 이현서 리현서 김혁철 리용호 이용호 김영철 리선권 이선권 김성남 정경택 리영길 이영길".split()
)


class Weighted:
    """Draw from (value, weight) pairs with one random number (bisect on cumulative weights)."""

    def __init__(self, pairs):
        pairs = [(v, w) for v, w in pairs if w > 0]
        if not pairs:
            raise ValueError("nothing to draw from")
        self.values = [v for v, _ in pairs]
        self.cum = list(itertools.accumulate(w for _, w in pairs))
        self.total = self.cum[-1]

    def draw(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.total)]

    def __len__(self):
        return len(self.values)


_SURNAME_DRAW = Weighted(SURNAMES)


def korean_name(rng: random.Random, sex: str) -> tuple[str, str]:
    """(surname, given name) in DPRK spelling; never a name in REAL_NAMES."""
    firsts, seconds = GIVEN["female" if sex == "female" else "male"]
    while True:
        surname = _SURNAME_DRAW.draw(rng)
        if rng.random() < 0.03:
            given = rng.choice(seconds)
        else:
            a, b = rng.choice(firsts), rng.choice(seconds)
            if a == b:
                continue
            given = a + b
        if surname + given not in REAL_NAMES and rok_spelling(surname) + rok_spelling(given) not in REAL_NAMES:
            return surname, given


# --- reference data, read at run time -------------------------------------------------------

class Catalog:
    """Vocabulary codes, divisions, facilities and institutions from ``kirok/data``.

    The generator asks for codes by preference (``pick("location_types", "holding_centre",
    "detention_facility")``) and gets the first that exists, or None: a vocabulary that changes
    never breaks the demo set, it only makes a field empty.
    """

    def __init__(self, data: Path = DATA):
        self.codes: dict[str, set[str]] = {}
        for path in sorted((data / "vocabularies").glob("*.yaml")):
            with open(path, encoding="utf-8") as f:
                doc = yaml.safe_load(f) or {}
            found: set[str] = set()

            def walk(terms):
                for item in terms or []:
                    found.add(item["code"])
                    walk(item.get("terms"))

            walk(doc.get("terms"))
            self.codes[doc.get("key", path.stem)] = found
        self.divisions: dict[str, dict] = {}
        divisions = data / "gazetteer" / "divisions.csv"
        if divisions.exists():
            with open(divisions, encoding="utf-8", newline="") as f:
                for row in csv.DictReader(f):
                    self.divisions[row["iso_code"]] = row
        self.facilities: list[dict] = []
        facilities = data / "gazetteer" / "facilities.yaml"
        if facilities.exists():
            with open(facilities, encoding="utf-8") as f:
                self.facilities = list((yaml.safe_load(f) or {}).get("facilities") or [])
        self.institutions: set[str] = set()
        institutions = data / "institutions.yaml"
        if institutions.exists():
            with open(institutions, encoding="utf-8") as f:
                self.institutions = {i["key"] for i in (yaml.safe_load(f) or {}).get("institutions") or []}

    def has(self, vocabulary: str, code: str) -> bool:
        return code in self.codes.get(vocabulary, ())

    def pick(self, vocabulary: str, *preferred: str) -> str | None:
        for code in preferred:
            if self.has(vocabulary, code):
                return code
        return None

    def only(self, vocabulary: str, codes) -> list[str]:
        return [c for c in codes if self.has(vocabulary, c)]

    def weighted(self, vocabulary: str, pairs) -> Weighted | None:
        kept = [(c, w) for c, w in pairs if self.has(vocabulary, c)]
        return Weighted(kept) if kept else None

    def institution(self, key: str) -> str | None:
        return f"ref:institution:{key}" if key in self.institutions else None

    def division(self, iso: str) -> str | None:
        return f"ref:division:{iso}" if iso in self.divisions else None


# --- geography ----------------------------------------------------------------------------

# Counties (시·군·구역) by province, in the order the demo set takes them: first each
# province's seat, then North Hamgyŏng and Ryanggang (where most testimony comes from), then the
# rest. Names are public geography in DPRK spelling; the demo set creates them as its own demo
# places (the shipped gazetteer stops at provinces).
COUNTIES = [
    ("KP-09", "청진", "시"), ("KP-10", "혜산", "시"), ("KP-08", "함흥", "시"), ("KP-03", "신의주", "시"),
    ("KP-04", "강계", "시"), ("KP-02", "평성", "시"), ("KP-01", "중", "구역"), ("KP-06", "사리원", "시"),
    ("KP-05", "해주", "시"), ("KP-07", "원산", "시"), ("KP-13", "라진", "구역"), ("KP-14", "항구", "구역"),
    ("KP-09", "회령", "시"), ("KP-09", "무산", "군"), ("KP-09", "온성", "군"), ("KP-10", "삼지연", "시"),
    ("KP-09", "김책", "시"), ("KP-09", "새별", "군"), ("KP-10", "보천", "군"), ("KP-09", "은덕", "군"),
    ("KP-09", "경성", "군"), ("KP-10", "김형직", "군"), ("KP-10", "대홍단", "군"), ("KP-09", "길주", "군"),
    ("KP-09", "명간", "군"), ("KP-08", "단천", "시"), ("KP-09", "부령", "군"), ("KP-10", "운흥", "군"),
    ("KP-09", "명천", "군"), ("KP-09", "어랑", "군"), ("KP-10", "갑산", "군"), ("KP-09", "연사", "군"),
    ("KP-04", "만포", "시"), ("KP-03", "의주", "군"), ("KP-09", "화대", "군"), ("KP-10", "풍서", "군"),
    ("KP-10", "백암", "군"), ("KP-10", "김정숙", "군"), ("KP-10", "삼수", "군"), ("KP-08", "요덕", "군"),
    ("KP-02", "개천", "시"), ("KP-02", "순천", "시"), ("KP-08", "신포", "시"), ("KP-04", "중강", "군"),
    ("KP-03", "삭주", "군"), ("KP-08", "북청", "군"), ("KP-02", "북창", "군"), ("KP-01", "모란봉", "구역"),
    ("KP-08", "영광", "군"), ("KP-08", "고원", "군"), ("KP-04", "희천", "시"), ("KP-03", "정주", "시"),
    ("KP-02", "안주", "시"), ("KP-02", "덕천", "시"), ("KP-06", "송림", "시"), ("KP-07", "문천", "시"),
    ("KP-05", "옹진", "군"), ("KP-01", "대동강", "구역"), ("KP-08", "정평", "군"), ("KP-08", "홍원", "군"),
    ("KP-08", "허천", "군"), ("KP-03", "구성", "시"), ("KP-03", "룡천", "군"), ("KP-04", "자성", "군"),
    ("KP-04", "초산", "군"), ("KP-02", "성천", "군"), ("KP-06", "황주", "군"), ("KP-05", "재령", "군"),
    ("KP-07", "통천", "군"), ("KP-01", "만경대", "구역"), ("KP-13", "선봉", "구역"), ("KP-03", "선천", "군"),
    ("KP-04", "위원", "군"), ("KP-02", "숙천", "군"), ("KP-06", "봉산", "군"), ("KP-05", "신천", "군"),
    ("KP-07", "천내", "군"), ("KP-01", "선교", "구역"), ("KP-03", "천마", "군"), ("KP-06", "곡산", "군"),
    ("KP-05", "안악", "군"), ("KP-07", "고성", "군"), ("KP-01", "락랑", "구역"), ("KP-06", "신계", "군"),
    ("KP-05", "연안", "군"), ("KP-07", "철원", "군"), ("KP-14", "와우도", "구역"), ("KP-01", "사동", "구역"),
    ("KP-07", "김화", "군"), ("KP-14", "대안", "구역"),
]
BORDER_COUNTIES = {
    "회령", "무산", "온성", "새별", "은덕", "혜산", "삼지연", "보천", "김형직", "대홍단", "김정숙", "삼수",
    "만포", "중강", "자성", "초산", "위원", "신의주", "의주", "삭주", "라진", "선봉",
}
_KIND_SUFFIX = {"시": ("si", "si", "City"), "군": ("gun", "kun", "County"), "구역": ("guyeok", "kuyŏk", "District")}
# Where incidents happen and people come from: North Hamgyŏng–heavy, as the documented samples.
PROVINCE_WEIGHTS = {
    "KP-09": 52, "KP-10": 18, "KP-08": 6, "KP-03": 5, "KP-04": 3, "KP-02": 4, "KP-01": 3, "KP-06": 2,
    "KP-05": 1.5, "KP-07": 2, "KP-13": 1.5, "KP-14": 1, "KP-15": 1,
}
BORDER_PROVINCES = {"KP-09": 60, "KP-10": 25, "KP-04": 5, "KP-03": 8, "KP-13": 2}


@dataclass(frozen=True)
class County:
    index: int  # position in the demo place list
    province: str
    name: str  # with its suffix, e.g. 회령시
    base: str
    suffix: str
    border: bool
    mss_cell: int  # place indexes of its facilities
    msocs_cell: int
    labour_unit: int
    mss_unit: int  # organization indexes
    msocs_unit: int
    border_unit: int | None


# --- scenarios ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActSpec:
    act_type: tuple[str, ...]  # preferred codes, first existing wins
    weight: float
    methods: tuple[str, ...] = ()
    location: tuple[str, ...] = ()
    stage: str = "arrest"  # arrest, detention, public, border, home, work
    female_only: bool = False
    days: tuple[int, int] | None = None  # how long the act lasted, when it is a detention


@dataclass(frozen=True)
class Scenario:
    key: str
    weight: float
    title_ko: str
    title_en: str
    institution: str  # mss, msocs, kpa, wpk
    facility: str  # county_mss, county_msocs, labour, jipkyulso, kyohwaso, kwalliso, none
    acts: tuple[ActSpec, ...]
    lethal: ActSpec | None
    lethal_rate: float
    categories: tuple[str, ...]
    reasons: tuple[str, ...]
    excerpts: tuple[str, str, str]  # direct experience, witnessed, hearsay
    years: tuple[int, int] = (1990, LAST_YEAR)
    days: tuple[int, int] = (1, 30)
    border: bool = False


S = ActSpec
SCENARIOS = (
    Scenario(
        "repatriation", 24, "강제송환 후 구금·고문", "Detention and torture after forced repatriation", "mss", "jipkyulso",
        (
            S(("forced_repatriation",), 18, (), ("border_crossing", "border_area"), "border"),
            S(("pretrial_detention", "arbitrary_detention"), 22, ("held_in_detention_place", "overcrowding", "starvation_rations"), ("security_agency_facility", "detention_facility"), "arrest", days=(20, 120)),
            S(("torture",), 25, ("beating", "slapping_kicking_punching", "forced_sitting_kneeling", "sleep_deprivation", "verbal_abuse"), ("security_agency_facility",), "arrest"),
            S(("invasive_body_search", "ill_treatment"), 8, ("forced_nudity", "degradation"), ("holding_centre", "detention_facility"), "detention"),
            S(("detention_holding_centre", "arbitrary_detention"), 15, ("forced_labour_quota", "starvation_rations", "overcrowding"), ("holding_centre", "detention_facility"), "detention", days=(30, 180)),
            S(("forced_abortion",), 7, (), ("holding_centre", "detention_facility"), "detention", female_only=True),
        ),
        S(("death_in_custody",), 1, ("starvation_rations", "denial_of_medical_attention"), ("holding_centre", "detention_facility"), "detention"),
        0.04, ("right_to_leave", "non_refoulement", "arbitrary_detention", "torture_inhuman_treatment"),
        ("불법월경", "중국 체류 중 한국인 접촉 혐의", "중국에서 교회 출입 혐의", "한국행 시도 혐의"),
        ("중국에서 붙잡혀 강제송환된 뒤 {place}에서 조사를 받으며 매일 맞았다.",
         "강제송환된 사람들이 {place}에서 무릎을 꿇고 앉아 맞는 것을 보았다.",
         "강제송환된 이웃이 {place}에서 고문을 당했다고 그 가족에게서 들었다."),
        years=(1997, 2019), days=(30, 240), border=True,
    ),
    Scenario(
        "border_crossing", 14, "불법월경 혐의 체포와 로동단련대 수감", "Arrest for illegal border crossing and labour training unit", "msocs", "labour",
        (
            S(("arbitrary_arrest",), 25, (), ("border_river", "border_area"), "border"),
            S(("pretrial_detention", "arbitrary_detention"), 25, ("held_in_detention_place",), ("police_station", "detention_facility"), "arrest", days=(10, 60)),
            S(("detention_labour_training_unit", "arbitrary_detention"), 30, ("forced_labour_quota", "beating", "starvation_rations"), ("labour_training_unit", "detention_facility"), "detention", days=(60, 180)),
            S(("extortion",), 10, (), ("police_station",), "arrest"),
            S(("ill_treatment", "beating_assault"), 10, ("beating", "verbal_abuse"), ("police_station",), "arrest"),
        ),
        S(("killing_at_border", "extrajudicial_killing"), 1, ("shooting",), ("border_river", "border_area"), "border"),
        0.03, ("right_to_leave", "movement_within_country", "arbitrary_detention"),
        ("불법월경", "밀수", "중국 친척 방문"),
        ("두만강을 건너다 붙잡혀 {place}에 끌려가 몇 달 동안 일했다.",
         "{place}에 끌려온 월경자들이 하루 종일 일하며 맞는 것을 보았다.",
         "강을 건너다 잡힌 사람이 {place}에 보내졌다고 들었다."),
        days=(60, 240), border=True,
    ),
    Scenario(
        "kwalliso", 9, "정치범수용소 수감(연좌제)", "Imprisonment in a political prison camp (guilt by association)", "mss", "kwalliso",
        (
            S(("enforced_disappearance",), 20, ("held_without_legal_authority",), ("secret_detention_place", "security_agency_facility"), "arrest"),
            S(("imprisonment_kwalliso", "arbitrary_detention"), 30, ("held_in_labour_camp", "forced_labour_quota", "starvation_rations"), ("political_prison_camp", "detention_facility"), "detention", days=(700, 7000)),
            S(("guilt_by_association", "collective_punishment"), 20, ("held_in_labour_camp",), ("political_prison_camp", "detention_facility"), "detention", days=(700, 7000)),
            S(("forced_labour_in_detention", "forced_labour"), 20, ("forced_labour_quota", "beating_with_objects"), ("political_prison_camp", "detention_facility"), "detention"),
            S(("punishment_without_trial",), 10, (), ("security_agency_facility",), "arrest"),
        ),
        S(("death_in_camp", "death_in_custody"), 1, ("starvation_rations", "denial_of_medical_attention"), ("political_prison_camp",), "detention"),
        0.10, ("prison_camps", "enforced_disappearance", "songbun_discrimination"),
        ("가족의 한국행", "체제 비판 발언", "간첩 혐의", "초상화 훼손 혐의"),
        ("보위부에 끌려간 뒤 재판 없이 {place}에 보내졌고 가족도 함께 끌려왔다.",
         "{place}에서 같은 작업반 사람들이 굶주림 속에 일하다 쓰러지는 것을 보았다.",
         "이웃 가족 전체가 어느 날 밤 사라졌고 {place}에 갔다고 들었다."),
        days=(700, 7000),
    ),
    Scenario(
        "kyohwaso", 9, "교화소 수감(로동교화형)", "Imprisonment in a reform-through-labour prison", "msocs", "kyohwaso",
        (
            S(("denial_of_fair_trial", "show_trial"), 15, (), ("court",), "arrest"),
            S(("imprisonment_kyohwaso", "arbitrary_detention"), 30, ("held_in_prison", "forced_labour_quota", "starvation_rations", "overcrowding"), ("prison", "detention_facility"), "detention", days=(365, 3650)),
            S(("forced_labour_in_detention", "forced_labour"), 25, ("forced_labour_quota",), ("prison", "detention_facility"), "detention"),
            S(("inhumane_detention_conditions",), 20, ("overcrowding", "exposure_to_heat_or_cold", "denial_of_medical_attention"), ("prison", "detention_facility"), "detention"),
            S(("torture",), 10, ("beating_with_objects", "forced_sitting_kneeling"), ("police_station",), "arrest"),
        ),
        S(("death_in_custody",), 1, ("starvation_rations", "denial_of_medical_attention"), ("prison",), "detention"),
        0.06, ("arbitrary_detention", "torture_inhuman_treatment"),
        ("밀수", "마약 거래", "국가재산 절도", "반복된 불법월경"),
        ("재판에서 변론도 없이 로동교화형을 받고 {place}에서 복역했다.",
         "{place}에서 수감자들이 영양실조로 쓰러지는 것을 여러 번 보았다.",
         "친척이 {place}에 수감되었다가 몸이 상해 나왔다고 들었다."),
        days=(365, 3650),
    ),
    Scenario(
        "public_execution", 5, "공개처형", "Public execution", "msocs", "none",
        (
            S(("ill_treatment", "threats"), 100, ("forced_witnessing", "psychological_torture"), ("public_square", "market", "park_or_open_ground", "public_place"), "public"),
        ),
        S(("public_execution", "killing"), 1, ("shooting",), ("public_square", "market", "park_or_open_ground", "public_place"), "public"),
        0.95, ("executions",),
        ("마약 밀매", "인신매매", "한국 영상물 유포", "살인"),
        ("인민반 동원으로 {place} 공개처형장에 나가야 했다.",
         "{place} 강변 공터에서 공개처형이 있었고 주민들이 모두 동원되었다.",
         "{place}에서 공개처형이 있었다고 장마당에서 들었다."),
        days=(0, 0),
    ),
    Scenario(
        "foreign_media", 10, "외부 영상물 시청·유포 처벌", "Punishment for watching or sharing foreign media", "msocs", "labour",
        (
            S(("illegal_search",), 15, (), ("victims_home", "residence"), "home"),
            S(("punishment_for_foreign_media",), 35, ("held_in_detention_place",), ("police_station",), "arrest", days=(10, 90)),
            S(("detention_labour_training_unit", "arbitrary_detention"), 20, ("forced_labour_quota", "beating"), ("labour_training_unit",), "detention", days=(60, 180)),
            S(("extortion",), 15, (), ("police_station",), "arrest"),
            S(("confiscation_of_property",), 15, (), ("victims_home", "residence"), "home"),
        ),
        None, 0.0, ("freedom_of_expression", "arbitrary_detention"),
        ("한국 드라마 시청", "USB 유포", "외국 노래 청취", "CD 판매"),
        ("집에서 한국 드라마를 보다 단속되어 {place}에 끌려갔다.",
         "단속반이 이웃집을 뒤져 USB를 찾아내는 것을 보았다.",
         "한국 영상물을 판 사람이 {place}에 보내졌다고 들었다."),
        years=(2002, LAST_YEAR), days=(20, 200),
    ),
    Scenario(
        "religion", 4, "종교 활동 처벌", "Punishment for religious activity", "mss", "kwalliso",
        (
            S(("religious_persecution",), 35, ("held_in_detention_place",), ("security_agency_facility",), "arrest"),
            S(("pretrial_detention", "arbitrary_detention"), 20, ("held_in_detention_place", "solitary_confinement"), ("security_agency_facility",), "arrest", days=(30, 180)),
            S(("torture",), 25, ("beating", "pigeon_torture", "sleep_deprivation"), ("security_agency_facility",), "arrest"),
            S(("imprisonment_kwalliso", "arbitrary_detention"), 20, ("held_in_labour_camp",), ("political_prison_camp", "detention_facility"), "detention", days=(700, 5000)),
        ),
        S(("death_in_custody",), 1, ("beating_to_death",), ("security_agency_facility",), "arrest"),
        0.05, ("freedom_of_religion", "prison_camps"),
        ("성경 소지", "중국에서 교회 출입", "기도 모임"),
        ("성경을 가지고 있다가 보위부에 잡혀 {place}에서 조사를 받았다.",
         "기도 모임을 하던 사람들이 {place}로 끌려가는 것을 보았다.",
         "성경을 가진 사람이 {place}에 끌려가 돌아오지 못했다고 들었다."),
        years=(1995, LAST_YEAR), days=(30, 720),
    ),
    Scenario(
        "phone", 6, "중국 휴대전화 사용 처벌", "Punishment for using a Chinese mobile phone", "mss", "county_mss",
        (
            S(("punishment_for_unauthorised_communication",), 40, ("held_in_detention_place",), ("security_agency_facility",), "arrest", days=(10, 90)),
            S(("surveillance",), 15, (), ("victims_home", "residence"), "home"),
            S(("pretrial_detention", "arbitrary_detention"), 20, ("held_in_detention_place",), ("security_agency_facility",), "arrest", days=(10, 90)),
            S(("extortion",), 15, (), ("security_agency_facility",), "arrest"),
            S(("torture",), 10, ("beating", "threats_against_family"), ("security_agency_facility",), "arrest"),
        ),
        None, 0.0, ("freedom_of_expression", "arbitrary_detention"),
        ("중국 휴대전화로 한국 가족과 통화", "송금 중개", "전파 탐지"),
        ("중국 휴대전화로 한국에 있는 딸과 통화하다 전파탐지에 걸려 {place}에 끌려갔다.",
         "보위부원들이 전화를 하던 이웃을 {place}로 데려가는 것을 보았다.",
         "송금 브로커가 {place}에 잡혀갔다고 들었다."),
        years=(2005, LAST_YEAR), days=(10, 120), border=True,
    ),
    Scenario(
        "mobilisation", 4, "돌격대 강제동원", "Forced mobilisation to a construction brigade", "msocs", "none",
        (
            S(("forced_mobilisation", "forced_labour"), 50, ("forced_labour_quota",), ("farm", "mine", "workplace"), "work", days=(90, 720)),
            S(("forced_labour",), 30, ("forced_labour_quota", "starvation_rations"), ("mine", "workplace"), "work", days=(90, 720)),
            S(("denial_of_medical_care",), 20, ("denial_of_medical_attention",), ("workplace",), "work"),
        ),
        None, 0.0, (),
        ("돌격대 동원", "농촌 지원 동원"),
        ("돌격대에 동원되어 {place}에서 제대로 먹지도 못하고 일했다.",
         "{place}의 건설장에서 동원된 청년들이 다치는 것을 보았다.",
         "동원된 사람들이 {place}에서 사고로 다쳤다고 들었다."),
        days=(90, 720),
    ),
    Scenario(
        "interrogation_death", 3, "예심 중 고문 사망", "Death under torture during pre-trial examination", "mss", "county_mss",
        (
            S(("torture",), 60, ("beating_with_objects", "forced_postures", "sleep_deprivation", "water_torture"), ("security_agency_facility", "pretrial_detention_centre"), "arrest"),
            S(("pretrial_detention", "arbitrary_detention"), 40, ("held_in_detention_place", "solitary_confinement"), ("pretrial_detention_centre", "security_agency_facility"), "arrest", days=(30, 180)),
        ),
        S(("death_from_torture", "death_in_custody"), 1, ("beating_to_death",), ("security_agency_facility", "pretrial_detention_centre"), "arrest"),
        0.6, ("torture_inhuman_treatment", "arbitrary_detention"),
        ("간첩 혐의", "한국행 기도 혐의"),
        ("{place}에서 예심을 받으며 몽둥이로 맞았다.",
         "같은 감방에 있던 사람이 {place}에서 조사를 받고 돌아와 숨지는 것을 보았다.",
         "{place}에서 예심을 받던 사람이 맞아 죽었다고 들었다."),
        days=(30, 200),
    ),
    Scenario(
        "market", 5, "장마당 단속·재산 몰수", "Market crackdown and confiscation", "msocs", "county_msocs",
        (
            S(("confiscation_of_property",), 40, (), ("market",), "public"),
            S(("extortion",), 30, (), ("market",), "public"),
            S(("arbitrary_detention",), 15, ("held_in_detention_place",), ("police_station",), "arrest", days=(3, 30)),
            S(("beating_assault", "ill_treatment"), 15, ("beating",), ("market",), "public"),
        ),
        None, 0.0, ("food_and_life",),
        ("비사회주의 행위", "허가 없는 장사", "단속 기간 장사"),
        ("장마당에서 물건을 다 빼앗기고 {place}에 끌려갔다.",
         "안전원들이 장마당 상인들의 물건을 빼앗는 것을 보았다.",
         "단속에 걸린 상인이 {place}에 붙잡혀 갔다고 들었다."),
        days=(1, 30),
    ),
    Scenario(
        "famine", 3, "식량 배급 중단과 아사", "Starvation after the food distribution stopped", "wpk", "none",
        (
            S(("starvation", "deprivation_of_food"), 50, ("starvation_rations",), ("victims_home", "residence"), "home", days=(90, 720)),
            S(("discriminatory_food_distribution", "deprivation_of_food"), 50, (), ("workplace", "state_office"), "work", days=(90, 720)),
        ),
        S(("death_from_starvation", "death_from_deprivation"), 1, ("starvation_as_killing",), ("victims_home", "residence"), "home"),
        0.25, ("right_to_food", "right_to_life_starvation"),
        ("배급 중단",),
        ("배급이 끊겨 풀죽으로 연명했고 {place}에서 가족을 잃었다.",
         "{place}에서 굶어 죽은 사람들을 여러 번 보았다.",
         "{place}에서 한 집 식구가 모두 굶어 죽었다고 들었다."),
        years=(1994, 1999), days=(180, 1000),
    ),
)
del S

YEAR_WEIGHTS = {y: (1 if y < 1994 else 3 if y < 2000 else 5 if y < 2005 else 6 if y < 2012 else 4 if y < 2017 else 2.5 if y < 2020 else 1) for y in range(1990, LAST_YEAR + 1)}
DATE_MIX = (("exact", 25), ("estimate", 15), ("unknown_day", 30), ("unknown_month_and_day", 20), ("range", 8), ("unknown", 2))
BASIS_SHARES = (("direct_experience", 69.0), ("witnessed", 22.3), ("hearsay", 8.7))  # MOU, Jan–Mar 2017
ROLE_SHARES = {"victim": 0.866, "perpetrator": 0.042, "witness": 0.082}  # NKDB 2017; the rest are "other"
# NKDB 2024 White Paper: interviews 88.3 %, publications 5.7 %, newspapers 3.8 %, questionnaires 1.4 %,
# letters 57, translations 48, other 467 of 87,317.
SOURCE_TYPES = (
    # key, weight, kind, material types (preferred), testimony?
    ("interview", 88.3, "testimony", ("interview", "victim_testimony", "witness_testimony"), True),
    ("publication", 5.7, "document", ("publication", "book", "other"), False),
    ("newspaper", 3.8, "media", ("newspaper",), False),
    ("questionnaire", 1.4, "testimony", ("questionnaire",), True),
    ("letter", 0.065, "document", ("letter",), True),
    ("translation", 0.055, "document", ("translated_documents",), False),
    ("other", 0.53, "open_source", ("other",), False),
)
OCCUPATIONS = {
    "female": (("가두녀성", 20), ("장사", 25), ("농장원", 15), ("로동자", 15), ("교원", 5), ("간호원", 4), ("학생", 8), ("사무원", 5), ("무직", 3)),
    "male": (("로동자", 25), ("농장원", 15), ("광부", 8), ("장사", 10), ("운전수", 6), ("제대군인", 8), ("학생", 8), ("사무원", 6), ("교원", 4), ("무직", 10)),
}
POSITIONS = {
    "mss": (("보위원", "소위"), ("예심원", "중위"), ("반탐과 지도원", "상위"), ("예심과장", "대위"), ("부부장", "소좌"), ("부장", "중좌")),
    "msocs": (("안전원", "하사"), ("감찰원", "소위"), ("예심원", "중위"), ("수사과장", "상위"), ("부서장", "대위"), ("서장", "소좌")),
    "kpa": (("경비대원", "하전사"), ("분대장", "하사"), ("소대장", "소위"), ("중대장", "상위"), ("정치지도원", "중위")),
}
PERPETRATOR_TYPE = {"mss": "intelligence_agency", "msocs": "police", "kpa": "armed_forces", "wpk": "ruling_party"}


def _days_between(rng: random.Random, span: tuple[int, int]) -> int:
    return rng.randint(span[0], span[1])


def _clip(d: date) -> date:
    last = date(LAST_YEAR, 12, 31)
    return d if d <= last else last


def render_date(rng: random.Random, d: date | None, mix: Weighted, *, forward: bool = False) -> str | None:
    """An uncertain date as testimony gives it, in canonical EDTF: the true day ``d`` known
    exactly, estimated (~), to the month, to the year, within a range, or not at all.
    ``forward`` keeps ranges from starting before ``d``'s year (for end dates)."""
    if d is None:
        return None
    kind = mix.draw(rng)
    if kind == "exact":
        return d.isoformat()
    if kind == "estimate":
        roll = rng.random()
        if roll < 0.4:
            return f"{d.year:04d}~"
        if roll < 0.8:
            return f"{d.year:04d}-{d.month:02d}~"
        return f"{d.isoformat()}~"
    if kind == "unknown_day":
        return f"{d.year:04d}-{d.month:02d}"
    if kind == "unknown_month_and_day":
        return f"{d.year:04d}"
    if kind == "range":
        if rng.random() < 0.5:
            before = 0 if forward else rng.randint(0, 2)
            after = rng.randint(1, 2) if before == 0 else rng.randint(0, 2)
            last_year = min(d.year + after, LAST_YEAR)
            if last_year == d.year - before:
                return f"{d.year:04d}"
            return f"{d.year - before:04d}/{last_year:04d}"
        first = d.month if forward else rng.randint(1, d.month)
        last = rng.randint(d.month, 12)
        if first == last:
            if last < 12:
                last += 1
            else:
                first -= 1
        return f"{d.year:04d}-{first:02d}/{d.year:04d}-{last:02d}"
    return None


def _uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _drop_empty(record: dict) -> dict:
    return {k: v for k, v in record.items() if v is not None and v != "" and v != [] and v != {}}


@dataclass(frozen=True)
class PersonProfile:
    role: str
    sex: str
    birth: date | None
    surname: str
    given: str
    province: str
    county: int | None  # county index
    died: date | None


@dataclass(frozen=True)
class EventProfile:
    scenario: Scenario
    province: str
    county: County | None
    start: date
    end: date | None
    facility: str | None  # place reference of the scenario's facility
    facility_name: str


@dataclass(frozen=True)
class SourceProfile:
    kind: str  # key in SOURCE_TYPES
    testimony: bool
    basis: str | None
    year: int


_TYPE_KEYS = {t: i + 1 for i, t in enumerate(ORDER)}
_PROFILE_KEYS = {"person_profile": 101, "event_profile": 102, "source_profile": 103, "extra_sources": 104, "career": 105}


class DemoSet:
    """The demo set for ``size`` persons and a seed; iterate ``records(type)`` in ORDER.

    ``cache`` bounds each memo of recomputed profiles (persons, events, sources); it changes
    speed, never the records."""

    def __init__(self, size: int, seed: int = 1, data: Path = DATA, cache: int = 8192):
        if size < 1:
            raise ValueError("the demo set needs at least one person")
        self.size = size
        self.seed = seed
        self._seed_key = (seed & ((1 << 64) - 1)) << 48
        self.cat = Catalog(data)
        self._rng = random.Random()
        self._profile_rngs = {k: random.Random() for k in _PROFILE_KEYS}
        self.mix = Weighted(DATE_MIX)
        self.basis = self.cat.weighted("testimony_basis", BASIS_SHARES)
        self._walk = (0, 0)  # (first information row of an event, that event)
        self._plan_people()
        self._plan_geography()
        self._plan_links()
        self.person_profile = lru_cache(maxsize=cache)(self._person_profile)
        self.event_profile = lru_cache(maxsize=cache)(self._event_profile)
        self.source_profile = lru_cache(maxsize=cache)(self._source_profile)
        self.testifying_act = lru_cache(maxsize=cache)(self._testifying_act)
        self.extra_sources_of = lru_cache(maxsize=cache)(self._extra_sources_of)

    # --- planning: counts and index arithmetic -------------------------------------------------

    def _plan_people(self) -> None:
        n = self.size
        self.persons = n
        victims = max(1, round(n * ROLE_SHARES["victim"]))
        perps = round(n * ROLE_SHARES["perpetrator"]) if n >= 4 else 0
        witnesses = round(n * ROLE_SHARES["witness"]) if n >= 3 else 0
        if n >= 3:
            perps, witnesses = max(1, perps), max(1, witnesses)
        victims = min(victims, n - perps - witnesses)
        self.victims, self.perps, self.witnesses = victims, perps, witnesses
        self.perp0 = victims
        self.witness0 = victims + perps
        self.other0 = victims + perps + witnesses
        self.acts = n
        self.events = max(1, n // 3)
        self.sources = max(1, n // 5)

    def role_of(self, person: int) -> str:
        if person < self.perp0:
            return "victim"
        if person < self.witness0:
            return "perpetrator"
        if person < self.other0:
            return "witness"
        return "other"

    def event_of_act(self, act: int) -> int:
        return act * self.events // self.acts

    def first_act(self, event: int) -> int:
        return -(-event * self.acts // self.events)  # ceil(event·A/E)

    def acts_of_event(self, event: int) -> range:
        return range(self.first_act(event), self.first_act(event + 1))

    def victim_of_act(self, act: int) -> int:
        return act % self.victims

    def home_event(self, source: int) -> int:
        """The incident a source is first of all about."""
        return source * self.events // self.sources

    def primary_sources(self, event: int) -> range:
        lo = -(-event * self.sources // self.events)
        hi = -(-(event + 1) * self.sources // self.events)
        return range(lo, hi)

    def extra_sources(self, event: int) -> int:
        return min(1 + event % 2, self.sources - len(self.primary_sources(event)))

    def _plan_geography(self) -> None:
        cat = self.cat
        provinces = [iso for iso in PROVINCE_WEIGHTS if iso in cat.divisions]
        if not provinces:
            raise RuntimeError("the gazetteer (kirok/data/gazetteer/divisions.csv) has no provinces")
        wanted = min(len(COUNTIES), max(12, self.size // 25))
        chosen = [c for c in COUNTIES if c[0] in cat.divisions][:wanted]
        self.place_rows: list[dict] = []
        self.org_rows: list[dict] = []
        self.counties: list[County] = []
        self.province_name = {iso: cat.divisions[iso]["name_dprk"] for iso in provinces}
        active_provinces = sorted({c[0] for c in chosen}, key=provinces.index)
        mss, msocs, kpa = cat.institution("mss"), cat.institution("msocs"), cat.institution("kpa")
        org_kind = lambda *codes: cat.pick("organization_kinds", *codes)  # noqa: E731

        # Provincial bureaus first: county units point to them.
        prov_units: dict[tuple[str, str], int] = {}
        for iso in active_provinces:
            name = self.province_name[iso]
            prov_units[(iso, "mss")] = self._add_org(
                f"{name} 보위국", f"{_province_en(cat, iso)} Provincial State Security Bureau", org_kind("security_unit", "bureau"), mss,
                [{"name": f"{name} 국가안전보위국", "lang": "ko", "kind": "variant"}],
            )
            prov_units[(iso, "msocs")] = self._add_org(
                f"{name} 사회안전국", f"{_province_en(cat, iso)} Provincial Social Security Bureau", org_kind("police_unit", "bureau"), msocs,
                [
                    {"name": f"{name} 사회안전국", "lang": "ko", "kind": "official", "valid_to": "2000", "confidence": "unverified"},
                    {"name": f"{name} 인민보안국", "lang": "ko", "kind": "official", "valid_from": "2000", "valid_to": "2020-06", "confidence": "unverified"},
                    {"name": f"{name} 사회안전국", "lang": "ko", "kind": "official", "valid_from": "2020-06", "confidence": "unverified"},
                ],
            )
        self.prov_units = prov_units
        # Counties, their detention sites and their units.
        for iso, base, suffix in chosen:
            name = base + suffix
            county_place = self._add_place(self._county_place(iso, base, suffix))
            cells = []
            for unit_word, operator, facility in (("보위부", mss, "kuryujang"), ("안전부", msocs, "kuryujang"), ("", msocs, "rodong_danryeondae")):
                label = f"{name} {unit_word} 구류장" if unit_word else f"{name} 로동단련대"
                cells.append(self._add_place(self._facility_place(label, facility, county_place, operator)))
            en = _place_en(base, suffix)
            mss_unit = self._add_org(
                f"{name} 보위부", f"{en} State Security Department", org_kind("security_unit"), external_id("organization", prov_units[(iso, "mss")]),
                [{"name": f"{name} 국가안전보위부", "lang": "ko", "kind": "variant"}],
            )
            msocs_unit = self._add_org(
                f"{name} 안전부", f"{en} Social Security Department", org_kind("police_unit"), external_id("organization", prov_units[(iso, "msocs")]),
                [
                    {"name": f"{name} 안전부", "lang": "ko", "kind": "official", "valid_to": "2000", "confidence": "unverified"},
                    {"name": f"{name} 보안서", "lang": "ko", "kind": "official", "valid_from": "2000", "valid_to": "2020-06", "confidence": "unverified"},
                    {"name": f"{name} 안전부", "lang": "ko", "kind": "official", "valid_from": "2020-06", "confidence": "unverified"},
                ],
            )
            border_unit = None
            if base in BORDER_COUNTIES:
                border_unit = self._add_org(
                    f"{name} 국경경비대", f"{en} border guard detachment", org_kind("military_unit"), kpa,
                    [{"name": f"{base} 국경경비대", "lang": "ko", "kind": "variant"}],
                )
            self.counties.append(County(
                county_place, iso, name, base, suffix, base in BORDER_COUNTIES, cells[0], cells[1], cells[2],
                mss_unit, msocs_unit, border_unit,
            ))
        # Provincial holding centres, and two generic reform-through-labour prisons.
        self.jipkyulso: dict[str, int] = {}
        for iso in active_provinces:
            label = f"{self.province_name[iso]} 도집결소"
            self.jipkyulso[iso] = self._add_place(self._facility_place(label, "jipkyulso", cat.division(iso), msocs))
        self.demo_prisons = []
        for iso, town in (("KP-08", "함흥"), ("KP-06", "사리원")):
            if iso in cat.divisions:
                self.demo_prisons.append(self._add_place(self._facility_place(f"{town} 교화소 (가상)", "kyohwaso", cat.division(iso), msocs)))
        # Fictional NGOs that intervene on behalf of victims.
        self.ngos = [
            self._add_org("누리인권기록단 (가상)", "Nuri Human Rights Documentation Group (fictional)", org_kind("other"), None, []),
            self._add_org("다온북한인권센터 (가상)", "Daon North Korean Human Rights Centre (fictional)", org_kind("other"), None, []),
        ]
        # Reference facilities by type, for camps and prisons.
        self.ref_facilities: dict[str, list[dict]] = {}
        for item in cat.facilities:
            self.ref_facilities.setdefault(item.get("type"), []).append(item)
        # Draws.
        self.province_draw = Weighted((iso, PROVINCE_WEIGHTS[iso]) for iso in active_provinces)
        border = [(iso, w) for iso, w in BORDER_PROVINCES.items() if iso in active_provinces]
        self.border_draw = Weighted(border) if border else self.province_draw
        self.counties_of: dict[str, list[County]] = {}
        for c in self.counties:
            self.counties_of.setdefault(c.province, []).append(c)
        self.perp_units = [(c.mss_unit, "mss", c) for c in self.counties] + [(c.msocs_unit, "msocs", c) for c in self.counties] + [
            (c.border_unit, "kpa", c) for c in self.counties if c.border_unit is not None
        ]
        self.unit_slot = {u: i for i, (u, _, _) in enumerate(self.perp_units)}
        self.scenario_draw = Weighted((s, s.weight) for s in SCENARIOS)
        self.year_draw = {s.key: Weighted((y, w) for y, w in YEAR_WEIGHTS.items() if s.years[0] <= y <= s.years[1]) for s in SCENARIOS}

    def _add_place(self, row: dict) -> int:
        self.place_rows.append(row)
        return len(self.place_rows) - 1

    def _add_org(self, name_ko, name_en, kind, parent, names) -> int:
        index = len(self.org_rows)
        self.org_rows.append({
            "name_ko": name_ko, "name_en": name_en, "kind": kind, "parent": parent,
            "names": [n | {"citation": f"{FICTIONAL_EN} naming pattern after nk_reference.md §4"} if n.get("kind") == "official" else n for n in names],
            "note": f"{MARK} Unit generated for the demo set; a typical unit of its kind, not a documented one. "
                    "데모용으로 생성한 전형적 기관이며 실제 기록이 아닙니다.",
        })
        return index

    def _county_place(self, iso: str, base: str, suffix: str) -> dict:
        rr_suffix, mr_suffix, en_suffix = _KIND_SUFFIX[suffix]
        rok = rok_spelling(base)
        return {
            "kind": "division", "division_type": {"시": "city", "군": "county", "구역": "district"}[suffix],
            "parent": self.cat.division(iso), "name_ko": base + suffix,
            "name_rok": rok + suffix if rok != base else "",
            "name_en": f"{_place_en(base, suffix)}",
            "mr": f"{_cap(romanize(base, 'mr', assimilate=True))}-{mr_suffix}",
            "rr": f"{_cap(romanize(rok, 'rr', assimilate=True))}-{rr_suffix}",
            "dprk": _cap(romanize(base, "dprk", assimilate=True)),
            "confidence": "unverified",
            "note": f"{MARK} County record made by the demo generator (the shipped gazetteer stops at provinces); "
                    "name public, boundaries and history not researched. 데모용 시·군 기록.",
        }

    def _facility_place(self, label: str, facility: str, parent: int | str | None, operator: str | None) -> dict:
        """A generic detention site; ``parent`` is a demo place index or a reference id."""
        return {
            "kind": "facility", "facility_type": self.cat.pick("facility_types", facility, "other"),
            "parent": parent, "operator": operator, "name_ko": label,
            "status": "unknown", "confidence": "unverified",
            "note": f"{MARK} Generic facility made by the demo generator; no location is given or implied. "
                    "데모용 일반 시설 기록이며 위치 정보가 없습니다.",
        }

    def _plan_links(self) -> None:
        if self.sources >= 3:
            # Each source is the primary source of one event (S ≤ E), and every event has one
            # or two further sources (two for odd events).
            self.information = self.sources + self.events + self.events // 2
        else:
            self.information = sum(len(self.primary_sources(e)) + self.extra_sources(e) for e in range(self.events))
        self.involvements = self.acts + (self.acts + 4) // 5
        self.positions = self.perps + (self.perps + 1) // 2
        self.families = len(range(0, self.victims - 1, 4))
        self.chains = len(range(0, self.events - 1, 20))
        self.interventions = len(range(0, self.events, 25))

    def counts(self) -> dict[str, int]:
        return {
            "source": self.sources, "place": len(self.place_rows), "organization": len(self.org_rows),
            "person": self.persons, "event": self.events, "act": self.acts, "involvement": self.involvements,
            "information": self.information, "biographic_detail": self.positions + self.families,
            "chain_of_events": self.chains, "intervention": self.interventions,
        }

    # --- randomness ---------------------------------------------------------------------------

    def _key(self, kind: int, n: int) -> int:
        return self._seed_key | (kind << 40) | n

    def rng_for(self, record_type: str, n: int) -> random.Random:
        """The random stream of record ``n`` of a type (shared object: use before the next call)."""
        self._rng.seed(self._key(_TYPE_KEYS[record_type], n))
        return self._rng

    def uid(self, record_type: str, n: int) -> str:
        """The Kirok id of record ``n``: the first 128 bits of its stream."""
        return _uid(random.Random(self._key(_TYPE_KEYS[record_type], n)))

    def _profile_rng(self, name: str, n: int) -> random.Random:
        rng = self._profile_rngs[name]
        rng.seed(self._key(_PROFILE_KEYS[name], n))
        return rng

    # --- profiles: what other records need to know about one record -------------------------

    def _event_profile(self, e: int) -> EventProfile:
        rng = self._profile_rng("event_profile", e)
        scenario = self.scenario_draw.draw(rng)
        province = (self.border_draw if scenario.border else self.province_draw).draw(rng)
        counties = self.counties_of.get(province) or []
        if scenario.border:
            border = [c for c in counties if c.border]
            counties = border or counties
        county = counties[min(int(rng.random() ** 1.6 * len(counties)), len(counties) - 1)] if counties else None
        year = self.year_draw[scenario.key].draw(rng)
        start = date(year, 1, 1) + timedelta(days=rng.randrange(365))
        end = _clip(start + timedelta(days=_days_between(rng, scenario.days))) if scenario.days[1] > 1 else None
        facility, facility_name = self._facility_for(rng, scenario, province, county, year)
        return EventProfile(scenario, province, county, start, end, facility, facility_name)

    def _facility_for(self, rng, scenario: Scenario, province: str, county: County | None, year: int) -> tuple[str | None, str]:
        kind = scenario.facility
        if kind in ("kwalliso", "kyohwaso"):
            options = [f for f in self.ref_facilities.get(kind, []) if _closed_year(f) > year]
            refs = [(f"ref:facility:{f['key']}", (f.get("name") or {}).get("ko", f["key"])) for f in options]
            if kind == "kyohwaso":
                refs += [(external_id("place", i), self.place_rows[i]["name_ko"]) for i in self.demo_prisons]
            if refs:
                return refs[rng.randrange(len(refs))]
        if kind == "jipkyulso" and province in self.jipkyulso:
            i = self.jipkyulso[province]
            return external_id("place", i), self.place_rows[i]["name_ko"]
        if county is None:
            return None, self.province_name.get(province, "")
        if kind == "none":
            return None, county.name
        i = {"labour": county.labour_unit, "county_msocs": county.msocs_cell}.get(kind, county.mss_cell)
        return external_id("place", i), self.place_rows[i]["name_ko"]

    def _person_profile(self, p: int) -> PersonProfile:
        rng = self._profile_rng("person_profile", p)
        role = self.role_of(p)
        roll = rng.random()
        if role == "perpetrator":
            sex = "male" if roll < 0.92 else "female"
        elif role == "victim":
            sex = "female" if roll < 0.58 else "male" if roll < 0.995 else "unknown"
        else:
            sex = "female" if roll < 0.7 else "male"
        surname, given = korean_name(rng, sex)
        died = None
        if role == "victim":
            acts = range(p, self.acts, self.victims)
            first_year = min(self.event_profile(self.event_of_act(a)).start.year for a in acts)
            age = max(14, min(75, int(rng.gauss(34, 11))))
            birth_year = first_year - age
            if len(acts) == 1:
                profile = self.event_profile(self.event_of_act(p))
                rate = profile.scenario.lethal_rate
                if profile.scenario.key == "public_execution":
                    rate = rate if p == self.first_act(self.event_of_act(p)) else 0.0
                if profile.scenario.lethal is not None and rng.random() < rate:
                    died = profile.end or profile.start
            province = self.event_profile(self.event_of_act(p)).province if rng.random() < 0.8 else self.province_draw.draw(rng)
        elif role == "perpetrator":
            _, _, county = self.perp_units[(p - self.perp0) % len(self.perp_units)] if self.perp_units else (None, None, None)
            birth_year = rng.randint(1940, 1985)
            province = county.province if county else self.province_draw.draw(rng)
        else:
            birth_year = rng.randint(1945, 1998)
            province = self.province_draw.draw(rng)
        counties = self.counties_of.get(province) or []
        county = counties[min(int(rng.random() ** 1.4 * len(counties)), len(counties) - 1)].index if counties and rng.random() < 0.8 else None
        birth = date(birth_year, 1, 1) + timedelta(days=rng.randrange(365))
        return PersonProfile(role, sex, birth, surname, given, province, county, died)

    def career(self, p: int) -> list[tuple[int, int, int | None, bool]]:
        """Positions of perpetrator ``p`` (0-based among perpetrators): (rung on the ladder of
        his institution, first year, last year or None if still in post, moved to the
        provincial bureau). Even perpetrators are promoted once."""
        rng = self._profile_rng("career", p)
        _, inst, _ = self.perp_units[p % len(self.perp_units)]
        ladder = POSITIONS[inst]
        birth = self.person_profile(self.perp0 + p).birth
        rung = rng.randrange(len(ladder) - 1)
        start = min(max(birth.year + 22, 1985) + rng.randint(0, 10), LAST_YEAR)
        end = start + rng.randint(3, 10)
        steps = [(rung, start, end, False)]
        if p % 2 == 0:
            moved = inst in ("mss", "msocs") and rng.random() < 0.4
            steps.append((rung + 1, min(end, LAST_YEAR), end + rng.randint(2, 9), moved))
        return [(r, a, b if b <= LAST_YEAR else None, m) for r, a, b, m in steps]

    def _testifying_act(self, e: int) -> int | None:
        """The first act of an event whose victim survived it: who can testify to it."""
        for a in self.acts_of_event(e):
            if self.person_profile(self.victim_of_act(a)).died is None:
                return a
        return None

    def _extra_sources_of(self, e: int) -> tuple[int, ...]:
        """Further sources on event e (besides those mainly about it): other testimonies and
        documents, preferably from after it happened, all different."""
        rng = self._profile_rng("extra_sources", e)
        taken = set(self.primary_sources(e))
        wanted = self.extra_sources(e)
        year = self.event_profile(e).start.year
        chosen: list[int] = []
        for _ in range(wanted):
            pick = None
            for _attempt in range(6):
                s = rng.randrange(self.sources)
                if s in taken:
                    continue
                pick = s
                if self.source_profile(s).year >= year:
                    break
            if pick is None:
                pick = next(s for s in range(self.sources) if s not in taken)
            taken.add(pick)
            chosen.append(pick)
        return tuple(chosen)

    def _source_profile(self, s: int) -> SourceProfile:
        rng = self._profile_rng("source_profile", s)
        key, _, kind, _, testimony = SOURCE_TYPE_DRAW.draw(rng)
        basis = self.basis.draw(rng) if testimony and self.basis else None
        home = self.event_profile(self.home_event(s))
        year = min(LAST_YEAR, (home.end or home.start).year + rng.randint(1, 8))
        return SourceProfile(key, testimony, basis, year)

    def source_witness(self, s: int, profile: SourceProfile, rng: random.Random) -> int | None:
        """Who gave a testimony: a surviving victim of its incident when the witness speaks of
        their own experience, else a witness (or, for hearsay, sometimes another informant)."""
        if not profile.testimony:
            return None
        if profile.basis == "direct_experience" or not self.witnesses:
            act = self.testifying_act(self.home_event(s))
            if act is not None:
                return self.victim_of_act(act)
        if profile.basis == "hearsay" and self.persons > self.other0 and rng.random() < 0.5:
            return self.other0 + rng.randrange(self.persons - self.other0)
        if self.witnesses:
            return self.witness0 + rng.randrange(self.witnesses)
        return None

    # --- the records --------------------------------------------------------------------------

    def records(self, record_type: str) -> Iterator[dict]:
        """Exchange-format dicts of one type, lazily, in external-id order."""
        make = getattr(self, f"_{record_type}")
        total = self.counts()[record_type]
        for n in range(total):
            yield make(n)

    def __iter__(self) -> Iterator[tuple[str, Iterator[dict]]]:
        for record_type in ORDER:
            yield record_type, self.records(record_type)

    def _head(self, record_type: str, n: int) -> tuple[random.Random, dict]:
        rng = self.rng_for(record_type, n)
        return rng, {"id": _uid(rng), "external_id": external_id(record_type, n)}

    def _source(self, s: int) -> dict:
        profile = self.source_profile(s)
        rng, out = self._head("source", s)
        cat = self.cat
        _, _, kind, materials, _ = SOURCE_TYPE_BY_KEY[profile.kind]
        year = profile.year
        on = date(year, 1, 1) + timedelta(days=rng.randrange(365))
        code = f"DEMO-{profile.kind[:3].upper()}-{s:07d}"
        titles = {
            "interview": ("면담 기록", "Interview record"), "questionnaire": ("설문 응답", "Questionnaire"),
            "letter": ("편지", "Letter"), "publication": ("가상 수기집 발췌", "Excerpt of a fictional memoir"),
            "newspaper": ("가상 신문 기사", "Fictional newspaper article"), "translation": ("번역 문서", "Translated document"),
            "other": ("온라인 게시물", "Online post"),
        }[profile.kind]
        home = self.event_profile(self.home_event(s))
        where = home.county.name if home.county else self.province_name.get(home.province, "")
        out.update({
            "kind": cat.pick("source_kinds", kind),
            "title": f"{FICTIONAL_EN} {titles[0]} {code}",
            "translations": {"title": {"en": f"{FICTIONAL_EN} {titles[1]} {code}"}},
            "description": f"{MARK} {where} 관련 {titles[0]} (가상). Fictional {titles[1].lower()} about {where}, generated for the demo set.",
            "language": "ko" if profile.kind != "translation" else cat.pick("languages", "en") or "en",
            "material_type": cat.pick("source_material_types", *materials, "other"),
            "date": on.isoformat() if profile.testimony else (f"{year:04d}" if rng.random() < 0.5 else f"{year:04d}-{on.month:02d}"),
            "remarks": f"{MARK} 가상 자료입니다. This source is fictional.",
        })
        if profile.testimony:
            interviewer = f"조사원 {'ABCDEFGH'[rng.randrange(8)]}-{rng.randint(1, 40):02d}"
            witness = self.source_witness(s, profile, rng)
            out.update({
                "witness": external_id("person", witness) if witness is not None else None,
                "interviewer": interviewer,
                "testimony_basis": profile.basis,
                "reliability": RELIABILITY.draw(rng) if self.cat.has("reliability", "highly_reliable") else None,
                "consents": self._consents(rng, on, interviewer),
            })
        else:
            out["citation"] = f"{MARK} 가상 출처 {code}, {year}."
        return _drop_empty(out)

    def _consents(self, rng: random.Random, on: date, interviewer: str) -> list[dict]:
        scopes = self.cat.only("consent_scopes", ["internal"])
        for code, share in (("un", 0.7), ("prosecutors", 0.5), ("sanctions", 0.25), ("public_anonymised", 0.4)):
            if rng.random() < share and self.cat.has("consent_scopes", code):
                scopes.append(code)
        method = rng.choice(("written", "written", "oral recorded", "oral noted"))
        entries = [{"scopes": scopes, "given_on": on.isoformat(), "obtained_by": interviewer, "method": method,
                    "note": f"{FICTIONAL_KO} 가상 동의 기록"}]
        roll = rng.random()
        later = _clip(on + timedelta(days=rng.randint(30, 900))).isoformat()
        if roll < 0.02:
            entries.append({"scopes": [], "given_on": later, "obtained_by": interviewer, "method": "written", "withdrawn": True,
                            "note": f"{FICTIONAL_KO} 증언자가 동의를 철회함 (가상)"})
        elif roll < 0.10 and len(scopes) > 1:
            entries.append({"scopes": scopes[:-1], "given_on": later, "obtained_by": interviewer, "method": "written",
                            "note": f"{FICTIONAL_KO} 증언자가 동의 범위를 줄임 (가상)"})
        return [_drop_empty(e) for e in entries]

    def _place(self, i: int) -> dict:
        rng, out = self._head("place", i)
        row = dict(self.place_rows[i])
        parent = row.get("parent")
        if isinstance(parent, int):
            row["parent"] = external_id("place", parent)
        out.update(row)
        return _drop_empty(out)

    def _organization(self, i: int) -> dict:
        rng, out = self._head("organization", i)
        row = dict(self.org_rows[i])
        if isinstance(row.get("parent"), int):
            row["parent"] = external_id("organization", row["parent"])
        out.update(row)
        return _drop_empty(out)

    def _person(self, p: int) -> dict:
        profile = self.person_profile(p)
        rng, out = self._head("person", p)
        cat = self.cat
        names = self._names(rng, profile)
        birth = render_date(rng, profile.birth, BIRTH_MIX)
        origin = external_id("place", profile.county) if profile.county is not None else cat.division(profile.province)
        if profile.role == "perpetrator":
            unit = self.perp_units[(p - self.perp0) % len(self.perp_units)] if self.perp_units else None
            occupation = {"mss": "보위원", "msocs": "안전원", "kpa": "국경경비대 군관"}[unit[1]] if unit else "간부"
        else:
            occupation = OCCUPATION_DRAW["female" if profile.sex == "female" else "male"].draw(rng)
        role_ko = {"victim": "피해자", "perpetrator": "가해자", "witness": "목격자", "other": "득문자·기타"}[profile.role]
        out.update({
            "counting_unit": cat.pick("counting_units", "individual"),
            "sex": cat.pick("sex", profile.sex),
            "birth_date": birth,
            "birth_place": cat.division(profile.province) if rng.random() < 0.5 else None,
            "origin": origin,
            "occupation": occupation,
            "deceased": True if profile.died else None,
            "death_date": render_date(rng, profile.died, self.mix) if profile.died else None,
            "remarks": f"{MARK} 데모용 가상 인물({role_ko})입니다. This person is fictional, generated for the demo set.",
            "names": names,
        })
        return _drop_empty(out)

    def _names(self, rng: random.Random, profile: PersonProfile) -> list[dict]:
        cat = self.cat
        surname, given = profile.surname, profile.given
        dprk_full, rok_full = surname + given, rok_spelling(surname) + rok_spelling(given)
        primary_is_rok = dprk_full != rok_full and rng.random() < 0.5
        first = (rok_spelling(surname), rok_spelling(given)) if primary_is_rok else (surname, given)
        names = [{"full_name": first[0] + first[1], "family_name": first[0], "given_name": first[1], "script": "Hang",
                  "name_type": cat.pick("name_types", "primary")}]
        if dprk_full != rok_full and rng.random() < 0.6:
            other = (surname, given) if primary_is_rok else (rok_spelling(surname), rok_spelling(given))
            names.append({"full_name": other[0] + other[1], "family_name": other[0], "given_name": other[1], "script": "Hang"})
        styles = ["rr", "mr", "dprk", "popular"]
        weights = [0.25, 0.2, 0.35 if profile.role == "perpetrator" else 0.2, 0.35]
        count = 1 if rng.random() < 0.3 else 2 if rng.random() < 0.65 else 3
        seen = {n["full_name"] for n in names}
        transliteration = cat.pick("name_types", "transliteration")
        for _ in range(count):
            style = rng.choices(styles, weights)[0]
            for _attempt in range(4):
                full, family, given_text, code = romanized_name(surname, given, style, rng)
                if full not in seen:
                    break
            else:
                continue
            seen.add(full)
            names.append({"full_name": full, "family_name": family, "given_name": given_text, "script": "Latn",
                          "romanization": code, "name_type": transliteration})
        return [_drop_empty(n) for n in names]

    def _event(self, e: int) -> dict:
        profile = self.event_profile(e)
        rng, out = self._head("event", e)
        cat = self.cat
        s = profile.scenario
        where = profile.county.name if profile.county else self.province_name.get(profile.province, "")
        places = {cat.division(profile.province)}
        if profile.county:
            places.add(external_id("place", profile.county.index))
        if profile.facility:
            places.add(profile.facility)
        places.discard(None)
        status = VIOLATION_STATUS.draw(rng)
        year = profile.start.year
        out.update({
            "title": f"{FICTIONAL_KO} {where} {s.title_ko} ({year})",
            "translations": {"title": {"en": f"{FICTIONAL_EN} {s.title_en}, {_en_name(self, profile)} ({year})"}},
            "language": "ko",
            "start_date": render_date(rng, profile.start, self.mix),
            "end_date": render_date(rng, profile.end, self.mix, forward=True) if profile.end else None,
            "places": sorted(places),
            "description": f"{MARK} 이 사건은 데모용으로 생성한 가상 사건입니다. This incident is fictional, generated by "
                           f"`kirok demo-data`. {year}년경 {where} 일대: {s.title_ko}"
                           f"{' — ' + profile.facility_name if profile.facility else ''}.",
            "violation_status": cat.pick("violation_status", status),
            "violation_categories": sorted(set(cat.only("coi_violation_categories", s.categories))),
            "remarks": f"{FICTIONAL_KO} 가상 기록",
        })
        return _drop_empty(out)

    def _act(self, a: int) -> dict:
        e = self.event_of_act(a)
        profile = self.event_profile(e)
        victim_index = self.victim_of_act(a)
        victim = self.person_profile(victim_index)
        rng, out = self._head("act", a)
        cat = self.cat
        s = profile.scenario
        lethal = victim.died is not None and s.lethal is not None and a == victim_index
        if lethal:
            spec = s.lethal
        else:
            spec = None
            for _ in range(6):
                candidate = ACT_DRAWS[s.key].draw(rng)
                if not (candidate.female_only and victim.sex != "female"):
                    spec = candidate
                    break
            spec = spec or s.acts[0]
        act_type = cat.pick("act_types", *spec.act_type, "other")
        start = _clip(profile.start + timedelta(days=rng.randint(0, 10) if spec.stage != "border" else 0))
        if lethal:
            start = victim.died
        end = _clip(start + timedelta(days=_days_between(rng, spec.days))) if spec.days and not lethal else None
        methods = cat.only("methods_of_violence", spec.methods)
        if len(methods) > 2:
            methods = sorted(rng.sample(methods, rng.randint(1, len(methods))))
        place = self._act_place(spec, profile)
        age = start.year - victim.birth.year if victim.birth else None
        out.update({
            "event": external_id("event", e),
            "victim": external_id("person", victim_index),
            "act_type": act_type,
            "start_date": render_date(rng, start, self.mix),
            "end_date": render_date(rng, end, self.mix, forward=True) if end else None,
            "place": place,
            "location_type": cat.pick("location_types", *spec.location, "other"),
            "stated_reason": rng.choice(s.reasons) if s.reasons and spec.stage != "work" else None,
            "methods": sorted(set(methods)),
            "age_at_time": age if age is not None and age >= 0 else None,
            "victim_status": cat.pick("victim_status", *self._victim_status(rng, spec, lethal)),
            "physical_consequences": "사망 (가상)" if lethal else None,
            "remarks": f"{FICTIONAL_KO} 가상 행위 기록",
        })
        return _drop_empty(out)

    def _act_place(self, spec: ActSpec, profile: EventProfile) -> str | None:
        county = profile.county
        if spec.stage == "detention" and profile.facility:
            return profile.facility
        if spec.stage == "arrest" and county is not None:
            inst = profile.scenario.institution
            return external_id("place", county.mss_cell if inst == "mss" else county.msocs_cell)
        if county is not None:
            return external_id("place", county.index)
        return self.cat.division(profile.province)

    @staticmethod
    def _victim_status(rng, spec: ActSpec, lethal: bool) -> tuple[str, ...]:
        if lethal:
            return ("dead",)
        if spec.stage == "detention":
            return rng.choice((("released_served_sentence", "arrested_released_or_escaped"), ("arrested_escaped",), ("still_missing",), ("unknown",)))
        if spec.stage == "border":
            return ("forcibly_repatriated", "unknown") if spec.act_type[0] == "forced_repatriation" else ("arrested_released_or_escaped", "unknown")
        return rng.choice((("arrested_released_or_escaped",), ("healed_slight_effects",), ("healed_permanent_effects",), ("unknown",)))

    def _involvement(self, k: int) -> dict:
        # Involvements of act i: 1 + (i % 5 == 0); the k-th involvement belongs to act i below.
        a, second = _involvement_slot(k)
        e = self.event_of_act(a)
        profile = self.event_profile(e)
        rng, out = self._head("involvement", k)
        cat = self.cat
        inst = profile.scenario.institution
        county = profile.county
        unit = self._responsible_unit(profile, rng)
        perp_types = cat.only("perpetrator_types", [PERPETRATOR_TYPE.get(inst, "governmental_entities")])
        if profile.scenario.facility in ("kwalliso", "kyohwaso", "jipkyulso", "labour") and rng.random() < 0.5:
            perp_types += cat.only("perpetrator_types", ["prison_officials"])
        out["act"] = external_id("act", a)
        if not second:
            degree = DEGREE_UNIT.draw(rng) if inst != "wpk" else "general_political_responsibility"
            out.update({"organization": unit, "degree": cat.pick("degrees_of_involvement", degree, "unknown")})
        else:
            person = self._perpetrator_in(unit, rng)
            if inst == "wpk":
                local = external_id("organization", county.msocs_unit) if county is not None else None
                out.update({
                    "organization": local or unit,
                    "degree": cat.pick("degrees_of_involvement", "failure_to_protect", "unknown"),
                })
            elif person is not None:
                out.update({
                    "perpetrator": external_id("person", person), "organization": unit,
                    "degree": cat.pick("degrees_of_involvement", DEGREE_PERSON.draw(rng), "unknown"),
                    "perpetrator_status": cat.pick("perpetrator_status", PERP_STATUS.draw(rng), "unknown"),
                })
            else:
                # No named perpetrator in that unit: the provincial bureau above it gave the orders.
                above = None
                if county is not None and inst in ("mss", "msocs"):
                    above = external_id("organization", self.prov_units[(county.province, inst)])
                out.update({
                    "organization": above or self.cat.institution(inst if inst in ("mss", "msocs", "kpa") else "mss") or unit,
                    "degree": cat.pick("degrees_of_involvement", "gave_orders", "unknown"),
                })
        out.update({
            "perpetrator_types": sorted(set(perp_types)),
            "remarks": f"{FICTIONAL_KO} 가상 가담 기록",
        })
        return _drop_empty(out)

    def _responsible_unit(self, profile: EventProfile, rng: random.Random) -> str | None:
        inst = profile.scenario.institution
        county = profile.county
        if inst == "wpk":
            return self.cat.institution("wpk") or self.cat.institution("mss")
        if county is None:
            return self.cat.institution(inst)
        if profile.scenario.border and county.border_unit is not None and rng.random() < 0.25:
            return external_id("organization", county.border_unit)
        return external_id("organization", county.mss_unit if inst == "mss" else county.msocs_unit)

    def _perpetrator_in(self, unit: str | None, rng: random.Random) -> int | None:
        """A perpetrator person serving in ``unit`` (persons are assigned to units round-robin)."""
        if not unit or not unit.startswith(f"{PREFIX}:organization:") or not self.perps:
            return None
        slot = self.unit_slot.get(int(unit.rsplit(":", 1)[1]))
        if slot is None:
            return None
        period = len(self.perp_units)
        members = len(range(slot, self.perps, period))
        if members == 0:
            return None
        return self.perp0 + slot + period * rng.randrange(members)

    def _information(self, k: int) -> dict:
        e, j = self._information_slot(k)
        rng, out = self._head("information", k)
        cat = self.cat
        profile = self.event_profile(e)
        primaries = self.primary_sources(e)
        where = profile.facility_name or (profile.county.name if profile.county else self.province_name.get(profile.province, ""))
        if j < len(primaries):
            s = primaries[j]
            source = self.source_profile(s)
            basis = source.basis
            primary = True
        else:
            s = self.extra_sources_of(e)[j - len(primaries)]
            source = self.source_profile(s)
            basis = (self.basis.draw(rng) if self.basis else None) if source.testimony else None
            primary = False
        if basis == "direct_experience":
            connection = "victim_self" if primary else "involved_in_event"
        elif basis == "witnessed":
            connection = "witness"
        elif basis == "hearsay":
            connection = rng.choice(("relative_of_victim", "related_to_victim", "third_party"))
        else:
            connection = "reporter" if source.kind == "newspaper" else "third_party"
        testified = self.testifying_act(e) if primary and basis == "direct_experience" else None
        act = external_id("act", testified) if testified is not None else None
        excerpt = None
        if basis:
            template = profile.scenario.excerpts[("direct_experience", "witnessed", "hearsay").index(basis)]
            excerpt = f"{FICTIONAL_KO} " + template.format(place=where)
        out.update({
            "source": external_id("source", s),
            "event": external_id("event", e),
            "act": act,
            "connection": cat.pick("source_connection", connection, "unknown"),
            "testimony_basis": basis if basis and cat.has("testimony_basis", basis) else None,
            "reliability": cat.pick("reliability", RELIABILITY_BY_BASIS[basis or "none"].draw(rng), "unknown"),
            "excerpt": excerpt,
            "remarks": f"{FICTIONAL_KO} 가상 정보 기록",
        })
        return _drop_empty(out)

    def _information_slot(self, k: int) -> tuple[int, int]:
        """Which event, and which of its information rows, the k-th row is. A walk over events
        that remembers where it stopped, so streaming rows in order costs O(1) each."""
        first, e = self._walk if self._walk[0] <= k else (0, 0)
        while True:
            rows = len(self.primary_sources(e)) + self.extra_sources(e)
            if k < first + rows:
                self._walk = (first, e)
                return e, k - first
            first += rows
            e += 1

    def _biographic_detail(self, k: int) -> dict:
        rng, out = self._head("biographic_detail", k)
        cat = self.cat
        if k < self.positions:
            p, later = _position_slot(k)
            unit, inst, county = self.perp_units[p % len(self.perp_units)]
            rung, first, last, moved = self.career(p)[1 if later else 0]
            position, rank = POSITIONS[inst][rung]
            organization = external_id("organization", unit)
            if moved:
                organization = external_id("organization", self.prov_units[(county.province, inst)])
            out.update({
                "person": external_id("person", self.perp0 + p),
                "organization": organization,
                "relationship": cat.pick("relationship_types", "officer_of_organisation", "member_of_organisation"),
                "position": position, "rank": rank,
                "start_date": render_date(rng, date(first, rng.randint(1, 12), 1), POSITION_MIX),
                "end_date": render_date(rng, date(last, rng.randint(1, 12), 1), POSITION_MIX, forward=True) if last else None,
                "remarks": f"{FICTIONAL_KO} 가상 경력 기록",
            })
        else:
            v = (k - self.positions) * 4
            a, b = self.person_profile(v), self.person_profile(v + 1)
            gap = b.birth.year - a.birth.year
            if gap >= 18:
                relation = "parent"  # a is b's parent
            elif gap <= -18:
                relation = "child"
            elif a.sex != b.sex and a.sex != "unknown" and b.sex != "unknown" and abs(gap) <= 10 and rng.random() < 0.6:
                relation = "spouse"
            else:
                relation = "sibling"
            out.update({
                "person": external_id("person", v),
                "related_person": external_id("person", v + 1),
                "relationship": cat.pick("relationship_types", relation, "other_relative", "family_relations"),
                "remarks": f"{FICTIONAL_KO} 가상 가족 관계 (연좌제 사건 등에서 함께 기록됨)",
            })
        return _drop_empty(out)

    def _chain_of_events(self, k: int) -> dict:
        e = k * 20
        rng, out = self._head("chain_of_events", k)
        first, second = self.event_profile(e), self.event_profile(e + 1)
        if first.start.year == second.start.year:
            chain = "parallel"
        elif first.start < second.start:
            chain = rng.choice(("precedes", "causes"))
        else:
            chain = "follows"
        out.update({
            "event": external_id("event", e), "related_event": external_id("event", e + 1),
            "chain_type": self.cat.pick("chain_of_events_types", chain, "parallel"),
            "remarks": f"{FICTIONAL_KO} 같은 가족·지역과 관련된 가상 사건 연결",
        })
        return _drop_empty(out)

    def _intervention(self, k: int) -> dict:
        e = k * 25
        profile = self.event_profile(e)
        rng, out = self._head("intervention", k)
        cat = self.cat
        year = min(LAST_YEAR, (profile.end or profile.start).year + rng.randint(1, 6))
        acts = self.acts_of_event(e)
        types = cat.only("intervention_types", ["un_submission"] + (["publicity_about_victim"] if rng.random() < 0.4 else []) + (["demand_for_investigation"] if rng.random() < 0.3 else []))
        out.update({
            "event": external_id("event", e),
            "victim": external_id("person", self.victim_of_act(acts[0])) if len(acts) else None,
            "intervening_organization": external_id("organization", self.ngos[k % len(self.ngos)]) if self.ngos else None,
            "intervention_types": sorted(set(types)),
            "date": render_date(rng, date(year, rng.randint(1, 12), rng.randint(1, 28)), self.mix),
            "parties_requested": "유엔 강제적·비자발적 실종 실무그룹 (WGEID); 조선민주주의인민공화국 정부",
            "response": cat.pick("intervention_responses", INTERVENTION_RESPONSE.draw(rng), "no_response"),
            "impact": f"{FICTIONAL_KO} 가상 기록: 북한 당국은 피해자의 행방을 밝히지 않았다.",
            "remarks": f"{MARK} 가상 개입 기록 (fictional intervention).",
        })
        return _drop_empty(out)


def _involvement_slot(k: int) -> tuple[int, bool]:
    """(act, is second involvement) of the k-th involvement: acts 0, 5, 10… have two."""
    block, offset = divmod(k, 6)
    if offset == 0:
        return block * 5, False
    if offset == 1:
        return block * 5, True
    return block * 5 + offset - 1, False


def _position_slot(k: int) -> tuple[int, bool]:
    """(perpetrator, is later position) of the k-th position: even perpetrators have two."""
    block, offset = divmod(k, 3)
    if offset == 0:
        return block * 2, False
    if offset == 1:
        return block * 2, True
    return block * 2 + 1, False


def _closed_year(facility: dict) -> int:
    """The year from which a closed camp took no more prisoners: its ``status_as_of`` year, except
    where that is the date of a later report (camp 22 closed c. 2012, camp 15 c. 2014)."""
    if facility.get("status") != "closed":
        return 9999
    reported_later = {"kwalliso_22": 2012, "kwalliso_15": 2014}
    if facility.get("key") in reported_later:
        return reported_later[facility["key"]]
    text = str(facility.get("status_as_of") or "")
    return int(text[:4]) if text[:4].isdigit() else 1990


def _place_en(base: str, suffix: str) -> str:
    return f"{_cap(_plain(romanize(base, 'mr', assimilate=True)))} {_KIND_SUFFIX[suffix][2]}"


def _province_en(cat: Catalog, iso: str) -> str:
    row = cat.divisions.get(iso, {})
    return row.get("name_en") or _plain(row.get("mr", iso))


def _en_name(demo: DemoSet, profile: EventProfile) -> str:
    if profile.county:
        return _place_en(profile.county.base, profile.county.suffix)
    return _province_en(demo.cat, profile.province)


SOURCE_TYPE_DRAW = Weighted((t, t[1]) for t in SOURCE_TYPES)
SOURCE_TYPE_BY_KEY = {t[0]: t for t in SOURCE_TYPES}
BIRTH_MIX = Weighted((("exact", 25), ("estimate", 20), ("unknown_day", 10), ("unknown_month_and_day", 35), ("range", 5), ("unknown", 5)))
POSITION_MIX = Weighted((("unknown_day", 20), ("unknown_month_and_day", 45), ("estimate", 25), ("range", 10)))
OCCUPATION_DRAW = {sex: Weighted(pairs) for sex, pairs in OCCUPATIONS.items()}
ACT_DRAWS = {s.key: Weighted((a, a.weight) for a in s.acts) for s in SCENARIOS}
RELIABILITY = Weighted((("highly_reliable", 35), ("likely_reliable", 45), ("unsure", 15), ("likely_unreliable", 4), ("unknown", 1)))
RELIABILITY_BY_BASIS = {
    "direct_experience": Weighted((("highly_reliable", 50), ("likely_reliable", 40), ("unsure", 10))),
    "witnessed": Weighted((("highly_reliable", 30), ("likely_reliable", 50), ("unsure", 18), ("likely_unreliable", 2))),
    "hearsay": Weighted((("likely_reliable", 30), ("unsure", 55), ("likely_unreliable", 15))),
    "none": Weighted((("likely_reliable", 40), ("unsure", 40), ("unknown", 20))),
}
VIOLATION_STATUS = Weighted((("confirmed", 20), ("likely", 45), ("possible", 25), ("unknown", 10)))
DEGREE_UNIT = Weighted((("directly_carried_out", 55), ("gave_orders", 20), ("implementor_of_law_or_policy", 15), ("suspected_involvement", 10)))
DEGREE_PERSON = Weighted((("directly_carried_out", 50), ("gave_orders", 15), ("confirmed_present", 15), ("suspected_involvement", 15), ("planned", 5)))
PERP_STATUS = Weighted((("still_holding_post", 35), ("unknown", 45), ("dismissed_or_demoted", 10), ("defected", 3), ("deceased", 7)))
INTERVENTION_RESPONSE = Weighted((("no_response", 40), ("denied_event", 25), ("request_for_information", 15), ("token_response", 10), ("counter_response", 10)))


def generate(size: int, seed: int = 1, data: Path = DATA) -> Iterator[tuple[str, Iterator[dict]]]:
    """(record type, lazy records) in import order: the whole demo set as a stream."""
    return iter(DemoSet(size, seed, data))


def write_files(demo: DemoSet, folder: Path, progress=None) -> dict[str, int]:
    """``<type>.jsonl`` per record type, the layout ``kirok export`` writes; whole files or none."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    counts = demo.counts()
    written = {}
    for record_type in ORDER:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{record_type}.", suffix=".part")
        n = 0
        try:
            with os.fdopen(fd, "wb") as out:
                for record in demo.records(record_type):
                    out.write(orjson.dumps(record) + b"\n")
                    n += 1
                    if progress and n % 5000 == 0:
                        progress(record_type, n, counts[record_type])
            os.replace(tmp, folder / f"{record_type}.jsonl")
        except BaseException:
            os.unlink(tmp)
            raise
        if progress:
            progress(record_type, n, counts[record_type])
        written[record_type] = n
    return written


def streams(demo: DemoSet) -> list:
    """Import streams (``kirok.records.importing.Stream``), one per record type, lazily."""
    from kirok.records.importing import Stream  # needs the Django app registry; the generator does not

    counts = demo.counts()
    return [
        Stream(f"demo:{record_type}", record_type, enumerate(demo.records(record_type), start=1), counts[record_type], "jsonl")
        for record_type in ORDER
    ]


__all__ = ["Catalog", "DemoSet", "FICTIONAL_EN", "FICTIONAL_KO", "external_id", "generate", "romanize", "rok_spelling", "streams", "write_files"]
