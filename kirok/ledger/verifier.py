"""Kirok's published verifier: check Kirok's ledger proofs and checkpoints without Kirok.

This file stands alone. It needs Python 3.11+ and the ``cryptography`` package, nothing else of
Kirok, so a recipient can copy it and run::

    python verifier.py proof PROOF.json [--key VKEY]        # an entry (or a version) is in the log
    python verifier.py checkpoint NOTE.txt --key VKEY       # a signed tree head is genuine
    python verifier.py bundle DIR [--key VKEY]              # a bundle from `kirok bundle export`

Kirok itself imports the hashing, encoding and verification below from here, so what an outsider
runs is exactly what Kirok checks. Sections, in order (new formats get their own section before
"Command line"):

1. Merkle tree hashing (RFC 6962 §2.1 / RFC 9162 §2.1): leaf and node hashes, the tree head.
2. Proof verification: inclusion (RFC 9162 §2.1.3.2) and consistency (§2.1.4.2).
3. Ledger entries: the canonical leaf encoding of one entry.
4. Checkpoints: the signed tree head, a C2SP signed note with an Ed25519 signature.
5. Proof files: the JSON that ``kirok ledger proof`` prints.
6. Canonical JSON: the bytes Kirok's digests of record versions and custody events are taken over.
7. BagIt bags (RFC 8493): declaration, payload and tag manifests, Payload-Oxum.
8. Bundles: the evidence, record versions and ledger proofs inside a bag from ``kirok bundle export``.
9. Command line.

Every check of sections 1-5 raises ``VerificationError`` with a message that says what failed and
where. A bag is checked through (sections 7-8): every failure is collected, naming its file.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class VerificationError(Exception):
    """A proof, checkpoint or file does not check out; the message says what and where."""


# --- 1. Merkle tree hashing --------------------------------------------------------------------

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the 0x00 prefix keeps a leaf from passing for an interior node."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return _sha256(b"\x01" + left + right).digest()


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH of the leaves, streamed: the RFC's split at the largest power of two below n is the
    same tree as pairing bottom-up and carrying an odd last node up, so a stack of at most
    log2(n) complete subtrees is all the memory this needs."""
    stack: list[bytes] = []
    count = 0
    for h in leaf_hashes:
        n = count
        while n & 1:
            h = node_hash(stack.pop(), h)
            n >>= 1
        stack.append(h)
        count += 1
    return fold_right(stack) if stack else EMPTY_ROOT


def fold_right(subtrees: Sequence[bytes]) -> bytes:
    """The head of a tree given its complete subtrees from left (largest) to right (smallest)."""
    h = subtrees[-1]
    for left in reversed(subtrees[:-1]):
        h = node_hash(left, h)
    return h


def root_of_digests(hex_digests: Iterable[str]) -> str:
    """The tree head over SHA-256 digests given in hex, each digest's 32 bytes one leaf.

    How a "changeset" entry commits to its versions: the leaves are the versions' digests in
    version-id order."""
    return root_of(leaf_hash(bytes.fromhex(d)) for d in hex_digests).hex()


# --- 2. Proof verification ---------------------------------------------------------------------


def _check_hash(h: bytes, what: str) -> None:
    if len(h) != HASH_SIZE:
        raise VerificationError(f"{what} is {len(h)} bytes long, a SHA-256 hash is {HASH_SIZE}")


def root_from_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes:
    """The tree head that ``path`` proves ``leaf`` (a leaf hash) to be under, at ``index`` of
    ``size`` leaves (RFC 9162 §2.1.3.2). Raises when the path cannot belong to that position."""
    if index < 0 or index >= size:
        raise VerificationError(f"leaf index {index} is outside a tree of {size} leaves")
    _check_hash(leaf, "the leaf hash")
    fn, sn, r = index, size - 1, leaf
    for i, p in enumerate(path):
        _check_hash(p, f"inclusion path element {i}")
        if sn == 0:
            raise VerificationError(f"the inclusion path is too long: element {i} and after are left over")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError(f"the inclusion path is too short for leaf {index} of {size}")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes) -> None:
    got = root_from_inclusion(index, size, leaf, path)
    if got != root:
        raise VerificationError(
            f"the inclusion path for leaf {index} of {size} leads to root {got.hex()}, not the expected {root.hex()}"
        )


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]) -> None:
    """That the tree of ``new_size`` leaves extends the one of ``old_size`` (RFC 9162 §2.1.4.2):
    nothing logged before was changed or removed."""
    if old_size < 0 or old_size > new_size:
        raise VerificationError(f"a tree of {new_size} leaves cannot extend one of {old_size}")
    if old_size == new_size:
        if path:
            raise VerificationError("trees of the same size need an empty consistency path")
        if old_root != new_root:
            raise VerificationError(f"two different roots for the same size {old_size}: {old_root.hex()} and {new_root.hex()}")
        return
    if old_size == 0:
        if path:
            raise VerificationError("the empty tree needs an empty consistency path")
        return
    if not path:
        raise VerificationError(f"an empty consistency path cannot prove {old_size} → {new_size}")
    for i, p in enumerate(path):
        _check_hash(p, f"consistency path element {i}")
    path = list(path)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is itself a node of the new tree
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for i, c in enumerate(path[1:], 1):
        if sn == 0:
            raise VerificationError(f"the consistency path is too long: element {i} and after are left over")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError(f"the consistency path is too short for {old_size} → {new_size}")
    if fr != old_root:
        raise VerificationError(f"the consistency path leads to old root {fr.hex()}, not {old_root.hex()}")
    if sr != new_root:
        raise VerificationError(f"the consistency path leads to new root {sr.hex()}, not {new_root.hex()}")


# --- 3. Ledger entries -------------------------------------------------------------------------

ENTRY_HEADER = "kirok-ledger-entry/1"
_KIND = re.compile(r"[a-z][a-z0-9-]{0,15}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def format_time(moment: datetime) -> str:
    """UTC, always with microseconds: one text per instant, so the leaf bytes are canonical."""
    if moment.tzinfo is None:
        raise ValueError("a ledger time must be timezone-aware")
    if moment.utcoffset():
        moment = moment.astimezone(timezone.utc)
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def check_entry_fields(kind: str, subject: str, digest: str, time: str = "2000-01-01T00:00:00.000000Z") -> None:
    """Refuse what could make two different entries encode to the same bytes (ValueError)."""
    if not _KIND.fullmatch(kind):
        raise ValueError(f"entry kind {kind!r} must be 1-16 of a-z, 0-9 and '-', starting with a letter")
    if not subject or len(subject) > 200 or any(ord(c) < 32 or ord(c) == 127 for c in subject):
        raise ValueError(f"entry subject {subject!r} must be 1-200 characters without control characters")
    if not _HEX64.fullmatch(digest):
        raise ValueError(f"entry digest {digest!r} must be 64 lowercase hexadecimal digits (SHA-256)")
    if not _TIME.fullmatch(time):
        raise ValueError(f"entry time {time!r} must look like 2025-01-31T23:59:59.000000Z")


def encode_entry(index: int, kind: str, subject: str, digest: str, time: str) -> bytes:
    """The leaf data of one ledger entry: six lines of UTF-8, each ending in LF::

        kirok-ledger-entry/1
        index 41
        kind changeset
        subject changeset:17
        digest 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
        time 2025-03-01T09:30:00.000000Z

    Its leaf hash is SHA-256(0x00 || these bytes). The index binds an entry to its place.
    """
    return f"{ENTRY_HEADER}\nindex {index}\nkind {kind}\nsubject {subject}\ndigest {digest}\ntime {time}\n".encode()


def entry_leaf_hash(index: int, kind: str, subject: str, digest: str, time: str) -> bytes:
    return leaf_hash(encode_entry(index, kind, subject, digest, time))


def key_digest(vkey_text: str, created: str) -> str:
    """The digest of a "key" entry (subject ``key:<key id>``): the log commits to each signing
    key it will use, so a checkpoint signed by a key the log never announced stands out."""
    return _sha256(f"kirok-ledger-key/1\nvkey {vkey_text}\ncreated {created}\n".encode()).hexdigest()


# --- 4. Checkpoints ----------------------------------------------------------------------------
# A checkpoint is a C2SP "tlog-checkpoint" signed note (as used by Go's sumdb and Sigstore):
#
#     <origin>\n<tree size>\n<base64 root>\ntime <UTC time>\n\n— <key name> <base64(key hash ‖ signature)>\n
#
# The signature is Ed25519 over the body (every line before the blank line, with its LF). The key
# hash is the first 4 bytes of SHA-256(key name ‖ LF ‖ 0x01 ‖ public key). A verifier key is
# written "<key name>+<key hash hex>+<base64(0x01 ‖ public key)>" ("vkey").

_ED25519 = b"\x01"
_DASH = "\u2014 "


def key_hash(name: str, public_key: bytes) -> bytes:
    return _sha256(name.encode() + b"\n" + _ED25519 + public_key).digest()[:4]


def vkey(name: str, public_key: bytes) -> str:
    return f"{name}+{key_hash(name, public_key).hex()}+{base64.b64encode(_ED25519 + public_key).decode()}"


def parse_vkey(text: str) -> tuple[str, bytes]:
    """(key name, 32-byte Ed25519 public key) from a vkey; its embedded key hash must agree."""
    try:
        name, hash_hex, key_b64 = text.strip().split("+", 2)
        raw = base64.b64decode(key_b64, validate=True)
    except (ValueError, binascii.Error):
        raise VerificationError(f"{text!r} is not a verifier key (NAME+HASH+BASE64)") from None
    if base64.b64encode(raw).decode() != key_b64:
        raise VerificationError(f"verifier key {name!r} is not canonical base64")
    if raw[:1] != _ED25519 or len(raw) != 33:
        raise VerificationError(f"verifier key {name!r} is not an Ed25519 key")
    if key_hash(name, raw[1:]).hex() != hash_hex:
        raise VerificationError(f"verifier key {name!r}: its key hash {hash_hex} does not match its key")
    return name, raw[1:]


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    time: str

    def body(self) -> bytes:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\ntime {self.time}\n".encode()

    def note(self, key_name: str, public_key: bytes, signature: bytes) -> str:
        sig = base64.b64encode(key_hash(key_name, public_key) + signature).decode()
        return f"{self.body().decode()}\n{_DASH}{key_name} {sig}\n"


def sign_checkpoint(checkpoint: Checkpoint, private_key: Ed25519PrivateKey) -> bytes:
    return private_key.sign(checkpoint.body())


def parse_checkpoint(note: str) -> tuple[Checkpoint, list[tuple[str, bytes, bytes]]]:
    """The checkpoint and its signatures (key name, key hash, signature) from a note's text."""
    if not note.endswith("\n"):
        raise VerificationError("a checkpoint ends with a newline; this one is cut short")
    body, sep, sigs = note.partition("\n\n")
    lines = body.split("\n")
    if not sep or len(lines) < 4:
        raise VerificationError("not a checkpoint: expected origin, size, root and time lines, a blank line, signatures")
    origin, size_text, root_b64, time_line = lines[:4]
    if not size_text.isdigit():
        raise VerificationError(f"checkpoint size {size_text!r} is not a number")
    try:
        root = base64.b64decode(root_b64, validate=True)
    except binascii.Error:
        raise VerificationError(f"checkpoint root {root_b64!r} is not base64") from None
    _check_hash(root, "the checkpoint root")
    if not time_line.startswith("time ") or not _TIME.fullmatch(time_line[5:]):
        raise VerificationError(f"checkpoint line 4 {time_line!r} should be 'time <UTC time>'")
    checkpoint = Checkpoint(origin, int(size_text), root, time_line[5:])
    if checkpoint.body().decode() != body + "\n":
        raise VerificationError("checkpoint has extra or non-canonical lines in its body")
    signatures = []
    for line in sigs.splitlines():
        if not line.startswith(_DASH):
            raise VerificationError(f"checkpoint signature line {line!r} does not start with '— '")
        name, _, b64 = line[len(_DASH):].rpartition(" ")
        try:
            raw = base64.b64decode(b64, validate=True)
        except binascii.Error:
            raw = b""
        if base64.b64encode(raw).decode() != b64:
            raise VerificationError(f"checkpoint signature by {name!r} is not canonical base64")
        if len(raw) != 4 + 64:
            raise VerificationError(f"checkpoint signature by {name!r} is not an Ed25519 signature")
        signatures.append((name, raw[:4], raw[4:]))
    if not signatures:
        raise VerificationError("the checkpoint is not signed")
    return checkpoint, signatures


def verify_signature(checkpoint: Checkpoint, public_key: bytes, signature: bytes, key_name: str = "") -> None:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, checkpoint.body())
    except InvalidSignature:
        raise VerificationError(
            f"the signature on the checkpoint of size {checkpoint.size} does not verify with key {key_name or public_key.hex()}"
        ) from None


def verify_checkpoint(note: str, vkeys: Sequence[str]) -> Checkpoint:
    """The checkpoint in ``note``, if at least one of its signatures is by one of ``vkeys``."""
    checkpoint, signatures = parse_checkpoint(note)
    keys = {}
    for text in vkeys:
        name, public = parse_vkey(text)
        keys[(name, key_hash(name, public))] = public
    for name, khash, signature in signatures:
        if (name, khash) in keys:
            verify_signature(checkpoint, keys[(name, khash)], signature, name)
            return checkpoint
    names = ", ".join(n for n, _, _ in signatures)
    raise VerificationError(f"the checkpoint is signed by {names}, none of the keys given")


# --- 5. Proof files ----------------------------------------------------------------------------
# {"format": "kirok-ledger-proof/1", "type": "inclusion", "origin": …, "tree_size": M,
#  "root": hex, "entry": {index, kind, subject, digest, time}, "path": [hex…],
#  "version": {"id", "digest", "position", "count", "path": [hex…]}   (optional)
#  "checkpoint": signed note or null, "keys": [vkey…]}
# {"format": "kirok-ledger-proof/1", "type": "consistency", "origin": …, "old": {"size", "root",
#  "checkpoint"}, "new": {…}, "path": [hex…], "keys": [vkey…]}

PROOF_FORMAT = "kirok-ledger-proof/1"


def _hexes(values, where: str) -> list[bytes]:
    try:
        return [bytes.fromhex(v) for v in values]
    except (TypeError, ValueError):
        raise VerificationError(f"{where} must be a list of hexadecimal hashes") from None


def _signed_root(doc: dict, size: int, root: bytes, vkeys: Sequence[str], where: str) -> str:
    """Check that a signed checkpoint vouches for (size, root); say how far the root is trusted."""
    note = doc.get("checkpoint")
    if not note:
        return f"{where}: root {root.hex()} of size {size} is NOT signed: compare it with a checkpoint you hold"
    checkpoint = verify_checkpoint(note, vkeys)
    if (checkpoint.size, checkpoint.root, checkpoint.origin) != (size, root, doc.get("origin", checkpoint.origin)):
        raise VerificationError(f"{where}: the checkpoint is for size {checkpoint.size} root {checkpoint.root.hex()}, "
                                f"not size {size} root {root.hex()}")
    return f"{where}: signed checkpoint of {checkpoint.origin}, size {size}, at {checkpoint.time}"


def verify_proof_document(doc: dict, vkeys: Sequence[str] | None = None) -> list[str]:
    """Check a proof file; returns what it proved, line by line. With no ``vkeys`` the keys in
    the file are used, and the result says so: then the key ids must be compared with the
    ones the log publishes."""
    if doc.get("format") != PROOF_FORMAT:
        raise VerificationError(f"not a Kirok ledger proof (format {doc.get('format')!r}, expected {PROOF_FORMAT!r})")
    said = []
    if not vkeys:
        vkeys = doc.get("keys") or []
        said.append("keys taken from the file itself: " + ", ".join(k.split("+")[0] for k in vkeys)
                    + " (compare them with the keys the log publishes)")
    if doc.get("type") == "consistency":
        old, new = doc["old"], doc["new"]
        old_root, new_root = _hexes([old["root"], new["root"]], "the roots")
        verify_consistency(old["size"], new["size"], old_root, new_root, _hexes(doc["path"], "path"))
        said.append(_signed_root({**old, "origin": doc.get("origin")}, old["size"], old_root, vkeys, "old"))
        said.append(_signed_root({**new, "origin": doc.get("origin")}, new["size"], new_root, vkeys, "new"))
        said.append(f"consistent: the log of {new['size']} entries extends the log of {old['size']} unchanged")
        return said
    if doc.get("type") != "inclusion":
        raise VerificationError(f"unknown proof type {doc.get('type')!r}")
    entry = doc["entry"]
    check_entry_fields(entry["kind"], entry["subject"], entry["digest"], entry["time"])
    (root,) = _hexes([doc["root"]], "root")
    leaf = entry_leaf_hash(entry["index"], entry["kind"], entry["subject"], entry["digest"], entry["time"])
    verify_inclusion(entry["index"], doc["tree_size"], leaf, _hexes(doc["path"], "path"), root)
    said.append(_signed_root(doc, doc["tree_size"], root, vkeys, "root"))
    said.append(f"included: entry {entry['index']} ({entry['kind']} {entry['subject']}, digest {entry['digest']}, "
                f"{entry['time']}) is in the log of {doc['tree_size']} entries")
    version = doc.get("version")
    if version:
        leaf = leaf_hash(bytes.fromhex(version["digest"]))
        verify_inclusion(version["position"], version["count"], leaf, _hexes(version["path"], "version path"),
                         bytes.fromhex(entry["digest"]))
        said.append(f"included: version {version['id']} (digest {version['digest']}) is version "
                    f"{version['position'] + 1} of {version['count']} that entry {entry['index']} commits to")
    return said


# --- 6. Canonical JSON -------------------------------------------------------------------------
# Kirok hashes a record version (its snapshot, protected values cut down to their commitments) and
# a custody event as canonical JSON: keys sorted, no spaces, UTF-8, only the characters JSON must
# escape escaped — the bytes ``orjson.dumps(value, option=OPT_SORT_KEYS)`` gives, rebuilt here with
# the standard library. Floats follow orjson's shortest form ("1e-7", "0.00001").


def _float_text(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("NaN and infinity have no JSON form")
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    if not e:
        return text
    power = int(exponent)
    if power == -5:  # orjson writes this one decade out in full
        sign, digits = ("-", mantissa[1:]) if mantissa.startswith("-") else ("", mantissa)
        return f"{sign}0.0000{digits.replace('.', '')}"
    return f"{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"


def _canonical(value, out: list[str]) -> None:
    if value is None or value is True or value is False or isinstance(value, (str, int)) and not isinstance(value, float):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, float):
        out.append(_float_text(value))
    elif isinstance(value, dict):
        out.append("{")
        for i, key in enumerate(sorted(value)):
            if not isinstance(key, str):
                raise ValueError(f"JSON object keys are text, not {key!r}")
            out.append(("," if i else "") + json.dumps(key, ensure_ascii=False) + ":")
            _canonical(value[key], out)
        out.append("}")
    elif isinstance(value, list):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _canonical(item, out)
        out.append("]")
    else:
        raise ValueError(f"{type(value).__name__} has no JSON form")


def canonical_json(value) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes Kirok's digests are taken over."""
    out: list[str] = []
    _canonical(value, out)
    return "".join(out).encode("utf-8")


def json_digest(value) -> str:
    return _sha256(canonical_json(value)).hexdigest()


# --- 7. BagIt bags (RFC 8493) ------------------------------------------------------------------
# A bag is a folder with ``bagit.txt`` (the declaration), ``data/`` (the payload), one or more
# ``manifest-<algorithm>.txt`` (a checksum for every payload file), and optionally ``bag-info.txt``
# (with Payload-Oxum, "<octets>.<files>") and ``tagmanifest-<algorithm>.txt`` (checksums of the
# other tag files). Manifest lines are "<checksum> <path>", the path relative, with "/" and with
# CR, LF and "%" percent-encoded. Kirok's bags carry SHA-256 and SHA-512 manifests of both kinds,
# and this check requires both: two algorithms, so a weakness found in one does not open the bag.
# It is stricter than RFC 8493 where Kirok's own writing is fixed (lower-case hex, spaces, LF line
# ends): nothing covers the tag manifests themselves, so a change that keeps their meaning (a
# digit's case, a tab for a space, CR for LF) would otherwise pass unnoticed.

BAG_ALGORITHMS = ("sha256", "sha512")
_HEX = {"sha256": re.compile(r"[0-9a-f]{64}"), "sha512": re.compile(r"[0-9a-f]{128}")}
CHUNK = 1 << 20
_MANIFEST_LINE = re.compile(r"([0-9a-f]+) +([^ ].*)")  # what Kirok writes; RFC 8493 allows more (tabs, CRLF, upper case)


@dataclass
class BagReport:
    """Everything a bag check found: ``failures`` as (file, what), ``notes`` that are not failures."""

    root: Path
    failures: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    payload_files: int = 0
    payload_bytes: int = 0
    checked: dict[str, int] = field(default_factory=dict)  # what section 8 checked, by kind

    @property
    def ok(self) -> bool:
        return not self.failures

    def fail(self, path: str, what: str) -> None:
        self.failures.append((path, what))


def encode_bag_path(path: str) -> str:
    """A path as a manifest writes it: CR, LF and "%" percent-encoded (RFC 8493 §2.1.3)."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _decode_bag_path(text: str) -> str:
    return re.sub(r"%(0[dDaA]|25)", lambda m: {"0d": "\r", "0a": "\n", "25": "%"}[m.group(1).lower()], text)


def _safe(rel: str) -> bool:
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and "\\" not in rel and all(p not in ("", ".", "..") for p in parts)


def _read_text(report: BagReport, rel: str) -> str | None:
    try:
        raw = (report.root / rel).read_bytes()
    except FileNotFoundError:
        report.fail(rel, "missing")
        return None
    except OSError as exc:
        report.fail(rel, f"cannot be read: {exc.strerror}")
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        report.fail(rel, "starts with a byte-order mark, which BagIt forbids")
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.fail(rel, f"is not UTF-8 (byte {exc.start})")
        return None


def _tag_fields(text: str) -> list[tuple[str, str]]:
    """Label/value lines; a line that starts with white space continues the value before it."""
    fields: list[tuple[str, str]] = []
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and fields:
            fields[-1] = (fields[-1][0], fields[-1][1] + " " + line.strip())
        elif line.strip():
            label, colon, value = line.partition(":")
            fields.append((label.strip(), value.strip() if colon else "\0"))
    return fields


def _check_declaration(report: BagReport) -> None:
    text = _read_text(report, "bagit.txt")
    if text is None:
        return
    fields = dict(_tag_fields(text))
    if fields.get("BagIt-Version") not in ("0.97", "1.0"):
        report.fail("bagit.txt", f"BagIt-Version is {fields.get('BagIt-Version')!r}, expected 1.0")
    if fields.get("Tag-File-Character-Encoding", "").upper() != "UTF-8":
        report.fail("bagit.txt", "Tag-File-Character-Encoding must be UTF-8 (this verifier reads UTF-8 bags)")


def _parse_manifest(report: BagReport, rel: str, algorithm: str, payload: bool) -> dict[str, str]:
    """{path: checksum} of one manifest; every malformed, unsafe or repeated line is a failure."""
    text = _read_text(report, rel)
    listed: dict[str, str] = {}
    if text is None:
        return listed
    if text and not text.endswith("\n") or "\r" in text:
        report.fail(rel, "its lines do not all end in a line feed (Kirok writes LF only): it was cut short or changed")
    for number, line in enumerate(text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"), 1):
        match = _MANIFEST_LINE.fullmatch(line)
        path = _decode_bag_path(match.group(2)) if match else ""
        where = f"{rel} line {number}"
        if not match or not _HEX[algorithm].fullmatch(match.group(1)):
            report.fail(rel, f"line {number} is not '<{algorithm} checksum in lower-case hex>  <path>': {line[:120]!r}")
        elif not _safe(path) or payload != path.startswith("data/"):
            kind = "payload files under data/" if payload else "tag files outside data/"
            report.fail(rel, f"line {number} names {path!r}: a {'manifest' if payload else 'tag manifest'} lists {kind}, "
                             "by relative paths that stay inside the bag")
        elif path in listed:
            report.fail(rel, f"{where}: {path} is listed twice")
        else:
            listed[path] = match.group(1)
    return listed


def _files_on_disk(root: Path) -> tuple[list[str], list[str]]:
    """(payload files, tag files other than tag manifests), as bag-relative paths, sorted."""
    payload, tags = [], []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in files:
            rel = (Path(folder) / name).relative_to(root).as_posix()
            if rel.startswith("data/"):
                payload.append(rel)
            elif not re.fullmatch(r"tagmanifest-[a-z0-9]+\.txt", rel):
                tags.append(rel)
    return sorted(payload), sorted(tags)


def _hash_files(root: Path, wanted: Sequence[tuple[str, str]], progress: Callable[[int, int], None] | None) -> dict[tuple[str, str], str]:
    """{(path, algorithm): hex digest}, on a few threads: hashlib lets go of the interpreter lock
    on large buffers, so SHA-256 and SHA-512 of big files run on all cores. Unreadable: ''."""
    sizes = {rel: (root / rel).stat().st_size for rel, _ in wanted}
    total = sum(sizes[rel] for rel, _ in wanted)
    done = [0]
    lock = threading.Lock()

    def one(task: tuple[str, str]) -> str:
        rel, algorithm = task
        h = hashlib.new(algorithm)
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        try:
            with open(root / rel, "rb", buffering=0) as f:
                while n := f.readinto(buffer):
                    h.update(view[:n])
                    if progress:
                        with lock:
                            done[0] += n
                            progress(done[0], total)
        except OSError:
            return ""
        return h.hexdigest()

    order = sorted(wanted, key=lambda t: -sizes[t[0]])  # big files first keep every thread busy to the end
    with ThreadPoolExecutor(max_workers=max(2, min(8, (os.cpu_count() or 2) * 2))) as pool:
        return dict(zip(order, pool.map(one, order)))


def check_bag(root: Path, progress: Callable[[int, int], None] | None = None) -> tuple[BagReport, dict[str, dict[str, str]]]:
    """Check a bag as RFC 8493 says a valid bag is, with SHA-256 and SHA-512 manifests required;
    returns the report and the payload manifests read ({algorithm: {path: checksum}})."""
    report = BagReport(Path(root))
    root = report.root
    if not root.is_dir():
        report.fail(str(root), "is not a folder (a bag is a folder with bagit.txt and data/)")
        return report, {}
    _check_declaration(report)
    if not (root / "data").is_dir():
        report.fail("data/", "missing: a bag keeps its payload in data/")
    payload, tags = _files_on_disk(root)
    manifests: dict[str, dict[str, str]] = {}
    tagmanifests: dict[str, dict[str, str]] = {}
    for kind, into in (("manifest", manifests), ("tagmanifest", tagmanifests)):
        present = sorted(p.name for p in root.glob(f"{kind}-*.txt"))
        for algorithm in BAG_ALGORITHMS:
            rel = f"{kind}-{algorithm}.txt"
            if rel not in present:
                report.fail(rel, f"missing: a Kirok bag carries a {kind} for each of {', '.join(BAG_ALGORITHMS)}")
            else:
                into[algorithm] = _parse_manifest(report, rel, algorithm, kind == "manifest")
        for rel in present:
            if rel[len(kind) + 1:-4] not in BAG_ALGORITHMS:
                report.notes.append(f"{rel}: an algorithm this verifier does not check")
    wanted: list[tuple[str, str]] = []
    for group, listed_by, expected in ((payload, manifests, "manifest"), (tags, tagmanifests, "tagmanifest")):
        on_disk = set(group)
        for algorithm, listed in listed_by.items():
            rel = f"{expected}-{algorithm}.txt"
            for path in sorted(set(listed) - on_disk):
                report.fail(path, f"missing: {rel} lists it, the bag does not have it")
            for path in sorted(on_disk - set(listed)):
                report.fail(path, f"not in {rel}: a file added to the bag, or left out of its manifest")
            wanted.extend((path, algorithm) for path in sorted(on_disk & set(listed)))
    found = _hash_files(root, wanted, progress)
    for (path, algorithm), digest in found.items():
        listed = (manifests if path.startswith("data/") else tagmanifests)[algorithm][path]
        if not digest:
            report.fail(path, "cannot be read")
        elif digest != listed:
            kind = "manifest" if path.startswith("data/") else "tagmanifest"
            report.fail(path, f"its {algorithm.upper()} is {digest}, {kind}-{algorithm}.txt says {listed}: "
                              "the file (or the manifest) was changed")
    _check_oxum(report, payload)
    return report, manifests


def _check_oxum(report: BagReport, payload: list[str]) -> None:
    report.payload_files = len(payload)
    report.payload_bytes = sum((report.root / p).stat().st_size for p in payload)
    if not (report.root / "bag-info.txt").exists():
        return
    text = _read_text(report, "bag-info.txt")
    oxum = dict(_tag_fields(text or "")).get("Payload-Oxum")
    if oxum is None:
        return
    actual = f"{report.payload_bytes}.{report.payload_files}"
    if oxum != actual:
        report.fail("bag-info.txt", f"Payload-Oxum is {oxum}, the payload is {actual} (octets.files)")


# --- 8. Bundles --------------------------------------------------------------------------------
# Inside a bag from ``kirok bundle export`` (paths under data/):
#
#   bundle.json                 {"format": "kirok-bundle/1", "id", "scope", "items": [{id, sha256, file,
#                                record}], "records": [path…], …}
#   items/<sha256>/<name>       the evidence files, originals and derivatives, byte for byte
#   evidence/<item id>.json     {"capture": capture record, "custody": [{"event", "digest", "entry"}]}
#   records/<type>/<id>.json    {"record_type", "id", "versions": [{"version", "changeset", "digest",
#                                "entry", "position", "count", "path", "released", "committed"?}]}
#   ledger/checkpoint.txt       the signed checkpoint every proof here is against
#   ledger/keys.json            {"keys": [{"vkey", "created", "entry"}]}: the log's signing keys
#   ledger/entries.json         {"origin", "tree_size", "root", "entries": [{index, kind, subject,
#                                digest, time, "path"}]}: each entry and its inclusion path
#
# A version's "committed" form (sealed values cut to their commitments) hashes to its digest; it is
# present when the bundle's consent scope lets records leave unchanged (no pseudonyms, no fields
# dropped), and "released" (what the recipient reads) must then agree with it outside the sealed
# values. Under other scopes only "released" is there and the digest cannot be recomputed: its
# place in the log is still proved. The digest is a leaf of the tree whose head the changeset's
# entry logged (``root_of_digests``): "path" is the version's inclusion path in that tree.

BUNDLE_FORMAT = "kirok-bundle/1"
SEALED_KEY = "$protected"


def _load_json(report: BagReport, rel: str):
    text = _read_text(report, rel)
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        report.fail(rel, f"is not JSON: {exc}")
        return None


def _agrees(committed, released) -> bool:
    """``released`` says what ``committed`` says, except where a value is sealed (there it may be
    the plaintext or a mask)."""
    if isinstance(committed, dict):
        if SEALED_KEY in committed and len(committed) == 1:
            return True  # one sealed value: opened or masked
        if not isinstance(released, dict):
            return False
        if SEALED_KEY in committed:  # an owned row: its open fields beside one envelope for the rest
            return all(k in released and _agrees(v, released[k]) for k, v in committed.items() if k != SEALED_KEY)
        return committed.keys() == released.keys() and all(_agrees(v, released[k]) for k, v in committed.items())
    if isinstance(committed, list):
        return isinstance(released, list) and len(committed) == len(released) and all(map(_agrees, committed, released))
    return committed == released and type(committed) is type(released)


class _Bundle:
    """One pass over a bundle's JSON files, every failure recorded against its file."""

    def __init__(self, report: BagReport, manifests: dict[str, dict[str, str]], vkeys: Sequence[str]):
        self.report = report
        self.sha256 = manifests.get("sha256", {})
        self.sha512 = manifests.get("sha512", {})
        self.vkeys = list(vkeys)
        self.checkpoint: Checkpoint | None = None
        self.entries: dict[int, dict] = {}  # index -> entry whose inclusion was proved

    def fail(self, rel: str, what: str) -> None:
        self.report.fail(rel, what)

    def count(self, kind: str) -> None:
        self.report.checked[kind] = self.report.checked.get(kind, 0) + 1

    def run(self) -> None:
        meta = _load_json(self.report, "data/bundle.json")
        if not isinstance(meta, dict) or meta.get("format") != BUNDLE_FORMAT:
            if meta is not None:
                self.fail("data/bundle.json", f"not a Kirok bundle description (format {BUNDLE_FORMAT!r} expected)")
            return
        self.report.notes.append(f"bundle {meta.get('id')} made {meta.get('created')} for scope {meta.get('scope')!r}: "
                                 f"{meta.get('purpose', '')}")
        self.guarded("data/ledger/", self.ledger)
        for item in meta.get("items", []):
            self.guarded(f"data/{item.get('record')}", self.item, item)
        for rel in meta.get("records", []):
            self.guarded(f"data/{rel}", self.record, f"data/{rel}")
        self.guarded("data/bundle.json", self.unlisted, meta)

    def guarded(self, rel: str, check: Callable, *args) -> None:
        """Run one file's check; JSON of the wrong shape is that file's failure, not a crash."""
        try:
            check(*args)
        except (KeyError, TypeError, AttributeError, ValueError, OSError) as exc:
            self.fail(rel, f"is not laid out as a Kirok bundle file ({type(exc).__name__}: {exc})")

    def unlisted(self, meta: dict) -> None:
        listed = {f"data/{i.get('file')}" for i in meta.get("items", [])} | {f"data/{i.get('record')}" for i in meta.get("items", [])}
        listed |= {f"data/{r}" for r in meta.get("records", [])}
        for path in self.sha256:
            if path.startswith(("data/items/", "data/evidence/", "data/records/")) and path not in listed:
                self.fail(path, "is in the bag but data/bundle.json does not list it")

    # --- the ledger: checkpoint, keys, entries ---------------------------------------------------

    def ledger(self) -> None:
        rel = "data/ledger/checkpoint.txt"
        note = _read_text(self.report, rel)
        keys_doc = _load_json(self.report, "data/ledger/keys.json")
        keys = keys_doc.get("keys", []) if isinstance(keys_doc, dict) else []
        if note is None:
            return
        vkeys = self.vkeys or [str(k.get("vkey", "")) for k in keys]
        if not self.vkeys:
            self.report.notes.append("keys taken from the bundle itself: " + ", ".join(v.split("+")[0] for v in vkeys)
                                     + " (compare them with the keys the log publishes, or pass --key)")
        try:
            self.checkpoint, signatures = parse_checkpoint(note)
        except VerificationError as exc:
            self.fail(rel, str(exc))
            return
        try:  # a bad signature is reported, and the proofs are still checked against the root it signs
            verify_checkpoint(note, vkeys)
            self.count("checkpoint")
        except VerificationError as exc:
            self.fail(rel, str(exc))
        self.report.notes.append(f"checkpoint: {self.checkpoint.origin}, size {self.checkpoint.size}, "
                                 f"root {self.checkpoint.root.hex()}, {self.checkpoint.time}")
        self.load_entries()
        signers = {name for name, _, _ in signatures}
        announced = set()
        for i, key in enumerate(keys):
            where = f"key {i + 1} ({str(key.get('vkey', '')).split('+')[0]})"
            try:
                name, _public = parse_vkey(str(key.get("vkey", "")))
                self.logged("data/ledger/keys.json", where, key.get("entry"), "key", f"key:{name.removeprefix('kirok-')}",
                            key_digest(key["vkey"], str(key.get("created"))))
                announced.add(name)
            except (VerificationError, KeyError) as exc:
                self.fail("data/ledger/keys.json", f"{where}: {exc}")
        if not signers & announced:
            self.fail(rel, f"signed by {', '.join(sorted(signers))}, a key the log does not announce in data/ledger/keys.json")

    def load_entries(self) -> None:
        rel = "data/ledger/entries.json"
        doc = _load_json(self.report, rel)
        if not isinstance(doc, dict):
            return
        cp = self.checkpoint
        if (doc.get("origin"), doc.get("tree_size"), doc.get("root")) != (cp.origin, cp.size, cp.root.hex()):
            self.fail(rel, f"its proofs are for {doc.get('origin')} size {doc.get('tree_size')} root {doc.get('root')}, "
                           f"not the checkpoint's {cp.origin} size {cp.size} root {cp.root.hex()}")
            return
        for entry in doc.get("entries", []):
            try:
                check_entry_fields(entry["kind"], entry["subject"], entry["digest"], entry["time"])
                leaf = entry_leaf_hash(entry["index"], entry["kind"], entry["subject"], entry["digest"], entry["time"])
                verify_inclusion(entry["index"], cp.size, leaf, _hexes(entry["path"], "path"), cp.root)
            except (VerificationError, ValueError, KeyError, TypeError) as exc:
                detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
                self.fail(rel, f"entry {entry.get('index')} ({entry.get('subject')}): {detail}")
                continue
            self.entries[entry["index"]] = entry
            self.count("ledger entry")

    def logged(self, rel: str, where: str, index, kind: str, subject: str | None, digest: str) -> None:
        """That entry ``index`` (proved in the checkpoint) is of ``kind``, with ``digest``."""
        entry = self.entries.get(index)
        if entry is None:
            self.fail(rel, f"{where}: its ledger entry {index} is not among the entries proved in data/ledger/entries.json")
        elif entry["kind"] != kind or (subject is not None and entry["subject"] != subject):
            self.fail(rel, f"{where}: ledger entry {index} is {entry['kind']} {entry['subject']}, not {kind} {subject or ''}")
        elif entry["digest"] != digest:
            self.fail(rel, f"{where}: ledger entry {index} logged digest {entry['digest']}, this has {digest}")

    # --- evidence items ------------------------------------------------------------------------------

    def item(self, item: dict) -> None:
        rel, file = f"data/{item.get('record')}", f"data/{item.get('file')}"
        doc = _load_json(self.report, rel)
        if not isinstance(doc, dict):
            return
        capture = doc.get("capture") or {}
        sha256 = str(capture.get("sha256"))
        if file not in self.sha256 or not (self.report.root / file).is_file():
            self.fail(rel, f"its file {file} is not in the bag")
        elif (self.sha256[file], self.sha512.get(file)) != (sha256, capture.get("sha512")):
            self.fail(rel, f"its capture record gives SHA-256 {sha256} and SHA-512 {str(capture.get('sha512'))[:16]}…, "
                           f"the manifests give {file} {self.sha256[file]} and {str(self.sha512.get(file))[:16]}…")
        elif (self.report.root / file).stat().st_size != capture.get("size"):
            self.fail(rel, f"its capture record gives {capture.get('size')} bytes, {file} has {(self.report.root / file).stat().st_size}")
        elif not file.startswith(f"data/items/{sha256}/"):
            self.fail(rel, f"{file} is not filed under its SHA-256 {sha256}")
        else:
            self.count("item")
        for n, custody in enumerate(doc.get("custody", []), 1):
            event = custody.get("event") or {}
            where = f"custody event {n} ({event.get('action')} at {event.get('at')})"
            try:
                recomputed = json_digest(event)
            except ValueError as exc:
                self.fail(rel, f"{where}: {exc}")
                continue
            if recomputed != custody.get("digest"):
                self.fail(rel, f"{where}: its fields hash to {recomputed}, its digest says {custody.get('digest')}: "
                               "the event was changed after it was recorded")
            elif (event.get("item"), event.get("item_sha256")) != (capture.get("id"), sha256):
                self.fail(rel, f"{where}: it is about item {event.get('item')} ({event.get('item_sha256')}), not this one")
            else:
                self.logged(rel, where, custody.get("entry"), "custody", None, recomputed)
                self.count("custody event")

    # --- record versions -----------------------------------------------------------------------------

    def record(self, rel: str) -> None:
        doc = _load_json(self.report, rel)
        if not isinstance(doc, dict):
            return
        for version in doc.get("versions", []):
            where = f"version {version.get('version')} of {doc.get('record_type')} {doc.get('id')}"
            digest = str(version.get("digest"))
            if "committed" in version:
                try:
                    recomputed = json_digest(version["committed"])
                except ValueError as exc:
                    self.fail(rel, f"{where}: {exc}")
                    continue
                if recomputed != digest:
                    self.fail(rel, f"{where}: its committed form hashes to {recomputed}, its digest says {digest}: "
                                   "the version was changed")
                    continue
                if not _agrees(version["committed"], version.get("released")):
                    self.fail(rel, f"{where}: its released form says something its committed form does not")
                    continue
            else:
                self.count("version (digest not recomputable under the scope)")
            try:
                if not _HEX64.fullmatch(digest):
                    raise VerificationError(f"digest {digest!r} is not a SHA-256")
                head = root_from_inclusion(version["position"], version["count"], leaf_hash(bytes.fromhex(digest)),
                                           _hexes(version["path"], "path"))
            except (VerificationError, KeyError, TypeError) as exc:
                self.fail(rel, f"{where}: {exc}")
                continue
            self.logged(rel, where, version.get("entry"), "changeset", f"changeset:{version.get('changeset')}", head.hex())
            self.count("version")


def verify_bundle(root: Path, vkeys: Sequence[str] = (), progress: Callable[[int, int], None] | None = None) -> BagReport:
    """Check a bundle completely: the bag (section 7), then everything inside it (section 8).
    Every failure is reported, each naming its file; ``report.ok`` only when there are none."""
    report, manifests = check_bag(root, progress)
    if (report.root / "data").is_dir():
        bundle = _Bundle(report, manifests, vkeys)
        bundle.guarded("data/bundle.json", bundle.run)
    return report


# --- 9. Command line ---------------------------------------------------------------------------


def bundle_report_lines(report: BagReport) -> tuple[list[str], list[str]]:
    """(what was checked, what failed) as the lines both this script and `kirok bundle verify` print."""
    checked = ", ".join(f"{kind}: {n}" for kind, n in sorted(report.checked.items()))
    said = [*report.notes, f"payload: {report.payload_files} files, {report.payload_bytes} bytes; checked: {checked or 'nothing'}"]
    return said, [f"FAILED: {path}: {what}" for path, what in report.failures]


def _print_bundle_report(report: BagReport) -> int:
    said, failed = bundle_report_lines(report)
    print("\n".join(said))
    if failed:
        print("\n".join(failed), f"{len(failed)} failure(s)", sep="\n", file=sys.stderr)
        return 1
    print("OK")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="verifier.py", description="Check Kirok ledger proofs, checkpoints and bundles offline.")
    sub = parser.add_subparsers(dest="command", required=True)
    proof = sub.add_parser("proof", help="check a proof file from `kirok ledger proof`")
    proof.add_argument("file", type=Path)
    proof.add_argument("--key", action="append", default=[], help="a verifier key you trust (NAME+HASH+BASE64); repeatable")
    cp = sub.add_parser("checkpoint", help="check a checkpoint's signature")
    cp.add_argument("file", type=Path)
    cp.add_argument("--key", action="append", required=True, help="a verifier key you trust; repeatable")
    bundle = sub.add_parser("bundle", help="check a bundle (a BagIt bag) from `kirok bundle export`")
    bundle.add_argument("file", type=Path, metavar="DIR")
    bundle.add_argument("--key", action="append", default=[], help="a verifier key you trust (default: the bundle's own); repeatable")
    args = parser.parse_args(argv)
    if args.command == "bundle":
        return _print_bundle_report(verify_bundle(args.file, args.key))
    try:
        text = args.file.read_text(encoding="utf-8")
        if args.command == "proof":
            try:
                doc = json.loads(text)
            except json.JSONDecodeError as exc:
                raise VerificationError(f"{args.file} is not JSON: {exc}") from None
            for line in verify_proof_document(doc, args.key):
                print(line)
        else:
            checkpoint = verify_checkpoint(text, args.key)
            print(f"genuine: {checkpoint.origin} size {checkpoint.size} root {checkpoint.root.hex()} at {checkpoint.time}")
    except (VerificationError, KeyError, TypeError, ValueError, OSError) as exc:
        detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        print(f"FAILED: {args.file}: {detail}", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
