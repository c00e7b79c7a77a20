"""Text as Kirok stores it: Unicode NFC, no stray whitespace.

Korean arrives in every normalization form (NFD from macOS file names and some keyboards,
NFC elsewhere); the same name in two forms would never match, so everything is stored NFC.
"""

from __future__ import annotations

import unicodedata

from kirok.types.errors import FieldError

NUL_MESSAGE = "contains the NUL character (U+0000), which no database can store; remove it"


def clean(value: str | None) -> str:
    """NFC, trimmed, internal runs of spaces kept as typed (transcripts keep their layout)."""
    if value is None:
        return ""
    text = str(value)
    if "\x00" in text:
        raise FieldError(NUL_MESSAGE)
    return unicodedata.normalize("NFC", text).strip()


def clean_line(value: str | None) -> str:
    """NFC and single-spaced: for names, titles and codes that live on one line."""
    text = clean(value)
    if "  " in text or "\n" in text or "\t" in text or "\r" in text:
        return " ".join(text.split())
    return text


def has_hangul(value: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f" for ch in value)


def script_of(value: str) -> str:
    """ISO 15924 code of the script a name is written in: Hang, Hani or Latn (or Zyyy when unclear)."""
    if has_hangul(value):
        return "Hang"
    if any("\u4e00" <= ch <= "\u9fff" for ch in value):
        return "Hani"
    if any(ch.isalpha() for ch in value):
        return "Latn"
    return "Zyyy"
