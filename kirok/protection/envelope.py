"""One protected value, sealed: AES-GCM under a data key, bound to where it lives, committed to.

An envelope is ``{"commit": hex, "kid": data key id, "ct": base64(nonce ‖ ciphertext)}``. The
plaintext inside is ``salt ‖ JSON(value)`` with 16 random bytes of salt, and
``commit = SHA-256(salt ‖ JSON(value))``. The associated data names the table, the column and
the record's Kirok id (``aad``), so a ciphertext moved to another row or field fails to open.

Why a commitment beside the ciphertext: the history's digests cover the commitment, not the
ciphertext (``kirok.records.exchange.commitments_only``). Re-encryption keeps the salt and so the
commitment; a purge deletes ciphertext and with it the salt, after which the commitment still
proves what the digest covered but no one can test a guessed name against it.
"""

from __future__ import annotations

import hashlib
import os
from binascii import a2b_base64, b2a_base64
from hashlib import sha256

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kirok.records.exchange import SEALED

from .keys import Keyring, keyring

SALT = 16
NONCE = 12
ROW_COLUMN = "*"  # the column an owned row's one envelope is bound to: all its protected fields


class Unopenable(ValueError):
    """A ciphertext that does not open where it is: moved, altered, or sealed with another key."""


class Destroyed(LookupError):
    """The value was purged: only its commitment is left."""


def aad(table: str, column: str, uid: str) -> bytes:
    """What binds a ciphertext to its place: table, column (or JSON path) and the record's id."""
    return f"kirok1|{table}|{column}|{uid}".encode()


def seal_with(kid: str, cipher: AESGCM, value, where: bytes) -> dict:
    random = os.urandom(SALT + NONCE)
    nonce = random[SALT:]
    plain = random[:SALT] + orjson.dumps(value)
    return {
        "commit": hashlib.sha256(plain).hexdigest(),
        "kid": kid,
        "ct": b2a_base64(nonce + cipher.encrypt(nonce, plain, where), newline=False).decode(),
    }


def seal(value, where: bytes, ring: Keyring | None = None) -> dict:
    kid, cipher = (ring or keyring()).current()
    return seal_with(kid, cipher, value, where)


def _plain(envelope: dict, where: bytes, ring: Keyring) -> bytes:
    ct = envelope.get("ct")
    if not ct:
        raise Destroyed(envelope.get("commit", ""))
    raw = a2b_base64(ct)
    try:
        plain = ring.aead(envelope["kid"]).decrypt(raw[:NONCE], raw[NONCE:], where)
    except InvalidTag:
        raise Unopenable("a protected value does not open at this place (moved, altered or sealed elsewhere)") from None
    if sha256(plain).hexdigest() != envelope.get("commit"):
        raise Unopenable("a protected value does not match its commitment")
    return plain


def open_value(envelope: dict, where: bytes, ring: Keyring | None = None):
    """The plaintext value; raises Destroyed (purged) or Unopenable."""
    return orjson.loads(_plain(envelope, where, ring or keyring())[SALT:])


def reseal(envelope: dict, where: bytes, ring: Keyring | None = None) -> dict:
    """The same value and salt (so the same commitment) under the current data key."""
    ring = ring or keyring()
    plain = _plain(envelope, where, ring)
    kid, cipher = ring.current()
    nonce = os.urandom(NONCE)
    return {**envelope, "kid": kid, "ct": b2a_base64(nonce + cipher.encrypt(nonce, plain, where), newline=False).decode()}


def destroyed(envelope: dict) -> dict:
    """What a purge leaves: the commitment (and, for an owned row, which fields it sealed)."""
    return {k: envelope[k] for k in ("commit", "names") if k in envelope}


def wrapped(envelope: dict) -> dict:
    """The form a sealed value takes in a record's exchange dict."""
    return {SEALED: envelope}
