"""The workspace's protection keys: envelope encryption and two keyed hashes, kept as files.

Layout of ``<KIROK_HOME>/keys/protection/`` (folder 0700, files 0600):

    kek-<id>.key        a key-encryption key (KEK): 32 random bytes, base64
    dk-<id>.json        a data key (DEK), wrapped by a KEK (RFC 3394 AES key wrap), with the KEK's id
    current.json        which KEK wraps new data keys and which DEK seals new values
    blind-index.key     HMAC key of the blind index (search and linkage over protected names)
    pseudonym.key       HMAC key of the pseudonyms

Every ciphertext names its data key (``kid``), so a new data key can take over while values
sealed under the old one are still read, and rotation re-encrypts them in batches
(``kirok keys rotate``). A new KEK re-wraps the data keys without touching any ciphertext. The
two HMAC keys are separate from the data keys and from each other: a leaked blind index or a
recipient's pseudonyms reveal nothing about the ciphertexts, and neither key can decrypt.

One file per key, created with O_EXCL, means two processes that start at once cannot overwrite
each other's keys: at worst both make a data key, and both keys stay readable.

A process without a workspace folder (tests, a checkout) gets keys held in memory, with a
warning; if the folder appears later in the same process, the keys are written into it (or, if
it has keys already, kept beside them), so nothing sealed meanwhile becomes unreadable. Commands
that write to a workspace require the folder (``require_workspace``).
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

KEY_BYTES = 32
SECRETS = ("blind-index", "pseudonym")


class KeyringError(RuntimeError):
    """A key is missing or unreadable; the message names the file and what to do."""


@dataclass(frozen=True)
class DataKey:
    kid: str
    kek: str
    wrapped: bytes
    created: str


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    _write_new(tmp, data)
    os.replace(tmp, path)


class Keyring:
    """The keys of one workspace, kept in ``folder`` (``persistent``) or, until it exists, in memory."""

    def __init__(self, folder: Path, persistent: bool = True):
        self.folder = folder
        self.persistent = persistent
        self._lock = threading.RLock()
        self._keks: dict[str, bytes] = {}
        self._deks: dict[str, DataKey] = {}
        self._aead: dict[str, AESGCM] = {}
        self._secrets: dict[str, bytes] = {}
        self._current: dict[str, str] = {}
        if persistent:
            self._read()

    # --- files ---------------------------------------------------------------------------

    def _read(self) -> None:
        folder = self.folder
        if not folder.is_dir():
            return
        for path in folder.glob("kek-*.key"):
            self._keks[path.stem] = self._read_key(path)
        for path in folder.glob("dk-*.json"):
            doc = orjson.loads(path.read_bytes())
            self._deks[doc["kid"]] = DataKey(doc["kid"], doc["kek"], base64.b64decode(doc["wrapped"]), doc["created"])
        for name in SECRETS:
            path = folder / f"{name}.key"
            if path.exists():
                self._secrets[name] = self._read_key(path)
        current = folder / "current.json"
        if current.exists():
            self._current = orjson.loads(current.read_bytes())

    @staticmethod
    def _read_key(path: Path) -> bytes:
        try:
            key = base64.b64decode(path.read_text().strip(), validate=True)
        except (OSError, ValueError) as exc:
            raise KeyringError(
                _("%(path)s: unreadable key (%(error)s); restore it from the key backup") % {"path": path, "error": exc.__class__.__name__}
            ) from None
        if len(key) != KEY_BYTES:
            raise KeyringError(
                _("%(path)s: a key is %(size)s bytes, this one is %(found)s; restore it from the key backup")
                % {"path": path, "size": KEY_BYTES, "found": len(key)}
            )
        return key

    def adopt(self) -> None:
        """The workspace folder now exists: keep the keys there from now on."""
        with self._lock:
            self.persistent = True
            if (self.folder / "current.json").exists():
                self._read()  # its keys seal from now on; ours still open what they sealed
                return
            for kek_id, key in self._keks.items():
                self._store(f"{kek_id}.key", _b64(key).encode())
            for dek in self._deks.values():
                self._write_dek(dek)
            for name, key in self._secrets.items():
                self._store(f"{name}.key", _b64(key).encode())
            if self._current:
                self._set_current()

    def _store(self, name: str, data: bytes, *, replace: bool = False) -> None:
        if not self.persistent:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        (_replace if replace else _write_new)(self.folder / name, data)

    def _delete(self, name: str) -> None:
        if self.persistent:
            (self.folder / name).unlink(missing_ok=True)

    # --- creation --------------------------------------------------------------------------

    def ensure(self) -> None:
        """Make whatever keys are missing: a KEK, a data key, the two HMAC keys."""
        with self._lock:
            if not self._current.get("kek") or self._current["kek"] not in self._keks:
                self._new_kek()
            if not self._current.get("dek") or self._current["dek"] not in self._deks:
                self._new_dek()
            for name in SECRETS:
                if name not in self._secrets:
                    self._new_secret(name)

    def _new_kek(self) -> str:
        kek_id, key = _new_id("kek"), secrets.token_bytes(KEY_BYTES)
        self._store(f"{kek_id}.key", _b64(key).encode())
        self._keks[kek_id] = key
        self._set_current(kek=kek_id)
        return kek_id

    def _new_dek(self) -> str:
        kek_id = self._current["kek"]
        kid, key = _new_id("dk"), secrets.token_bytes(KEY_BYTES)
        dek = DataKey(kid, kek_id, aes_key_wrap(self._keks[kek_id], key), datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self._write_dek(dek)
        self._deks[kid] = dek
        self._aead[kid] = AESGCM(key)
        self._set_current(dek=kid)
        return kid

    def _write_dek(self, dek: DataKey, replace: bool = False) -> None:
        doc = {"kid": dek.kid, "kek": dek.kek, "wrapped": _b64(dek.wrapped), "created": dek.created}
        self._store(f"{dek.kid}.json", orjson.dumps(doc, option=orjson.OPT_INDENT_2), replace=replace)

    def _new_secret(self, name: str) -> None:
        key = secrets.token_bytes(KEY_BYTES)
        try:
            self._store(f"{name}.key", _b64(key).encode())
        except FileExistsError:  # another process made it first: use theirs
            key = self._read_key(self.folder / f"{name}.key")
        self._secrets[name] = key

    def _set_current(self, **changes: str) -> None:
        self._current = {**self._current, **changes}
        self._store("current.json", orjson.dumps(self._current), replace=True)

    # --- use -------------------------------------------------------------------------------

    def current(self) -> tuple[str, AESGCM]:
        """The data key that seals new values: (its id, its cipher)."""
        with self._lock:
            kid = self._current.get("dek")
            if kid is None or kid not in self._deks:
                self.ensure()
                kid = self._current["dek"]
            return kid, self.aead(kid)

    def aead(self, kid: str) -> AESGCM:
        cipher = self._aead.get(kid)
        if cipher is not None:
            return cipher
        with self._lock:
            if kid not in self._deks and self.persistent:
                self._read()  # made by another process (a rotation, a second importer)
            dek = self._deks.get(kid)
            if dek is None:
                where = self.folder if self.persistent else "memory (no workspace folder)"
                raise KeyringError(_("data key %(kid)s is not in %(where)s; restore the key folder from its backup") % {"kid": kid, "where": where})
            kek = self._keks.get(dek.kek)
            if kek is None:
                raise KeyringError(
                    _("data key %(kid)s is wrapped by %(kek)s, which is not in %(folder)s; restore it from the key backup")
                    % {"kid": kid, "kek": dek.kek, "folder": self.folder}
                )
            try:
                cipher = AESGCM(aes_key_unwrap(kek, dek.wrapped))
            except InvalidUnwrap:
                raise KeyringError(
                    _("data key %(kid)s does not unwrap with %(kek)s: the key files do not belong together") % {"kid": kid, "kek": dek.kek}
                ) from None
            self._aead[kid] = cipher
            return cipher

    def secret(self, name: str) -> bytes:
        key = self._secrets.get(name)
        if key is None:
            with self._lock:
                if self.persistent:
                    self._read()
                if name not in self._secrets:
                    self._new_secret(name)
                key = self._secrets[name]
        return key

    # --- rotation --------------------------------------------------------------------------

    def data_keys(self) -> list[DataKey]:
        return sorted(self._deks.values(), key=lambda d: d.created)

    @property
    def current_ids(self) -> dict[str, str]:
        return dict(self._current)

    def new_data_key(self) -> str:
        """A fresh data key seals every value from now on; the old ones still open theirs."""
        with self._lock:
            self.ensure()
            return self._new_dek()

    def retire_data_key(self, kid: str) -> None:
        """Destroy a data key once nothing is sealed under it (``kirok keys rotate`` checks)."""
        with self._lock:
            if kid == self._current.get("dek"):
                raise KeyringError(_("%(kid)s is the data key in use; make a new one first") % {"kid": kid})
            self._deks.pop(kid, None)
            self._aead.pop(kid, None)
            self._delete(f"{kid}.json")

    def rotate_kek(self) -> str:
        """A fresh KEK re-wraps every data key; the old KEK files are destroyed."""
        with self._lock:
            self.ensure()
            for dek in list(self._deks.values()):
                self.aead(dek.kid)  # fails loudly before anything is rewritten
            old = dict(self._keks)
            kek_id = self._new_kek()
            for dek in list(self._deks.values()):
                key = aes_key_unwrap(old[dek.kek], dek.wrapped)
                rewrapped = DataKey(dek.kid, kek_id, aes_key_wrap(self._keks[kek_id], key), dek.created)
                self._write_dek(rewrapped, replace=True)
                self._deks[dek.kid] = rewrapped
            for old_id in old:
                self._keks.pop(old_id, None)
                self._delete(f"{old_id}.key")
            return kek_id


_rings: dict[Path, Keyring] = {}
_rings_lock = threading.Lock()


def keys_folder() -> Path | None:
    """``<KIROK_HOME>/keys/protection``, or None when there is no workspace folder."""
    workspace = settings.WORKSPACE
    return workspace.keys / "protection" if workspace.home.exists() else None


def keyring() -> Keyring:
    """The keyring of this process's workspace."""
    workspace = settings.WORKSPACE
    folder = workspace.keys / "protection"
    ring = _rings.get(folder)
    if ring is None:
        with _rings_lock:
            ring = _rings.get(folder)
            if ring is None:
                persistent = workspace.home.exists()
                if not persistent:
                    logger.warning(
                        "no workspace folder at %s: protected values are sealed with keys held in memory until the "
                        "folder exists; run `kirok init` to make a workspace", workspace.home,
                    )
                ring = _rings[folder] = Keyring(folder, persistent)
    elif not ring.persistent and workspace.home.exists():
        ring.adopt()
    return ring


def _throwaway_database() -> bool:
    """An in-memory or test database (Django names those test_…): keys in memory lose nothing."""
    from django.db import connection

    name = str(connection.settings_dict.get("NAME") or "")
    return name.startswith("test_") or name == ":memory:" or "mode=memory" in name


def require_workspace() -> None:
    """Commands that write protected values refuse to run without the workspace's key folder
    (unless the database itself is a throwaway one): keys that end with the process would take
    every value they sealed with them."""
    if keys_folder() is None and not _throwaway_database():
        raise KeyringError(
            _("no workspace at %(home)s: protected values need the workspace's keys; run `kirok init` (or set KIROK_HOME to the workspace)")
            % {"home": settings.WORKSPACE.home}
        )
