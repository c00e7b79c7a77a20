"""Synthetic, fictional testimony excerpts with ground truth, for tests and benchmarks.

``Corpus(size, seed)`` makes ``size`` excerpts (about two thirds Korean, one third English,
100–1,000 characters each). Each tells of fictional persons (random surnames and given-name
syllables, never a list of real people) at real places of the shipped gazetteer (provinces and
the known camps, which are public) suffering one of a few kinds of violation, written the way
testimony writes them: Korean in DPRK or ROK spelling with inflected verbs (구금되었다,
강제로동에 동원되였다), names and places in Hangul; English with names and places in one of
their romanizations (RR, MR with or without breves, DPRK, popular spellings). Every excerpt
records which persons, places and violations it mentions, so a query's relevant excerpts are
known without judging by hand (``LabelledQuery.relevant``). Deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from kirok.korean import data, variants

SURNAMES = "김리박최정강조윤장림한오서신권황안송류전홍고문량손배백허로남심"
GIVEN = "명수철영희순옥성일남혁진광경미정숙현호국춘화금복동구석길용학만선은향란"
# kind: (Korean forms, English forms, Korean query word, English query word); {n} name, {p} place
TOPICS = {
    "detention": (("{n}{s} {p}에 구금되었다.", "{n}{s} {p}에서 구금당했다고 한다.", "{p}에 구금된 {n}{s} 석달 뒤 풀려났다."),
                  ("{n} was detained at {p}.", "{n} recalls the detention at {p}."), "구금", "detained"),
    "torture": (("{n}{s} {p}에서 고문을 당했다.", "{p}에서 보위원들이 {n}{o} 고문했다."),
                ("{n} was tortured at {p}.", "Guards at {p} tortured {n}."), "고문", "tortured"),
    "forced_labour": (("{n}{s} {p}에서 강제로동에 동원되였다.", "{n}{s} {p}에서 강제노동을 했다."),
                      ("{n} was forced to labour at {p}.", "At {p}, {n} did forced labour."), "강제노동", "labour"),
    "execution": (("{n}{s} {p}에서 공개처형을 목격했다.", "{p}에서 {n}{s} 처형되었다."),
                  ("{n} witnessed a public execution at {p}.", "{n} was executed at {p}."), "처형", "execution"),
    "repatriation": (("{n}{s} 중국에서 강제송환되어 {p}{r} 이송되였다.", "강제북송된 {n}{s} {p}{r} 끌려갔다."),
                     ("{n} was forcibly repatriated and sent to {p}.",), "강제송환", "repatriated"),
    "interrogation": (("보위원이 {p}에서 {n}{o} 조사했다.", "{n}{s} {p}에서 취조를 받았다."),
                      ("{n} was interrogated by security agents at {p}.",), "조사", "interrogated"),
    "starvation": (("{n}{s} {p}에서 식량을 받지 못해 굶주렸다.",), ("{n} went hungry for months at {p}.",), "식량", "hungry"),
}
FILLER_KO = (
    "그 시기에는 모두가 살기 힘들었다고 증언자는 말했다.", "증언자는 그날 날씨가 매우 추웠다고 기억한다.",
    "가족들은 아무 소식도 듣지 못했다.", "마을 사람들은 그 일에 대해 말하기를 꺼렸다.",
    "녀성들은 따로 분리되여 다른 방에 갇혔다.", "장마당에서 장사를 하다가 단속에 걸렸다고 한다.",
    "이 내용은 다른 증언으로 확인되지 않았다.", "면담은 두 시간 동안 진행되었다.",
)
FILLER_EN = (
    "The witness said that life was hard for everyone at that time.", "Family members received no news for years.",
    "Neighbours were afraid to speak about what had happened.", "This account has not been corroborated by other sources.",
    "The interview lasted about two hours.", "Women were held separately from men.",
)


@dataclass(frozen=True)
class Place:
    key: str
    hangul: tuple[str, ...]
    latin: tuple[str, ...]


@dataclass
class Excerpt:
    n: int
    text: str
    korean: bool
    persons: set[int] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)

    @property
    def external_id(self) -> str:
        return f"syn:{self.n}"


@dataclass(frozen=True)
class LabelledQuery:
    text: str
    persons: frozenset[int] = frozenset()
    places: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    kind: str = ""

    def matches(self, excerpt: Excerpt) -> bool:
        return self.persons <= excerpt.persons and self.places <= excerpt.places and self.topics <= excerpt.topics


def places() -> list[Place]:
    """Provinces and camps of the shipped gazetteer, with their Hangul and Latin spellings."""
    out = []
    for row in data.divisions():
        hangul = tuple(dict.fromkeys((row["name_dprk"], row["name_rok"])))
        latin = tuple(dict.fromkeys(v for name in hangul for v in variants(name, "place") if v.isascii() or not any("가" <= c <= "힣" for c in v)))
        out.append(Place(row["iso_code"], hangul, tuple(dict.fromkeys((*latin, row["mr"], row["rr"], row["dprk"])))))
    for facility in data.facilities():
        town = facility["name"]["ko"].split()[0]
        latin = [v for v in facility.get("variants") or () if (v.isascii() or any(c in v for c in "ŏŭ")) and not any(c.isdigit() for c in v)]
        out.append(Place(facility["key"], (town,), tuple(latin)))
    return out


def _josa(word: str, pair: tuple[str, str]) -> str:
    """The particle after a Hangul word: first form after a final consonant (은/을/으로)."""
    last = ord(word[-1]) - 0xAC00
    final = last % 28 if 0 <= last < 11172 else 0
    if pair == ("으로", "로"):
        return pair[1] if final in (0, 8) else pair[0]
    return pair[0] if final else pair[1]


class Corpus:
    def __init__(self, size: int, seed: int = 6, persons: int | None = None):
        self.size = size
        self.seed = seed
        self.places = places()
        rng = random.Random(f"{seed}:persons")
        count = persons or max(50, size // 12)
        space = len(SURNAMES) * len(GIVEN) ** 2  # distinct three-syllable names (37,975)
        names: dict[str, None] = {}
        while len(names) < min(count, space):
            names[rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)] = None
        self.persons = list(names)
        # Past the distinct names (more than ~455,000 excerpts), more persons share a name:
        # namesakes, as in life. Smaller corpora are unchanged.
        self.persons += [rng.choice(self.persons) for _ in range(count - len(self.persons))]
        self._variants: dict[int, tuple[list[str], list[str]]] = {}

    def spellings(self, person: int) -> tuple[list[str], list[str]]:
        """(Hangul, Latin) spellings of a person's name."""
        if person not in self._variants:
            found = sorted(variants(self.persons[person], "person"))
            hangul = [v for v in found if any("가" <= c <= "힣" for c in v) and " " not in v]
            self._variants[person] = (hangul, [v for v in found if v.isascii() or "ŏ" in v or "ŭ" in v])
        return self._variants[person]

    def excerpt(self, n: int) -> Excerpt:
        rng = random.Random(f"{self.seed}:excerpt:{n}")
        korean = rng.random() < 0.66
        target = rng.randint(100, 1000)
        ex = Excerpt(n, "", korean)
        parts: list[str] = []
        size = 0
        facts = rng.randint(1, 3)
        while size < target or facts > 0:
            if facts > 0 and (size == 0 or rng.random() < 0.5):
                facts -= 1
                sentence = self._fact(rng, ex)
            else:
                sentence = rng.choice(FILLER_KO if korean else FILLER_EN)
            parts.append(sentence)
            size += len(sentence) + 1
        text = " ".join(parts)
        ex.text = text if len(text) <= 1000 else text[: text.rfind(" ", 0, 1000)]
        return ex

    def _fact(self, rng: random.Random, ex: Excerpt) -> str:
        person = rng.randrange(len(self.persons))
        place = rng.choice(self.places)
        topic = rng.choice(list(TOPICS))
        korean_forms, english_forms, _ko, _en = TOPICS[topic]
        hangul, latin = self.spellings(person)
        if ex.korean:
            name = rng.choice(hangul)
            where = rng.choice(place.hangul)
            sentence = rng.choice(korean_forms).format(
                n=name, p=where, s=_josa(name, ("은", "는")), o=_josa(name, ("을", "를")), r=_josa(where, ("으로", "로"))
            )
        else:
            sentence = rng.choice(english_forms).format(n=rng.choice(latin), p=rng.choice(place.latin))
        ex.persons.add(person)
        ex.places.add(place.key)
        ex.topics.add(topic)
        return sentence

    def __iter__(self):
        return (self.excerpt(n) for n in range(self.size))

    def queries(self, count: int, excerpts: list[Excerpt] | None = None) -> list[LabelledQuery]:
        """``count`` labelled queries: persons by a spelling other than one they are written in,
        places in another script, and place + violation in Korean or English."""
        rng = random.Random(f"{self.seed}:queries")
        sample = excerpts or [self.excerpt(n) for n in rng.sample(range(self.size), min(self.size, count * 2))]
        by_key = {p.key: p for p in self.places}
        out: list[LabelledQuery] = []
        while len(out) < count:
            ex = rng.choice(sample)
            kind = ("person", "place", "place_topic_ko", "place_topic_en")[len(out) % 4]
            if kind == "person":
                person = rng.choice(sorted(ex.persons))
                hangul, latin = self.spellings(person)
                text = rng.choice(latin if ex.korean else hangul)  # the other script than this excerpt's
                out.append(LabelledQuery(text, persons=frozenset({person}), kind=kind))
                continue
            place = by_key[rng.choice(sorted(ex.places))]
            where = rng.choice(place.latin if ex.korean else place.hangul)
            if kind == "place":
                out.append(LabelledQuery(where, places=frozenset({place.key}), kind=kind))
                continue
            topic = rng.choice(sorted(ex.topics))
            word = TOPICS[topic][2] if kind == "place_topic_ko" else TOPICS[topic][3]
            out.append(LabelledQuery(f"{where} {word}", places=frozenset({place.key}), topics=frozenset({topic}), kind=kind))
        return out
