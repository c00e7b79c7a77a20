"""From text to index terms: Kiwi lemmas (``kirok.korean``), cross-script keys, blind tokens.

* **terms** — the folded lemmas of content morphemes (``kirok.korean.tokens``): 구금되었다 → 구금,
  로동단련대에서 → 노동단련대; Latin words in lower case. Before Kiwi, Latin letters lose their
  diacritics and apostrophes (Ch'ŏngjin → Chongjin), so an MR spelling is one word.
* **keys** — for each term, the phonetic skeleton of its romanization
  (``kirok.korean.keys.phrase_skeleton``): 요덕, Yodok, Yoduk and Yodŏk all give ``yotok``;
  청진 and Chongjin give ``coqcin``. Stored in a column of their own, parallel to the terms, so
  that a query in one script finds a text in another and ranks below an exact match.
* **whole-name keys** (``whole_keys``) — names written in open text, whatever Kiwi makes of
  them, in a column of their own that ranks high: person names (a Hangul word of three or four
  syllables that starts with a known surname, with or without its particle; two or three
  capitalised Latin words with a surname first or last) give their name keys
  (``kirok.korean.name_keys``): 리명수는, Ri Myong Su and Lee Myung-soo all give ``n이myoqso``,
  which Kiwi's splitting of names (이명수 here, 이성/철 there) cannot promise. Place names with an
  administrative unit (양강도에서, Hwanghae-bukto) give the key of the whole name and of the name
  without the unit, so Yanggang finds 양강도 and 황해북도 finds Hwanghae-bukto; every capitalised
  Latin word gives the key of the word as written, because Kiwi cuts some romanized names into
  pieces in a sentence (Changpyong → chang pyong) though not alone.
* **blind tokens** — HMAC-SHA-256 under the blind-index key (``kirok.protection.blind.token``)
  of each distinct term of a protected text, and of each matching key
  (``kirok.korean.keys``) of a protected name. Only the tokens reach the database.

A term is reduced to letters and digits (case-folded), so that every backend sees one token
where Kirok made one: SQLite's ``unicode61`` tokenizer and PostgreSQL's ``tsvector`` literal agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

from kirok.korean import fold, keys, name_keys, tokens, tokens_many
from kirok.korean.keys import phrase_skeleton, without_suffix
from kirok.protection import blind
from kirok.protection.keys import keyring

_APOSTROPHE_IN_WORD = re.compile(r"(?<=[^\W\d_])['’ʼ‘`](?=[^\W\d_])")
MAX_TERMS = 8000  # PostgreSQL keeps positions up to 16,383, shared by terms and keys: longer open texts are cut on every backend


def prepare(text: str) -> str:
    """NFC, Latin diacritics and in-word apostrophes removed: the text as Kiwi should see it."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _APOSTROPHE_IN_WORD.sub("", unicodedata.normalize("NFC", stripped))


def clean(term: str) -> str:
    """A term as one index token: letters and digits only, case-folded."""
    return "".join(c for c in term.casefold() if c.isalnum())


def _terms(raw: Iterable[str]) -> list[str]:
    return [t for t in map(clean, raw) if t][:MAX_TERMS]


def analyse(text: str) -> list[str]:
    """The terms of one text (a query word, a phrase), in order."""
    return _terms(tokens(prepare(text)))


def analyse_many(texts: list[str]) -> Iterator[list[str]]:
    """``analyse`` for many texts on Kiwi's worker threads: the way to index."""
    for found in tokens_many(prepare(t) for t in texts):
        yield _terms(found)


@lru_cache(maxsize=1 << 18)
def key(term: str) -> str:
    """The cross-script key of a term (its phonetic skeleton), or the term itself when it has none."""
    if term.isdigit():
        return term
    return clean(phrase_skeleton(term)) or term


def joined_keys(text: str) -> set[str]:
    """Keys of a Latin name written in pieces (Yo-dok, Hoe Ryong, Ch'ong-jin) as one word, and
    without its administrative unit (Pyeongannam-do → Pyeongannam)."""
    pieces = [w for w in re.split(r"[\s\-‐‑]+", prepare(text)) if w]
    if len(pieces) < 2 or not all(p.isascii() and p.isalpha() for p in pieces):
        return set()
    found = {key(clean("".join(pieces)))}
    if stem := without_suffix(prepare(text)):
        found.add(key(clean(stem)))
    return found


_PARTICLE = re.compile(r"(?:께서|에게|한테|에서|으로|은|는|이|가|을|를|의|와|과|도|만|로|에|씨)$")
_HANGUL_WORD = re.compile(r"[가-힣]{2,8}")
_LATIN_NAME = re.compile(r"\b[A-Z][a-z]+(?:-[a-z]+)?(?:\s+[A-Z][a-z]+(?:-[a-z]+)?){1,2}\b")
_APOSTROPHE_GAP = re.compile(r"\b([A-Z][a-z]{0,5})\s+(['’ʼ][a-z]{1,5})\b")  # MR's syllable mark written apart: Chin 'gu is Chin'gu (진구)
_LATIN_PROPER = re.compile(r"\b[A-Z][A-Za-z]+(?:-[A-Za-z]+)*\b")


@lru_cache(maxsize=1 << 17)
def _hangul_name_keys(word: str) -> tuple[str, ...]:
    """The person-name keys of a Hangul word of three or four syllables (with or without a particle)."""
    return tuple(sorted({clean(k) for form in {word, _PARTICLE.sub("", word)} if 3 <= len(form) <= 4 for k in name_keys(form)}))


@lru_cache(maxsize=1 << 17)
def _hangul_keys(word: str) -> tuple[str, ...]:
    found: set[str] = set(_hangul_name_keys(word))
    for form in {word, _PARTICLE.sub("", word)}:
        if stem := without_suffix(form):
            found.update((key(clean(fold(form))), key(clean(fold(stem)))))
    return tuple(sorted(found))


@lru_cache(maxsize=1 << 16)
def _latin_keys(name: str) -> tuple[str, ...]:
    return tuple(sorted(clean(k) for k in name_keys(name)))


@lru_cache(maxsize=1 << 16)
def _proper_keys(word: str) -> tuple[str, ...]:
    found = {key(clean(word))}
    if stem := without_suffix(word):
        found.add(key(clean(stem)))
    return tuple(sorted(found))


def whole_keys(text: str, *, parts: bool = True) -> list[str]:
    """Keys of the whole names a text may contain: persons and places (see the module docstring).
    In running text a run of capitalised words may hold a name and more (Ri Myong Su Pyongyang),
    so its three- and two-word parts are read too; without ``parts`` only the whole run is."""
    text = prepare(_APOSTROPHE_GAP.sub(r"\1\2", text))
    found: list[str] = []
    for m in _HANGUL_WORD.finditer(text):
        found.extend(_hangul_keys(m.group()))
    for m in _LATIN_NAME.finditer(text):
        words = m.group().split()
        for size in (3, 2) if parts else (len(words),):
            for i in range(len(words) - size + 1):
                found.extend(_latin_keys(" ".join(words[i : i + size])))
    for m in _LATIN_PROPER.finditer(text):  # Kiwi may cut a romanized name (Changpyong → chang pyong)
        found.extend(_proper_keys(m.group()))
    return found[:MAX_TERMS]


@lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    """Hangul names of the shipped gazetteer's provinces and camp towns, folded, with and without
    their unit word: 양강도 reads as surname 양 and given name 강도, and must not rank as a person."""
    from kirok.korean.data import divisions, facilities

    names = [row[column] for row in divisions() for column in ("name_dprk", "name_rok")]
    names += [facility["name"]["ko"].split()[0] for facility in facilities()]
    return frozenset(fold(form) for name in names for form in (name, without_suffix(name)) if form)


def _a_person(word: str) -> bool:
    form = _PARTICLE.sub("", word)
    return not ({fold(word), fold(form), fold(without_suffix(form) or "")} & _place_words())


def query_name_keys(text: str) -> set[str]:
    """The keys of the persons a query names whole: a Hangul name (리명수, 오철철은) or a run of
    two or three capitalised words (Ri Myong Su, whatever its capitals), not their parts nor
    single words. A record that names such a person ranks above those that only share words
    with the name (``query.Plan.boost``)."""
    words = prepare(text).split()
    titled = prepare(_APOSTROPHE_GAP.sub(r"\1\2", " ".join(w[:1].upper() + w[1:] if w.isascii() else w for w in words)))
    found = {k for m in _HANGUL_WORD.finditer(titled) if _a_person(m.group()) for k in _hangul_name_keys(m.group())}
    return found | {k for m in _LATIN_NAME.finditer(titled) for k in _latin_keys(m.group())}


def query_whole_keys(text: str) -> set[str]:
    """``whole_keys`` of a query word or phrase, whatever its capitals (ri myong su). A query
    names a person whole: the parts of "Hur Hui Ok" (Hur Hui: surname 허 and given name 희) would
    rank every 허희-something beside 허희옥 (at 300,000 excerpts, a hundred other persons)."""
    words = prepare(text).split()
    titled = " ".join(w[:1].upper() + w[1:] if w.isascii() else w for w in words)
    return set(whole_keys(titled, parts=False))


def _secret() -> bytes:
    return keyring().secret("blind-index")


@lru_cache(maxsize=1 << 16)
def _hmac(secret: bytes, kind: str, form: str) -> str:
    return blind.token(secret, "search", kind, form)


def blind_terms(terms: Iterable[str], secret: bytes | None = None) -> set[str]:
    """Tokens of the terms of a protected text (each distinct term once)."""
    secret = secret or _secret()
    return {_hmac(secret, "text", t) for t in terms}


def blind_names(names: Iterable[str], kind: str | None = "person", secret: bytes | None = None) -> set[str]:
    """Tokens of the matching keys of protected names (``kind=None`` for a query, which may be
    written either way): 리명수, Ri Myong Su and Lee Myung-soo share one."""
    secret = secret or _secret()
    return {_hmac(secret, "name", k) for name in names for k in keys(name, kind)}


@lru_cache(maxsize=1 << 16)
def folded_word(word: str) -> str:
    """A word of shown text as the snippet matcher compares it: prepared, folded, cleaned."""
    return clean(fold(prepare(word)))
