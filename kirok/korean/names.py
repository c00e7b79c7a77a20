"""Korean person names: surname and given name, their spellings, and keys that join them.

A Hangul name is surname first with no space (리명수); a two-syllable surname (남궁, 황보 …) is
taken when the table knows it and a given name remains. A romanized name may be in either order
(Ri Myong Su, Myung-soo Lee) with the given name joined, hyphenated or spaced; the surname is
recognized from ``kirok/data/korean/surnames.yaml`` (Lee, Yi, Rhee, Ri and I are all 이).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache

from kirok.korean import data
from kirok.korean.hangul import is_syllable, nfc
from kirok.korean.keys import _letters, given_skeletons
from kirok.korean.orthography import fold_word
from kirok.korean.romanization import SYSTEMS, capitalize, plain, pronounce, render

_SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class Surname:
    ko: str  # ROK spelling (folded)
    dprk: tuple[str, ...]  # DPRK spellings that differ
    rank: int
    rr: str
    mr: str
    dprk_roman: str
    other: tuple[str, ...]

    def hangul(self) -> tuple[str, ...]:
        return (*self.dprk, self.ko)

    def latin(self) -> tuple[str, ...]:
        """Every Latin spelling, listed ones first, then those the systems give by rule."""
        derived = [_given_parts(h, s)[0] for h in self.hangul() for s in SYSTEMS]
        seen: dict[str, None] = {}
        for form in (self.rr, self.mr, plain(self.mr), self.dprk_roman, *self.other, *map(capitalize, derived)):
            seen.setdefault(form, None)
        return tuple(seen)


@cache
def surnames() -> dict[str, Surname]:
    """ROK spelling → surname, from the data file."""
    table: dict[str, Surname] = {}
    for number, row in enumerate(data.surnames()["surnames"], start=1):
        try:
            entry = Surname(
                ko=nfc(row["ko"]), dprk=tuple(nfc(d) for d in row.get("dprk") or ()), rank=int(row["rank"]),
                rr=row["rr"], mr=row["mr"], dprk_roman=row["dprk_roman"], other=tuple(row.get("other") or ()),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"kirok/data/korean/surnames.yaml: surnames[{number}] is incomplete ({exc}); "
                             "each needs ko, rank, rr, mr and dprk_roman") from exc
        if entry.ko in table:
            raise ValueError(f"kirok/data/korean/surnames.yaml: surnames[{number}]: {entry.ko} is listed twice")
        table[entry.ko] = entry
    return table


@cache
def _by_hangul() -> dict[str, Surname]:
    return {form: s for s in surnames().values() for form in s.hangul()}


@cache
def _by_latin() -> dict[str, frozenset[str]]:
    """Plain lower-case Latin spelling → the surnames (ROK spelling) it may stand for (Chun is
    both 전 and 천; Song both 송 and 성)."""
    found: dict[str, set[str]] = {}
    for s in surnames().values():
        for form in s.latin():
            found.setdefault(_letters(form), set()).add(s.ko)
    return {k: frozenset(v) for k, v in found.items()}


@cache
def given_spellings() -> dict[str, str]:
    return {nfc(k): v for k, v in data.surnames()["given_syllables"]["spellings"].items()}


def split_hangul(name: str) -> list[tuple[str, str]]:
    """The (surname, given name) readings of a Hangul name, likeliest first: 리명수 → [(리, 명수)];
    남궁민 → [(남궁, 민), (남, 궁민)]. A space, if any, is where the surname ends."""
    name = " ".join(nfc(name).split())
    if len(name.replace(" ", "")) < 2 or not all(is_syllable(ch) for ch in name.replace(" ", "")):
        return []
    if " " in name:
        surname, _, given = name.partition(" ")
        return [(surname, given.replace(" ", ""))]
    readings = []
    if len(name) >= 3 and name[:2] in _by_hangul():
        readings.append((name[:2], name[2:]))
    if len(name) >= 2:
        readings.append((name[:1], name[1:]))
    return readings


def split_latin(name: str) -> list[tuple[frozenset[str], str]]:
    """The (possible surnames in ROK Hangul, given name) readings of a romanized name: surname
    first (Ri Myong Su) or last (Myung-soo Lee, Lee, Myung-soo with a comma is surname first)."""
    words = [w for w in _SEPARATORS.split(nfc(name).strip()) if w]
    if len(words) < 2:
        return []
    table = _by_latin()
    readings = []
    first, last = table.get(_letters(words[0])), table.get(_letters(words[-1]))
    if first:
        readings.append((first, " ".join(words[1:])))
    if last and "," not in name:
        readings.append((last, " ".join(words[:-1])))
    return readings


def name_keys(name: str) -> set[str]:
    """Keys ``n:<surname>:<given skeleton>`` for every reading of ``name`` in any script."""
    keys = set()
    if any(is_syllable(ch) for ch in nfc(name)):
        for surname, given in split_hangul(name):
            # Only known surnames: a romanized name can only be read with one of them, and
            # Hangul-to-Hangul matches already share the whole-string key.
            if given and fold_word(surname) in surnames() and all(is_syllable(ch) for ch in surname + given):
                keys.update(f"n:{fold_word(surname)}:{skel}" for skel in given_skeletons(given))
    else:
        for possible, given in split_latin(name):
            keys.update(f"n:{s}:{skel}" for s in possible for skel in given_skeletons(given))
    return keys


def _given_parts(given: str, system: str) -> list[str]:
    """Romanized syllables of a given name (or a one-syllable surname): no sound changes across
    the name, but MR and DPRK voice a consonant after a voiced sound (Tae-jung, Kye Gwan)."""
    sounds = pronounce(given, sound_changes=False)
    parts = render(sounds[:1], system)
    for prev, cur in itertools.pairwise(sounds):
        parts += render([cur], system, previous=prev[2])
    return parts


def romanize_name(name: str, system: str, *, diacritics: bool | None = None) -> str:
    """A Hangul person name in one system's conventions for names:

    - ``rr``: strict RR letters, given name joined (이명수 → I Myeongsu; RR rule for names);
    - ``mr``: surname as scholars write it, given name hyphenated (Yi Myŏng-su, Kim Tae-jung);
    - ``dprk``: DPRK spelling, given-name syllables apart (Ri Myong Su, Pak Tong Gu).
    """
    readings = split_hangul(name)
    if not readings:
        raise ValueError(f"{name!r} is not a Hangul name of at least two syllables")
    surname, given = readings[0]
    keep = (system == "mr") if diacritics is None else diacritics
    if system == "dprk":
        known = _by_hangul().get(surname)
        family = known.dprk_roman if known else capitalize("".join(_given_parts(surname, system)))
        text = f"{family} {' '.join(capitalize(p) for p in _given_parts(given, system))}"
    else:
        rok_surname, rok_given = fold_word(surname), fold_word(given)
        known = _by_hangul().get(rok_surname)
        family = (known.rr if system == "rr" else known.mr) if known else capitalize("".join(_given_parts(rok_surname, system)))
        parts = _given_parts(rok_given, system)
        text = f"{family} {capitalize(''.join(parts) if system == 'rr' else '-'.join(parts))}"
    return text if keep else plain(text)


def person_variants(name: str) -> set[str]:
    """Spellings of a Hangul person name a document may use: Hangul in both orthographies, with
    and without a space; RR given names (joined, hyphenated) with the strict and conventional
    surnames (I, Lee, Yi, Rhee); MR with and without diacritics; the DPRK form with the given
    syllables apart, hyphenated or joined; conventional syllables (Lee Myung-soo)."""
    readings = split_hangul(name)
    if not readings:
        return {nfc(name).strip()} if name.strip() else set()
    surname, given = readings[0]
    rok_surname, rok_given = fold_word(surname), fold_word(given)
    known = _by_hangul().get(rok_surname)
    out = {s + sep + g for s in {surname, rok_surname, *(known.hangul() if known else ())}
           for g in {given, rok_given} for sep in ("", " ")}

    def family(system: str) -> str:
        if known:
            return {"rr": known.rr, "mr": known.mr, "dprk": known.dprk_roman}[system]
        return capitalize("".join(_given_parts(surname if system == "dprk" else rok_surname, system)))

    def styles(parts: list[str]) -> set[str]:
        head, tail = capitalize(parts[0]), [p.lower() for p in parts[1:]]
        return {head + "".join(tail), "-".join([head, *tail]), " ".join([head, *map(capitalize, tail)])}

    conventional = {family("rr"), *(known.other if known else ())}
    for form in styles(_given_parts(rok_given, "rr")):
        out |= {f"{f} {form}" for f in conventional}
    for form in styles(_given_parts(rok_given, "mr")):
        out |= {f"{family('mr')} {form}", plain(f"{family('mr')} {form}")}
    for form in styles(_given_parts(given, "dprk")):
        out.add(f"{family('dprk')} {plain(form)}")
    popular = [given_spellings().get(ch) for ch in rok_given]
    if all(popular):
        for form in styles(popular):
            out |= {f"{f} {form}" for f in conventional}
    return out
