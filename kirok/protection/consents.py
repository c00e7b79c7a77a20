"""A consent entry as the ledger commits to it.

Consent entries are appended, never edited (``kirok.records.models.Consent``), so each one is
logged once, when it is saved, as ``consent:<id>`` with the SHA-256 of this canonical form. A
sealed field (a steward may protect a consent's note) enters only as its commitment: a purge,
which removes the ciphertext, leaves the digest unchanged and ``kirok ledger verify`` passing.
"""

from __future__ import annotations

import hashlib

from kirok.records.exchange import canonical_json

from .envelope import destroyed


def canonical(consent) -> dict:
    return {
        "source": str(consent.source.uid),
        "scopes": list(consent.scopes or []),
        "given_on": consent.given_on.isoformat() if consent.given_on else None,
        "obtained_by": consent.obtained_by,
        "method": consent.method,
        "withdrawn": consent.withdrawn,
        "note": consent.note,
        "sealed": {name: destroyed(envelope) for name, envelope in sorted((consent.sealed or {}).items())},
    }


def digest(consent) -> str:
    return hashlib.sha256(canonical_json(canonical(consent))).hexdigest()
