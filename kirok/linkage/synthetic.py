"""Fictional Korean person records with a known truth, to test and measure linkage.

Each fictional person (a random surname and given-name syllables, a sex, a birth year, a home
county) appears 1–6 times, each time written as one documenting organisation might write it:
Hangul in the DPRK or ROK orthography, RR, MR with or without diacritics, the DPRK system or a
conventional passport spelling (all from ``kirok.korean``), with spacing, Western order, typos,
birth-year noise and missing values on top, as ``kirok/data/linkage/noise.yaml`` says. Some
persons are true namesakes: different people with the same Hangul name. Seeded: the same seed
gives the same records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from kirok.korean import data as korean_data
from kirok.korean import person_variants, romanize_name
from kirok.korean.romanization import plain
from kirok.linkage.features import Facts

NOISE_FILE = Path(__file__).resolve().parent.parent / "data" / "linkage" / "noise.yaml"
FICTIONAL = "fictional (synthetic linkage test data)"
_JAMO_BASE = 0xAC00


@cache
def noise() -> dict:
    with open(NOISE_FILE, encoding="utf-8") as f:
        return yaml.safe_load(f)


@dataclass
class Record:
    """One synthetic record: what a source wrote, and (for scoring only) who it really is."""

    external_id: str
    person: int  # the truth
    name: str
    birth: tuple[int | None, int | None]
    sex: str | None
    origin: set[str]
    province: int | None
    list: str

    def facts(self, pk: int, source: int | None = None) -> Facts:
        return Facts(pk=pk, names=[self.name], birth=self.birth, sex=self.sex, origin=set(self.origin),
                     province=self.province, source=source)


def _weighted(rng: random.Random, table: dict):
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def _typo_latin(rng: random.Random, text: str) -> str:
    spots = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(spots) < 3:
        return text
    i = rng.choice(spots[1:])
    op = rng.randrange(4)
    if op == 0:
        return text[:i] + rng.choice("aeioungkmsjhrl") + text[i + 1:]
    if op == 1:
        return text[:i] + text[i + 1:]
    if op == 2:
        return text[:i] + text[i] + text[i:]
    j = i + 1 if i + 1 < len(text) and text[i + 1].isalpha() else i - 1
    if not text[j].isalpha():
        return text
    chars = list(text)
    chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def _typo_hangul(rng: random.Random, text: str) -> str:
    """A jamo changed in one given-name syllable: a final added, dropped or swapped (정 → 전)."""
    spots = [i for i, ch in enumerate(text) if "\uac00" <= ch <= "\ud7a3"][1:]
    if not spots:
        return text
    i = rng.choice(spots)
    code = ord(text[i]) - _JAMO_BASE
    final = code % 28
    new_final = rng.choice([f for f in (0, 1, 4, 8, 16, 21) if f != final])
    return text[:i] + chr(_JAMO_BASE + code - final + new_final) + text[i + 1:]


class Generator:
    def __init__(self, seed: int = 19481210):
        self.rng = random.Random(seed)
        cfg = noise()
        self.cfg = cfg
        surnames = korean_data.surnames()["surnames"]
        self.surnames = [s.get("dprk", [s["ko"]])[0] for s in surnames]
        self.surname_weights = [1 / s["rank"] ** cfg["surname_exponent"] for s in surnames]
        syllables = list(korean_data.surnames()["given_syllables"]["spellings"]) + list(cfg["extra_syllables"])
        self.syllables = list(dict.fromkeys(syllables))
        self.syllable_weights = [1 / (n + 1) ** cfg["syllable_exponent"] for n in range(len(self.syllables))]
        self.provinces = cfg["provinces"]
        self.counties = cfg["counties_per_province"]

    def _name(self) -> str:
        rng = self.rng
        surname = rng.choices(self.surnames, weights=self.surname_weights)[0]
        count = 1 if rng.random() < self.cfg["one_syllable_given"] else 2
        return surname + "".join(rng.choices(self.syllables, weights=self.syllable_weights, k=count))

    def _spelling(self, name: str) -> str:
        rng, cfg = self.rng, self.cfg
        how = _weighted(rng, cfg["writing"])
        if how == "hangul_dprk":
            text = name
        elif how == "hangul_rok":
            text = romanize_rok_hangul(name)
        elif how in ("rr", "mr", "dprk"):
            text = romanize_name(name, how)
        elif how == "mr_plain":
            text = plain(romanize_name(name, "mr"))
        else:
            latin = sorted(v for v in person_variants(name) if v.isascii())
            text = rng.choice(latin)
        hangul = not text.isascii()
        if hangul and rng.random() < cfg["hangul_space"] and len(text) > 2:
            text = text[0] + " " + text[1:]
        if not hangul and rng.random() < cfg["latin_western_order"]:
            family, _, given = text.partition(" ")
            text = f"{given} {family}"
        if rng.random() < cfg["typo"]:
            text = _typo_hangul(rng, text) if hangul else _typo_latin(rng, text)
        return text

    def _birth(self, year: int) -> tuple[int | None, int | None]:
        rng = self.rng
        how = _weighted(rng, self.cfg["birth"])
        if how == "exact":
            return year, year
        if how == "off1":
            y = year + rng.choice((-1, 1))
            return y, y
        if how == "off3":
            y = year + rng.choice((-3, -2, 2, 3))
            return y, y
        if how == "range":
            return year - rng.randint(0, 2), year + rng.randint(0, 2)
        return None, None

    def _origin(self, county: int) -> tuple[set[str], int | None]:
        how = _weighted(self.rng, self.cfg["origin"])
        province = county // self.counties
        if how == "unknown":
            return set(), None
        if how == "province_only":
            return set(), province
        if county in self.renamed:  # a renamed county: the old place, or the new one that lists its old name
            return ({f"p:{county}:old"} if self.rng.random() < 0.5 else {f"p:{county}", f"p:{county}:old"}), province
        return {f"p:{county}"}, province

    def records(self, persons: int) -> list[Record]:
        rng, cfg = self.rng, self.cfg
        lo, hi = cfg["birth_years"]
        total_counties = self.provinces * self.counties
        self.renamed = set(rng.sample(range(total_counties), int(total_counties * cfg["renamed_counties"])))
        names: list[str] = []
        out: list[Record] = []
        for person in range(persons):
            name = rng.choice(names) if names and rng.random() < cfg["namesakes"] else self._name()
            names.append(name)
            sex = rng.choice(("male", "female"))
            year = rng.randint(lo, hi)
            county = rng.randrange(total_counties)
            lists = rng.sample(cfg["lists"], len(cfg["lists"]))
            for n in range(_weighted(rng, cfg["records_per_person"])):
                origin, province = self._origin(county)
                out.append(Record(
                    external_id=f"{lists[n % len(lists)]}:P-{person}-{n}", person=person, name=self._spelling(name),
                    birth=self._birth(year), sex=None if rng.random() < cfg["sex_unknown"] else sex,
                    origin=origin, province=province, list=lists[n % len(lists)],
                ))
        rng.shuffle(out)
        return out


def romanize_rok_hangul(name: str) -> str:
    """The ROK spelling of a Hangul name (리룡남 → 이용남)."""
    from kirok.korean import fold_word

    return fold_word(name[:1]) + fold_word(name[1:])
