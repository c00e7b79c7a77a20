"""The blind index: search and linkage over protected names without plaintext in any index.

Each protected name is turned into a few normalized forms (``forms``), and each form into a
token: HMAC-SHA-256 under the blind-index key over the field and the form, cut to 128 bits.
The tokens are stored against the record (``BlindToken``). A query computes the tokens of its
own forms and looks them up by exact match (``lookup``); the records found then pass the
compartment check like any other read.

Forms of a name (all NFC, case-folded, without spaces, hyphens, apostrophes and dots):

* as written: 리명수, rimyongsu, leemyungsoo;
* Hangul with the DPRK/ROK initial-sound rule folded in every syllable (리→이, 로→노, 녀→여):
  리명수 and 이명수 give one form; so do 로동 and 노동;
* Latin without diacritics (Ŏ→o) and with the surname, first or last, folded to one spelling of
  it (Lee/Yi/Rhee/Ri → i; Park/Pak → bak; kirok/data/protection.yaml): "Ri Myong Su" and
  "Lee Myong Su" meet.

What this reveals to someone who reads the database but holds no key is in docs/protection.md:
which records share a normalized name, and how often each form occurs.
"""

from __future__ import annotations

import hmac
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache

from django.db import connection

from kirok.records.importing.writer import bulk_insert
from kirok.types.text import has_hangul

from . import policy
from .keys import Keyring, keyring
from .models import BlindToken

_DROP = str.maketrans("", "", " \t\n-‐‑–—'’ʼ`.,·ㆍ")
_SEPARATORS = str.maketrans({c: " " for c in "-‐‑–—.,·ㆍ"})
_SYLLABLES = 0xAC00
_FOLD_TO_O = {2, 6, 7, 12, 17, 20}  # ㅑ ㅕ ㅖ ㅛ ㅠ ㅣ
_RIEUL, _NIEUN, _IEUNG = 5, 2, 11
TOKEN_HEX = 32


@cache
def _surnames() -> dict[str, str]:
    folded = {}
    for spellings in policy.shipped().get("surname_spellings") or ():
        for spelling in spellings:
            folded[str(spelling)] = str(spellings[0])
    return folded


def _fold_syllable(ch: str) -> str:
    code = ord(ch) - _SYLLABLES
    if not 0 <= code < 11172:
        return ch
    initial, medial, final = code // 588, (code % 588) // 28, code % 28
    if initial == _RIEUL:
        initial = _IEUNG if medial in _FOLD_TO_O else _NIEUN
    elif initial == _NIEUN and medial in _FOLD_TO_O:
        initial = _IEUNG
    return chr(_SYLLABLES + (initial * 21 + medial) * 28 + final)


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=1 << 16)
def forms(text: str) -> frozenset[str]:
    """The normalized forms of a name under which it is indexed and looked up (cached: names
    repeat — a collection has far fewer distinct names than persons)."""
    return frozenset(_forms(text))


def _forms(text: str) -> set[str]:
    text = unicodedata.normalize("NFC", str(text)).casefold().strip()
    if not text:
        return set()
    result = {text.translate(_DROP)}
    if has_hangul(text):
        result.add("".join(_fold_syllable(c) for c in text.translate(_DROP)))
        return result - {""}
    words = _strip_marks(text).translate(_SEPARATORS).replace("'", "").replace("’", "").split()
    if words:
        result.add("".join(words))
        surnames = _surnames()
        for i in (0, len(words) - 1):
            if words[i] in surnames:
                folded = list(words)
                folded[i] = surnames[words[i]]
                result.add("".join(folded))
    return result - {""}


def token(key: bytes, record_type: str, path: str, form: str) -> str:
    return hmac.digest(key, f"{record_type}.{path}\x1f{form}".encode(), "sha256").hex()[:TOKEN_HEX]


@lru_cache(maxsize=1 << 16)
def _token(key: bytes, record_type: str, path: str, form: str) -> str:
    return token(key, record_type, path, form)


def tokens(key: bytes, record_type: str, path: str, values: Iterable[str]) -> set[str]:
    return {_token(key, record_type, path, f) for v in values for f in forms(v)}


def query_tokens(record_type: str, path: str, text: str, ring: Keyring | None = None) -> set[str]:
    return tokens((ring or keyring()).secret("blind-index"), record_type, path, [text])


def lookup(record_type: str, path: str, text: str, principal, ring: Keyring | None = None):
    """Records of ``record_type`` whose protected ``path`` has a form of ``text``, as a queryset
    the principal may see (search and linkage start here)."""
    from kirok.records.registry import model_for

    from .access import visible

    found = BlindToken.objects.filter(record_type=record_type, token__in=query_tokens(record_type, path, text, ring)).values("record_id")
    return visible(model_for(record_type).objects.filter(pk__in=found), principal)


def replace(record_type: str, rows: list[tuple[int, set[str]]]) -> None:
    """Make the tokens of these records exactly the given ones (record key, tokens)."""
    if not rows:
        return
    pks = [pk for pk, _ in rows]
    table = connection.ops.quote_name(BlindToken._meta.db_table)
    with connection.cursor() as cur:
        for i in range(0, len(pks), 900):
            part = pks[i : i + 900]
            cur.execute(
                f"DELETE FROM {table} WHERE record_type = %s AND record_id IN ({', '.join(['%s'] * len(part))})",
                [record_type, *part],
            )
    insert(record_type, rows)


def insert_new(record_type: str, first: int, stop: int, rows: list[tuple[int, set[str]]]) -> None:
    """Tokens of records just created with keys in [first, stop)."""
    table = connection.ops.quote_name(BlindToken._meta.db_table)
    with connection.cursor() as cur:  # rows left by records erased outside Kirok must not attach to new ones
        cur.execute(f"DELETE FROM {table} WHERE record_type = %s AND record_id >= %s AND record_id < %s", [record_type, first, stop])
    insert(record_type, rows)


def insert(record_type: str, rows: list[tuple[int, set[str]]]) -> None:
    bulk_insert(
        BlindToken._meta.db_table, ["record_type", "record_id", "token"],
        [(record_type, pk, t) for pk, found in rows for t in sorted(found)],
    )
