"""Search terms from Korean text with Kiwi (kiwipiepy): 구금되었다 → 구금, 로동단련대에서 → 노동단련대.

Text is folded (DPRK → ROK spelling) *before* analysis, so a DPRK text and its ROK spelling reach
Kiwi as the same string and give the same terms, and Kiwi — trained on ROK text — sees the
spelling it knows. Each term is the lemma of a content morpheme (nouns, verb and adjective
stems, roots, Latin words, numbers, Hanja), folded once more as a word of its own (a morpheme
cut out of a compound starts a word: 당 + 로동 → 노동).

Kiwi's model (~100 MB, the ``kiwipiepy_model`` package) is loaded once per process, on first use
(about 2 s), with Kirok's user dictionary of North Korean terms.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator

from kirok.korean import data
from kirok.korean.hangul import nfc
from kirok.korean.keys import without_suffix
from kirok.korean.orthography import fold, fold_word

# Kiwi part-of-speech tags (Sejong tag set) whose morphemes are search terms.
CONTENT_TAGS = frozenset({"NNG", "NNP", "XR", "SL", "SH", "SN", "W_SERIAL", "W_EMAIL", "W_URL", "W_HASHTAG"})
PREDICATE_TAGS = ("VV", "VA")  # with their irregular variants VV-I, VA-R …
# Light verbs that carry no meaning of their own (구금되다 → 구금 + 되다; 조사하다 → 조사 + 하다).
LIGHT_VERBS = frozenset({"하다", "되다", "이다", "있다"})
_KIWI_TAGS = frozenset({"NNG", "NNP", "NNB", "NR", "NP", "VV", "VA", "XR", "MAG", "MM", "IC", "SL", "SH", "SN"})

_lock = threading.Lock()
_kiwi = None


def user_dictionary() -> list[tuple[str, str, float]]:
    """(form, tag, score) rows: ``user_dictionary.tsv`` plus the names in the reference data,
    all folded, without repeats. Errors name the file and line."""
    rows: dict[str, tuple[str, str, float]] = {}

    def add(form: str, tag: str = "NNP", score: float = 0.0) -> None:
        form = fold(" ".join(nfc(form).split()))
        if form and any("\uac00" <= ch <= "\ud7a3" for ch in form):
            rows.setdefault(form, (form, tag, score))

    path = data.KOREAN / "user_dictionary.tsv"
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) not in (2, 3) or fields[1] not in _KIWI_TAGS:
                raise ValueError(f"{path}:{number}: expected 'form<TAB>tag[<TAB>score]' with a Kiwi tag such as NNG or NNP, got {line!r}")
            try:
                score = float(fields[2]) if len(fields) == 3 else 0.0
            except ValueError:
                raise ValueError(f"{path}:{number}: score {fields[2]!r} is not a number") from None
            add(fields[0], fields[1], score)
    for row in data.divisions():
        for name in (row["name_dprk"], row["name_rok"]):
            add(name)
            if stem := without_suffix(name):
                add(stem)
    for facility in data.facilities():
        for word in facility["name"]["ko"].split():
            if not word.startswith("제"):
                add(word, "NNG" if word in ("관리소", "교화소") else "NNP")
        for variant in facility.get("variants") or ():
            add(variant)
    for institution in data.institutions():
        for name in institution["names"]:
            add(name["ko"])
        for variant in institution.get("variants") or ():
            add(variant)
    for term in data.facility_types():
        add(term["label"]["ko"], "NNG")
    return list(rows.values())


def analyzer():
    """The process's Kiwi, with the user dictionary (loaded on first call; thread-safe).

    ``KIROK_KIWI_WORKERS`` sets Kiwi's thread count for batches (default: all cores)."""
    global _kiwi
    if _kiwi is None:
        with _lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                workers = int(os.environ.get("KIROK_KIWI_WORKERS") or len(os.sched_getaffinity(0)))
                kiwi = Kiwi(num_workers=max(workers, 2))  # Kiwi's batch mode needs at least 2
                for form, tag, score in user_dictionary():
                    kiwi.add_user_word(form, tag, score)
                _kiwi = kiwi
    return _kiwi


def _terms(tokens) -> list[str]:
    out = []
    for token in tokens:
        tag = token.tag
        if tag in CONTENT_TAGS:
            form = token.form.casefold() if tag == "SL" else token.form
        elif tag.startswith(PREDICATE_TAGS) and token.lemma not in LIGHT_VERBS:
            form = token.lemma
        else:
            continue
        out.append(fold_word(form) if tag != "SL" else form)
    return out


def tokens(text: str) -> list[str]:
    """Search terms of one text, in order (repeats kept, for phrase and frequency use)."""
    text = fold(text)
    if not text.strip():
        return []
    return _terms(analyzer().tokenize(text))


def tokens_many(texts: Iterable[str]) -> Iterator[list[str]]:
    """``tokens`` for many texts, in order, analysed by Kiwi's worker threads in parallel: the way
    to index a collection (folding runs in this thread while Kiwi's workers analyse)."""
    for result in analyzer().tokenize(fold(t) for t in texts):
        yield _terms(result)
