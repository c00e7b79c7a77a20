"""The standalone verifier and proof making, against RFC 6962 test vectors and as properties.

The vectors are the ones the Certificate Transparency implementations share (transparency-dev/
merkle ``proof/verify_test.go``, Apache-2.0): eight leaves, the tree head at each size, and known
inclusion and consistency proofs.
"""

from __future__ import annotations

import ast
import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from kirok.ledger import verifier
from kirok.ledger.tree import complete_subtrees, inclusion_from_stream

from .memory import MemoryTree
from kirok.ledger.verifier import VerificationError

LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                      "606162636465666768696a6b6c6d6e6f")]
ROOTS = [bytes.fromhex(h) for h in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]
H = bytes.fromhex
INCLUSION = [  # (leaf index, tree size, path)
    (0, 8, [H("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]),
    (5, 8, [H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]),
    (2, 3, [H("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (1, 5, [H("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]),
]
CONSISTENCY = [  # (old size, new size, path)
    (1, 8, [H("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]),
    (6, 8, [H("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]),
    (2, 5, [H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]),
    (6, 7, [H("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            H("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]),
]
OTHER = H("abacaba000000000000000000000000000000000000000000060061e00123456")


def _tree(n: int) -> MemoryTree:
    return MemoryTree(LEAVES[:n])


def test_the_empty_tree_head_is_the_hash_of_nothing():
    assert verifier.root_of([]) == H("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


@pytest.mark.parametrize("n", range(1, 9))
def test_tree_heads_match_the_vectors(n):
    assert verifier.root_of(verifier.leaf_hash(d) for d in LEAVES[:n]) == ROOTS[n - 1]


@pytest.mark.parametrize("index,size,path", INCLUSION)
def test_inclusion_proofs_match_the_vectors_and_verify(index, size, path):
    assert _tree(size).inclusion(index) == path
    verifier.verify_inclusion(index, size, verifier.leaf_hash(LEAVES[index]), path, ROOTS[size - 1])


@pytest.mark.parametrize("index,size,path", INCLUSION)
def test_corrupted_inclusion_proofs_fail(index, size, path):
    leaf, root = verifier.leaf_hash(LEAVES[index]), ROOTS[size - 1]
    probes = [
        (index - 1, size, leaf, path, root), (index + 1, size, leaf, path, root), (index ^ 2, size, leaf, path, root),
        (index, size * 2, leaf, path, root), (index, size // 2, leaf, path, root),
        (index, size, verifier.leaf_hash(b"wrong"), path, root), (index, size, leaf, path, verifier.EMPTY_ROOT),
        (index, size, leaf, path, OTHER), (index, size, leaf, path + [root], root), (index, size, leaf, [root] + path, root),
        (index, size, leaf, path[:-1], root), (index, size, leaf, path + [b""], root),
    ]
    if len(path) > 1:
        probes.append((index, size, leaf, [path[0], OTHER] + path[1:], root))
    for i in range(len(path)):
        flipped = list(path)
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        probes.append((index, size, leaf, flipped, root))
    for probe in probes:
        with pytest.raises(VerificationError):
            verifier.verify_inclusion(*probe)


@pytest.mark.parametrize("old,new,path", CONSISTENCY)
def test_consistency_proofs_match_the_vectors_and_verify(old, new, path):
    assert _tree(new).consistency(old) == path
    verifier.verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], path)


@pytest.mark.parametrize("old,new,path", CONSISTENCY)
def test_corrupted_consistency_proofs_fail(old, new, path):
    r1, r2 = ROOTS[old - 1], ROOTS[new - 1]
    probes = [
        (old - 1, new, r1, r2, path), (old + 1, new, r1, r2, path), (old ^ 2, new, r1, r2, path),
        (old, new * 2, r1, r2, path), (old, new // 2, r1, r2, path),
        (old, new, OTHER, r2, path), (old, new, r1, OTHER, path), (old, new, r2, r1, path),
        (old, new, r1, r2, []), (old, new, r1, r2, path + [r1]), (old, new, r1, r2, path + [r2]),
        (old, new, r1, r2, [r1] + path), (old, new, r1, r2, [r2] + path), (old, new, r1, r2, [path[0]] + path),
        (old, new, r1, r2, path[:-1]),
    ]
    for i in range(len(path)):
        flipped = list(path)
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        probes.append((old, new, r1, r2, flipped))
    for probe in probes:
        with pytest.raises(VerificationError):
            verifier.verify_consistency(*probe)


def test_trivial_consistency():
    verifier.verify_consistency(0, 5, verifier.EMPTY_ROOT, ROOTS[4], [])
    verifier.verify_consistency(3, 3, ROOTS[2], ROOTS[2], [])
    for probe in [(3, 3, ROOTS[2], ROOTS[3], []), (3, 3, ROOTS[2], ROOTS[2], [ROOTS[0]]), (0, 3, ROOTS[0], ROOTS[2], [ROOTS[0]]),
                  (4, 3, ROOTS[3], ROOTS[2], [])]:
        with pytest.raises(VerificationError):
            verifier.verify_consistency(*probe)


@st.composite
def tree_and_position(draw):
    size = draw(st.integers(1, 300))
    return MemoryTree(i.to_bytes(4, "big") for i in range(size)), draw(st.integers(0, size - 1))


@settings(max_examples=150, deadline=None)
@given(tree_and_position(), st.data())
def test_every_inclusion_proof_verifies_and_any_changed_byte_fails(tp, data):
    tree, index = tp
    root = verifier.fold_right([tree.levels[level][i] for level, i in _subtrees(tree.size)])
    assert root == verifier.root_of(tree.levels[0])
    path = tree.inclusion(index)
    assert inclusion_from_stream(iter(tree.levels[0]), index, tree.size) == path
    leaf = tree.levels[0][index]
    verifier.verify_inclusion(index, tree.size, leaf, path, root)
    blob = bytearray(b"".join([leaf, *path]))
    at = data.draw(st.integers(0, len(blob) - 1))
    blob[at] ^= data.draw(st.integers(1, 255))
    parts = [bytes(blob[i:i + 32]) for i in range(0, len(blob), 32)]
    with pytest.raises(VerificationError):
        verifier.verify_inclusion(index, tree.size, parts[0], parts[1:], root)


def _subtrees(size):
    return complete_subtrees(0, size)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300), st.data())
def test_every_consistency_proof_verifies_and_any_changed_byte_fails(new, data):
    old = data.draw(st.integers(1, new))
    leaves = [i.to_bytes(4, "big") for i in range(new)]
    tree = MemoryTree(leaves)
    r1 = verifier.root_of(verifier.leaf_hash(d) for d in leaves[:old])
    r2 = verifier.root_of(tree.levels[0])
    path = tree.consistency(old)
    verifier.verify_consistency(old, new, r1, r2, path)
    if not path:
        assert old == new
        return
    blob = bytearray(b"".join(path))
    at = data.draw(st.integers(0, len(blob) - 1))
    blob[at] ^= data.draw(st.integers(1, 255))
    with pytest.raises(VerificationError):
        verifier.verify_consistency(old, new, r1, r2, [bytes(blob[i:i + 32]) for i in range(0, len(blob), 32)])


def test_the_entry_encoding_is_exactly_as_documented():
    encoded = verifier.encode_entry(41, "changeset", "changeset:17", "ab" * 32, "2025-03-01T09:30:00.000000Z")
    assert encoded == (b"kirok-ledger-entry/1\nindex 41\nkind changeset\nsubject changeset:17\n"
                       b"digest " + b"ab" * 32 + b"\ntime 2025-03-01T09:30:00.000000Z\n")
    docs = (Path(__file__).resolve().parents[2] / "docs" / "ledger.md").read_text()
    assert encoded.decode() in docs, "docs/ledger.md must show this exact example"


@pytest.mark.parametrize("kind,subject,digest", [
    ("Changeset", "changeset:1", "00" * 32), ("changeset", "a\nb", "00" * 32), ("changeset", "", "00" * 32),
    ("changeset", "changeset:1", "AB" * 32), ("changeset", "changeset:1", "00" * 31),
])
def test_entries_that_could_be_ambiguous_are_refused(kind, subject, digest):
    with pytest.raises(ValueError):
        verifier.check_entry_fields(kind, subject, digest)


def _signed(size=5):
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    cp = verifier.Checkpoint("kirok/ledger/test", size, ROOTS[size - 1], "2025-03-01T09:30:00.000000Z")
    return cp, cp.note("kirok-test", public, verifier.sign_checkpoint(cp, private)), verifier.vkey("kirok-test", public)


def test_a_checkpoint_round_trips_and_names_its_contents():
    cp, note, vkey = _signed()
    assert note.startswith(f"kirok/ledger/test\n5\n{base64.b64encode(ROOTS[4]).decode()}\ntime 2025-03-01T09:30:00.000000Z\n\n— kirok-test ")
    assert verifier.verify_checkpoint(note, [vkey]) == cp


def test_a_checkpoint_by_another_key_fails():
    _, note, _ = _signed()
    _, _, other = _signed()
    with pytest.raises(VerificationError, match="none of the keys given"):
        verifier.verify_checkpoint(note, [other])


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_changed_or_cut_checkpoint_byte_fails(data):
    _, note, vkey = _signed()
    raw = bytearray(note.encode())
    if data.draw(st.booleans()):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] ^= data.draw(st.integers(1, 255))
    else:
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        return  # not even text: nothing could read it as a checkpoint
    with pytest.raises(VerificationError):
        verifier.verify_checkpoint(text, [vkey])


@given(st.text(max_size=400))
def test_checkpoint_parser_never_crashes_on_junk(text):
    with pytest.raises(VerificationError):
        verifier.parse_checkpoint(text) and verifier.verify_checkpoint(text, [])


def test_the_verifier_imports_only_the_standard_library_and_cryptography():
    import sys

    source = Path(verifier.__file__).read_text()
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            roots.add(node.module.split(".")[0])
    assert roots - {"cryptography", "__future__"} <= set(sys.stdlib_module_names)
