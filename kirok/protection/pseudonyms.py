"""Keyed pseudonyms for persons: short, readable, stable across exports, linkable by recipients.

``P-7K3Q-9XPA-2MFD`` is HMAC-SHA-256 under the pseudonym key over the person's Kirok id, cut to
60 bits and written in Crockford's base 32 (no I, L, O or U to misread). The same person has the
same pseudonym in every export of this workspace, so a prosecutor or a UN team can put together
what several exports say about one witness or victim without ever learning a name; without the
key, which never leaves the workspace, a pseudonym leads to no record. 60 bits keep the chance
that two of a million persons share one below one in a million.
"""

from __future__ import annotations

import hmac

from .keys import Keyring, keyring

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "P"


def pseudonym(uid: str, ring: Keyring | None = None) -> str:
    mac = hmac.digest((ring or keyring()).secret("pseudonym"), f"person:{uid}".encode(), "sha256")
    n = int.from_bytes(mac[:8], "big") >> 4
    chars = "".join(ALPHABET[(n >> shift) & 31] for shift in range(55, -1, -5))
    return f"{PREFIX}-{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"


def is_pseudonym(text: str) -> bool:
    parts = text.split("-")
    return len(parts) == 4 and parts[0] == PREFIX and all(len(p) == 4 and set(p) <= set(ALPHABET) for p in parts[1:])
