"""Checkpoint signing keys on disk: one PEM file per Ed25519 key in the workspace's key folder.

The private key never enters the database: a database backup alone cannot forge checkpoints.
Files are written once (O_EXCL) with mode 0600 in a 0700 folder.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.utils.translation import gettext as _


class KeyFileMissing(RuntimeError):
    """The key that should sign is not on this machine."""


def key_id(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()[:16]


def path_for(kid: str) -> Path:
    return settings.WORKSPACE.keys / f"ledger-{kid}.pem"


def public_bytes(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def generate() -> tuple[str, Ed25519PrivateKey]:
    """A new key, saved to its file before anything refers to it."""
    private = Ed25519PrivateKey.generate()
    kid = key_id(public_bytes(private))
    folder = settings.WORKSPACE.keys
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(path_for(kid), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return kid, private


def load(kid: str) -> Ed25519PrivateKey:
    path = path_for(kid)
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise KeyFileMissing(
            _("the ledger signing key %(kid)s is not in %(path)s: restore that file from the workspace backup, "
              "or start a new key with `kirok ledger rotate-key --reason …` (old checkpoints keep verifying)")
            % {"kid": kid, "path": path}
        ) from None
    if not isinstance(private, Ed25519PrivateKey) or key_id(public_bytes(private)) != kid:
        raise KeyFileMissing(_("%(path)s does not hold the Ed25519 key %(kid)s") % {"path": path, "kid": kid})
    return private
