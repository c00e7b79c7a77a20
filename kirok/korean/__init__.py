"""Korean text and names: the language layer under search, linkage and blind indexes.

Plain functions, no Django, no database:

- ``fold(text)`` — DPRK → ROK orthography (리 → 이, 로동 → 노동, 량강 → 양강, 로씨야 → 러시아):
  one spelling to compare, whichever side wrote it.
- ``romanize(text, system)`` — Hangul in RR, MR or the DPRK system; ``romanize_name`` and
  ``romanize_place`` apply each system's conventions for names and places.
- ``variants(name, kind)`` — the spellings of a Hangul person or place name that documents use.
- ``keys(text, kind=None)`` — matching keys for a string in any script: "Yodok", "Yoduk",
  "Yodŏk" and "요덕" share one; "Ri Myong Su", "Lee Myung-soo" and "리명수" share one. These
  are what a blind index hashes: ``{hmac(k) for k in keys(name, "person")}``.
- ``tokens(text)`` / ``tokens_many(texts)`` — search terms (folded lemmas of content morphemes)
  from Kiwi, with Kirok's dictionary of North Korean terms; the batch form is multi-threaded.

See docs/korean.md for the rules, sources, measured precision and known limits.
"""

from __future__ import annotations

from kirok.korean.keys import keys, skeleton
from kirok.korean.morphology import tokens, tokens_many
from kirok.korean.names import name_keys, person_variants, romanize_name, split_hangul, split_latin
from kirok.korean.orthography import fold, fold_word
from kirok.korean.places import place_variants, romanize_place
from kirok.korean.romanization import SYSTEMS, plain, romanize


def variants(name: str, kind: str = "person") -> set[str]:
    """Spellings of a Hangul name: ``kind="person"`` (surname + given name) or ``"place"``."""
    if kind == "person":
        return person_variants(name)
    if kind == "place":
        return place_variants(name)
    raise ValueError(f"unknown kind {kind!r}; use 'person' or 'place'")


__all__ = [
    "SYSTEMS", "fold", "fold_word", "keys", "name_keys", "person_variants", "place_variants", "plain",
    "romanize", "romanize_name", "romanize_place", "skeleton", "split_hangul", "split_latin", "tokens",
    "tokens_many", "variants",
]
