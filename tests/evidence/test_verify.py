"""`verify_vault` finds every changed byte, truncation, loss and register edit, and names the item."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from kirok.evidence import services
from kirok.evidence.models import CustodyEvent, Item
from kirok.evidence.storage import get_storage

pytestmark = pytest.mark.django_db

FUZZ = hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def items(vocabularies, tmp_path):
    """Three originals, one of them with a derivative."""
    made = []
    for n, size in enumerate((1, 4096, 70_000)):
        path = tmp_path / f"item-{n}.bin"
        path.write_bytes(os.urandom(size))
        made.append(services.add_file(path).item)
    derivative = tmp_path / "item-2-excerpt.bin"
    derivative.write_bytes(os.urandom(100))
    made.append(services.add_derivative(made[2], derivative, operation="excerpt").item)
    return made


class Tampered:
    """Changes a blob on disk as an intruder (or a failing disk) would, and puts it back afterwards."""

    def __init__(self, item: Item):
        self.path = get_storage().path(item.sha256)
        self.original = self.path.read_bytes()

    def write(self, data: bytes) -> None:
        os.chmod(self.path, 0o644)
        self.path.write_bytes(data)

    def restore(self) -> None:
        self.write(self.original)
        os.chmod(self.path, 0o444)


def test_an_intact_vault_passes_and_each_check_joins_the_custody(items):
    report = services.verify_vault()
    assert report.ok and (report.blobs, report.items) == (4, 4)
    assert report.bytes == sum(i.size for i in items) and report.unregistered == [] and report.leftovers == []
    for item in items:
        last = services.custody_of(item).last()
        assert (last.action, last.details["result"], last.actor) == ("verified", "intact", "kirok vault verify")
    count = CustodyEvent.objects.count()
    assert services.verify_vault(record=False).ok and CustodyEvent.objects.count() == count


@FUZZ
@given(data=st.data())
def test_any_flipped_byte_is_found_and_named(items, data):
    item = data.draw(st.sampled_from(items))
    position = data.draw(st.integers(min_value=0, max_value=item.size - 1))
    flip = data.draw(st.integers(min_value=1, max_value=255))
    blob = Tampered(item)
    changed = bytearray(blob.original)
    changed[position] ^= flip
    blob.write(bytes(changed))
    try:
        report = services.verify_vault(record=False)
    finally:
        blob.restore()
    [problem] = report.problems
    assert problem.kind == "altered" and problem.sha256 == item.sha256
    text = problem.describe()
    assert str(item.uid) in text and str(blob.path) in text and "right size but different bytes" in text


@FUZZ
@given(data=st.data())
def test_any_truncation_or_extension_is_found_with_the_sizes(items, data):
    item = data.draw(st.sampled_from(items))
    blob = Tampered(item)
    if data.draw(st.booleans()):
        changed = blob.original[: data.draw(st.integers(min_value=0, max_value=item.size - 1))]
    else:
        changed = blob.original + data.draw(st.binary(min_size=1, max_size=50))
    blob.write(changed)
    try:
        report = services.verify_vault(record=False)
    finally:
        blob.restore()
    [problem] = report.problems
    assert problem.kind == "altered" and problem.found.size == len(changed)
    assert f"has {len(changed)} bytes, the register says {item.size}" in problem.describe()


def test_a_missing_blob_is_named_and_recorded_in_every_item_that_shares_it(items, tmp_path):
    copy = tmp_path / "same-bytes.bin"
    copy.write_bytes(get_storage().path(items[1].sha256).read_bytes())
    twin = services.add_derivative(items[0], copy, operation="format_conversion").item  # shares items[1]'s blob
    path = get_storage().path(items[1].sha256)
    path.unlink()
    report = services.verify_vault()
    [problem] = report.problems
    assert problem.kind == "missing" and f"{path} is missing" in problem.describe()
    assert {i.pk for i in problem.items} == {items[1].pk, twin.pk}
    for item in (items[1], twin):
        assert services.custody_of(item).last().details["result"] == "missing"
    assert services.custody_of(items[0]).last().details["result"] == "intact"


def test_a_blob_removed_after_its_disposal_is_expected_but_not_before(items):
    path = get_storage().path(items[0].sha256)
    os.chmod(path, 0o644)
    path.unlink()
    assert [p.kind for p in services.verify_vault(record=False).problems] == ["missing"]
    services.record_custody(items[0], "disposed", actor="steward", reason="consent withdrawn; destroyed by the operator")
    report = services.verify_vault()
    assert report.ok and report.disposed == [items[0].sha256]
    assert services.custody_of(items[0]).last().details["result"] == "disposed"


def test_a_register_row_changed_behind_kirok_s_back_is_found(items):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Item._meta.db_table} SET sha512 = %s WHERE id = %s", ["0" * 128, items[2].pk])
    [problem] = services.verify_vault(record=False).problems
    assert problem.kind == "register" and "matches its SHA-256 but not the register's SHA-512" in problem.describe()


def test_unregistered_blobs_and_partial_writes_are_listed_not_failed(items):
    vault = get_storage()
    stray = vault.put([b"put by the Uwazi importer, not yet an item"])
    (vault.root / ".incoming.abc.part").write_bytes(b"half")
    report = services.verify_vault(record=False)
    assert report.ok and report.unregistered == [stray.sha256]
    assert report.leftovers == [str(vault.root / ".incoming.abc.part")]


def test_progress_counts_bytes_up_to_the_total(items):
    seen = []
    services.verify_vault(progress=lambda done, total: seen.append((done, total)), record=False)
    total = sum(i.size for i in items)
    assert seen[-1] == (total, total) and all(t == total for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
