"""Place names: their Hangul forms in both orthographies and their romanizations.

RR writes the administrative unit after a hyphen, with no sound change across it (RR rule 5:
Chungcheongbuk-do, Inwang-ri); MR and the DPRK press do the same with their own letters
(Hamgyŏng-bukto, Ryanggang-do). A document may also drop the unit word (Ryanggang) or run it on
(Ryanggangdo), so variants() gives those forms too.
"""

from __future__ import annotations

from kirok.korean.hangul import is_syllable, nfc
from kirok.korean.keys import without_suffix
from kirok.korean.orthography import fold
from kirok.korean.romanization import SYSTEMS, capitalize, plain, pronounce, render, romanize


def romanize_place(name: str, system: str, *, diacritics: bool | None = None) -> str:
    """A Hangul place name in one system, capitalized, the unit word after a hyphen:
    함경북도 → Hamgyeongbuk-do (RR), Hamgyŏng-bukto (MR), 량강도 → Ryanggang-do (DPRK)."""
    name = nfc(name).strip()
    stem = without_suffix(name)
    keep = (system == "mr") if diacritics is None else diacritics
    if stem is None or not all(is_syllable(ch) for ch in stem.replace(" ", "")):
        text = capitalize(romanize(name, system, diacritics=True))
    else:
        suffix = name[len(stem):].strip()
        if system != "rr" and suffix == "도" and stem[-1:] in ("남", "북"):
            stem, suffix = stem[:-1], stem[-1] + suffix  # MR and DPRK: Hamgyŏng-bukto, P'yŏngan-namdo
        head = pronounce(stem.replace(" ", ""))
        tail = pronounce(suffix)
        # Voicing goes on across the hyphen (MR Kangwŏn-do, Hamgyŏngbuk-to); sound changes do not.
        text = capitalize("".join(render(head, system))) + "-" + "".join(render(tail, system, previous=head[-1][2]))
    return text if keep else plain(text)


def place_variants(name: str) -> set[str]:
    """Spellings of a Hangul place name: DPRK and ROK Hangul, with and without the unit word; each
    system with the unit hyphenated, run on and left out; MR with and without diacritics."""
    name = nfc(name).strip()
    if not name:
        return set()
    hangul = {name, fold(name)}
    stems = {s for h in hangul if (s := without_suffix(h))}
    out = hangul | stems
    for form in hangul | stems:
        for system in SYSTEMS:
            for keep in {True, False} if system == "mr" else {False}:
                text = romanize_place(form, system, diacritics=keep)
                out |= {text, text.replace("-", "")}
    return out
