"""Kirok's published verifier: check Kirok's ledger proofs and checkpoints without Kirok.

This file stands alone. It needs Python 3.11+ and the ``cryptography`` package, nothing else of
Kirok, so a recipient can copy it and run::

    python verifier.py proof PROOF.json [--key VKEY]        # an entry (or a version) is in the log
    python verifier.py checkpoint NOTE.txt --key VKEY       # a signed tree head is genuine

Kirok itself imports the hashing, encoding and verification below from here, so what an outsider
runs is exactly what Kirok checks. Sections, in order (new formats get their own section before
"Command line"):

1. Merkle tree hashing (RFC 6962 §2.1 / RFC 9162 §2.1): leaf and node hashes, the tree head.
2. Proof verification: inclusion (RFC 9162 §2.1.3.2) and consistency (§2.1.4.2).
3. Ledger entries: the canonical leaf encoding of one entry.
4. Checkpoints: the signed tree head, a C2SP signed note with an Ed25519 signature.
5. Proof files: the JSON that ``kirok ledger proof`` prints.
6. Command line.

Every check raises ``VerificationError`` with a message that says what failed and where.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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


# --- 6. Command line ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="verifier.py", description="Check Kirok ledger proofs and checkpoints offline.")
    sub = parser.add_subparsers(dest="command", required=True)
    proof = sub.add_parser("proof", help="check a proof file from `kirok ledger proof`")
    proof.add_argument("file", type=Path)
    proof.add_argument("--key", action="append", default=[], help="a verifier key you trust (NAME+HASH+BASE64); repeatable")
    cp = sub.add_parser("checkpoint", help="check a checkpoint's signature")
    cp.add_argument("file", type=Path)
    cp.add_argument("--key", action="append", required=True, help="a verifier key you trust; repeatable")
    args = parser.parse_args(argv)
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
