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
list of real people, romanized by ``kirok.korean``; the scenario tables (name parts, counties,
scenarios and their texts, shares) are data in ``kirok/data/demo`` (synthetic, see its README),
and places, facilities, institutions and vocabulary codes are the shipped reference data, read
from ``kirok/data`` at run time.

Determinism and scale. Record ``n`` of a type is drawn from its own random stream, seeded by
(seed, type, n), and its Kirok id is the first 128 bits of that stream: the same seed gives the
same records, byte for byte, and a record never depends on the order in which others were made.
Records point to each other by index arithmetic (act ``i`` belongs to event ``i·E/A`` and harms
victim ``i mod V``), and what one record needs to know about another (a victim's birth year, an
incident's province) is recomputed from that record's stream, so nothing is held in memory but a
few small caches and the geography: a million persons stream in constant memory.

The worked example. Every demo set, whatever its size and seed, also holds "Camp No. 99"
(``kirok/data/demo/camp99.yaml``): an invented camp, its administration unit under a bureau
under the ministry, a commander with his predecessor, the bureau chief and a guard, positions over
uncertain dates, acts of imprisonment and torture, two testimonies with different consent and a
copy of the camp rules — the record a case against a camp commander is built on (docs/cases.md).
Its records follow the generated ones of each type, with the fixed external ids
``demo:camp99:<name>`` and the same fictional marks; the case built on it is
``kirok/records/demo_case.py``'s.

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

from kirok.korean import fold_word, plain, romanize, romanize_name, romanize_place
from kirok.korean import names as korean_names
from kirok.korean.romanization import capitalize
from kirok.records.registry import ORDER

DATA = Path(__file__).resolve().parent.parent / "data"

FICTIONAL_EN = "[FICTIONAL DEMO]"
FICTIONAL_KO = "[가상 데모]"
MARK = f"{FICTIONAL_EN} {FICTIONAL_KO}"
PREFIX = "demo"
LAST_YEAR = 2024  # no incident, interview or intervention after this year


def external_id(record_type: str, n: int) -> str:
    return f"{PREFIX}:{record_type}:{n}"


# --- data: the scenario tables in kirok/data/demo (synthetic, fictional) ----------------------

def _load(name: str, data: Path = DATA) -> dict:
    with open(data / "demo" / name, encoding="utf-8") as f:
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}


def _pairs(mapping: dict) -> tuple:
    return tuple(mapping.items())


_NAMES = _load("names.yaml")
_GEOGRAPHY = _load("geography.yaml")
_SHARES = _load("shares.yaml")

# (DPRK spelling, weight ‰): ROK census frequencies (2015), the published figures closest to a
# North Korean population; ROK spellings are derived by kirok.korean.
SURNAMES = _pairs(_NAMES["surnames"])
GIVEN = {sex: (parts["first"], parts["second"]) for sex, parts in _NAMES["given"].items()}
# Names of well-known real people the generator must never produce, even by chance.
REAL_NAMES = frozenset(_NAMES["real_names"])


# --- romanized names, by kirok.korean ---------------------------------------------------------

def _given_text(syllables: list[str], style: str) -> str:
    """'yeong', 'cheol' → 'Yeongcheol' (joined), 'Yeong-cheol' (hyphen), 'Yeong Cheol' (spaced)."""
    if style == "joined":
        return capitalize("".join(syllables))
    if style == "hyphen":
        return capitalize("-".join(syllables))
    return " ".join(capitalize(s) for s in syllables)


def romanized_name(surname_dprk: str, given: str, style: str, rng: random.Random) -> tuple[str, str, str, str]:
    """(full name, family name, given name, romanization code) of one romanized variant.

    style: ``rr`` (ROK spelling, strict or conventional surname, given name joined or hyphenated),
    ``mr`` (with or without diacritics, given name hyphenated), ``dprk`` (DPRK spelling, given
    syllables apart: Ri Yong Chol) or ``popular`` (conventional spellings: Lee Young-chul). The
    spellings are kirok.korean's; this only draws which of them a fictional document uses."""
    name = surname_dprk + given
    rok_surname, rok_given = fold_word(surname_dprk), fold_word(given)
    known = korean_names.surnames().get(rok_surname)
    if style in ("dprk", "mr"):
        full = romanize_name(name, style, diacritics=style == "mr" and rng.random() >= 0.4)  # 40 %: typed without diacritics
        family, _, given_text = full.partition(" ")
        code = style
    elif style == "rr":
        strict = romanize_name(name, "rr").partition(" ")[0]
        family = rng.choice([strict, *(known.other[:1] if known else ())])
        given_text = _given_text([romanize(ch, "rr") for ch in rok_given], rng.choice(("joined", "hyphen", "hyphen")))
        code = "rr"
    else:
        # The conventional spellings are listed commonest first (Lee, Yi, Rhee…): mostly the first.
        spellings = known.other[:3] if known and known.other else (romanize_name(name, "rr").partition(" ")[0],)
        family = rng.choices(spellings, (70, 20, 10)[: len(spellings)])[0]
        conventional = korean_names.given_spellings()
        syllables = [conventional.get(ch) or romanize(ch, "rr") for ch in rok_given]
        given_text = _given_text(syllables, rng.choice(("hyphen", "hyphen", "joined", "spaced")))
        code = "other"
    if rng.random() < 0.15 and style in ("rr", "popular"):
        full = f"{given_text} {family}"  # Western order, as in many ROK and foreign documents
    else:
        full = f"{family} {given_text}"
    return full, family, given_text, code


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
        if surname + given not in REAL_NAMES and fold_word(surname) + fold_word(given) not in REAL_NAMES:
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

# Counties (시·군·구역) by province in the order the demo set takes them, which of them are on
# the border, their unit words, and the weights of the provinces: kirok/data/demo/geography.yaml.
COUNTIES = [tuple(c) for c in _GEOGRAPHY["counties"]]
BORDER_COUNTIES = frozenset(_GEOGRAPHY["border_counties"])
UNITS = _GEOGRAPHY["units"]
PROVINCE_WEIGHTS = _GEOGRAPHY["province_weights"]
BORDER_PROVINCES = _GEOGRAPHY["border_provinces"]


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


def _act(spec: dict | None) -> ActSpec | None:
    if spec is None:
        return None
    tuples = {k: tuple(v) for k, v in spec.items() if isinstance(v, list)}
    return ActSpec(**{**spec, **tuples})


def _scenario(spec: dict) -> Scenario:
    tuples = {k: tuple(spec[k]) for k in ("categories", "reasons", "excerpts", "years", "days") if k in spec}
    return Scenario(**{**spec, **tuples, "acts": tuple(_act(a) for a in spec["acts"]), "lethal": _act(spec.get("lethal"))})


# What happens in an incident, to whom, where, and what a testimony says of it
# (kirok/data/demo/scenarios.yaml).
SCENARIOS = tuple(_scenario(s) for s in _load("scenarios.yaml")["scenarios"])
_YEAR_STEPS = sorted(_SHARES["years"].items())
YEAR_WEIGHTS = {y: next(w for start, w in reversed(_YEAR_STEPS) if start <= y) for y in range(_YEAR_STEPS[0][0], LAST_YEAR + 1)}
DATE_MIX = _pairs(_SHARES["date_precision"])
BASIS_SHARES = _pairs(_SHARES["testimony_basis"])  # MOU, Jan–Mar 2017
ROLE_SHARES = _SHARES["roles"]  # NKDB 2017; the rest are "other"
# (key, weight, kind, material types (preferred), testimony?): NKDB 2024 White Paper.
SOURCE_TYPES = tuple((key, t["weight"], t["kind"], tuple(t["materials"]), t["testimony"]) for key, t in _SHARES["source_types"].items())
OCCUPATIONS = {sex: _pairs(pairs) for sex, pairs in _SHARES["occupations"].items()}
POSITIONS = {inst: tuple(tuple(p) for p in ladder) for inst, ladder in _SHARES["positions"].items()}
PERPETRATOR_TYPE = _SHARES["perpetrator_types"]


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
_CAMP_KEY = 106  # the random streams of the Camp No. 99 records' ids


# --- Camp No. 99: the worked example every demo set holds (kirok/data/demo/camp99.yaml) -------

CAMP_TABLE = _load("camp99.yaml")  # its records, and the case built on them (kirok/records/demo_case.py)
CAMP = {t: rows for t, rows in CAMP_TABLE.items() if t in _TYPE_KEYS}
CAMP_PREFIX = f"{PREFIX}:camp99:"
_TITLE_MARKS = {"source": FICTIONAL_EN, "event": FICTIONAL_KO}


def _camp_names(family: str, given: str) -> list[dict]:
    """The Hangul name and its DPRK-spelling romanization (Han Jong Su), as the generator writes names."""
    latin_family, _, latin_given = romanize_name(family + given, "dprk").partition(" ")
    return [
        {"full_name": family + given, "family_name": family, "given_name": given, "script": "Hang", "name_type": "primary"},
        {"full_name": f"{latin_family} {latin_given}", "family_name": latin_family, "given_name": latin_given, "script": "Latn",
         "romanization": "dprk", "name_type": "transliteration"},
    ]


def camp_record(record_type: str, row: dict, cat: Catalog) -> dict:
    """One Camp No. 99 row of the table, marked fictional where the generated records are marked:
    remarks, notes and descriptions begin with both marks, a source's title with the English
    one, an event's with the Korean one. A ministry the reference data lacks is left out."""
    out = dict(row)
    for field in ("remarks", "note", "description"):
        if out.get(field):
            out[field] = f"{MARK} {out[field]}"
    if record_type in _TITLE_MARKS:
        out["title"] = f"{_TITLE_MARKS[record_type]} {out['title']}"
        english = (out.get("translations") or {}).get("title", {}).get("en")
        if english:
            out["translations"] = {"title": {"en": f"{FICTIONAL_EN} {english}"}}
    if record_type == "person":
        out["names"] = _camp_names(*out.pop("name"))
    parent = out.get("parent") or ""
    if parent.startswith("ref:institution:") and cat.institution(parent.rsplit(":", 1)[1]) is None:
        out["parent"] = None
    return _drop_empty(out)


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
        rok = fold_word(base)
        name = base + suffix
        return {
            "kind": "division", "division_type": UNITS[suffix]["type"],
            "parent": self.cat.division(iso), "name_ko": name,
            "name_rok": rok + suffix if rok != base else "",
            "name_en": f"{_place_en(base, suffix)}",
            "mr": romanize_place(name, "mr"),
            "rr": romanize_place(rok + suffix, "rr"),
            "dprk": romanize_place(name, "dprk"),
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

    def generated(self) -> dict[str, int]:
        """How many records of each type are drawn for ``size`` persons (``demo:<type>:<n>``)."""
        return {
            "source": self.sources, "place": len(self.place_rows), "organization": len(self.org_rows),
            "person": self.persons, "event": self.events, "act": self.acts, "involvement": self.involvements,
            "information": self.information, "biographic_detail": self.positions + self.families,
            "chain_of_events": self.chains, "intervention": self.interventions,
        }

    def counts(self) -> dict[str, int]:
        """Records of each type in the demo set: the generated ones and Camp No. 99's."""
        return {t: n + len(CAMP.get(t) or ()) for t, n in self.generated().items()}

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

    def camp_uid(self, record_type: str, n: int) -> str:
        """The Kirok id of the n-th Camp No. 99 record of a type: a stream of its own, by seed."""
        return _uid(random.Random(self._key(_CAMP_KEY, (_TYPE_KEYS[record_type] << 16) | n)))

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
        """Exchange-format dicts of one type, lazily: the generated ones in external-id order,
        then Camp No. 99's."""
        make = getattr(self, f"_{record_type}")
        for n in range(self.generated()[record_type]):
            yield make(n)
        for n, row in enumerate(CAMP.get(record_type) or ()):
            yield {"id": self.camp_uid(record_type, n), **camp_record(record_type, row, self.cat)}

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
        dprk_full, rok_full = surname + given, fold_word(surname) + fold_word(given)
        primary_is_rok = dprk_full != rok_full and rng.random() < 0.5
        first = (fold_word(surname), fold_word(given)) if primary_is_rok else (surname, given)
        names = [{"full_name": first[0] + first[1], "family_name": first[0], "given_name": first[1], "script": "Hang",
                  "name_type": cat.pick("name_types", "primary")}]
        if dprk_full != rok_full and rng.random() < 0.6:
            other = (surname, given) if primary_is_rok else (fold_word(surname), fold_word(given))
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
    return f"{romanize_place(base, 'mr', diacritics=False)} {UNITS[suffix]['en']}"


def _province_en(cat: Catalog, iso: str) -> str:
    row = cat.divisions.get(iso, {})
    return row.get("name_en") or plain(row.get("mr", iso))


def _en_name(demo: DemoSet, profile: EventProfile) -> str:
    if profile.county:
        return _place_en(profile.county.base, profile.county.suffix)
    return _province_en(demo.cat, profile.province)


SOURCE_TYPE_DRAW = Weighted((t, t[1]) for t in SOURCE_TYPES)
SOURCE_TYPE_BY_KEY = {t[0]: t for t in SOURCE_TYPES}
BIRTH_MIX = Weighted(_pairs(_SHARES["birth_date_precision"]))
POSITION_MIX = Weighted(_pairs(_SHARES["position_date_precision"]))
OCCUPATION_DRAW = {sex: Weighted(pairs) for sex, pairs in OCCUPATIONS.items()}
ACT_DRAWS = {s.key: Weighted((a, a.weight) for a in s.acts) for s in SCENARIOS}
RELIABILITY = Weighted(_pairs(_SHARES["reliability"]))
RELIABILITY_BY_BASIS = {basis: Weighted(_pairs(shares)) for basis, shares in _SHARES["reliability_by_basis"].items()}
VIOLATION_STATUS = Weighted(_pairs(_SHARES["violation_status"]))
DEGREE_UNIT = Weighted(_pairs(_SHARES["degree_unit"]))
DEGREE_PERSON = Weighted(_pairs(_SHARES["degree_person"]))
PERP_STATUS = Weighted(_pairs(_SHARES["perpetrator_status"]))
INTERVENTION_RESPONSE = Weighted(_pairs(_SHARES["intervention_response"]))


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


__all__ = ["CAMP", "CAMP_PREFIX", "CAMP_TABLE", "Catalog", "DemoSet", "FICTIONAL_EN", "FICTIONAL_KO", "external_id", "generate", "korean_name", "romanized_name", "streams", "write_files"]
