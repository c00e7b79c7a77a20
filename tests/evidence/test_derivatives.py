"""An analyst makes a redacted copy and a transcript: new items, the original untouched."""

from __future__ import annotations

import io

import pytest

from kirok.evidence import services
from kirok.evidence.errors import EvidenceError
from kirok.evidence.models import Item
from kirok.evidence.storage import get_storage

from .conftest import plain_metadata, synthetic_jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def original(vocabularies, tmp_path):
    path = tmp_path / "photo.jpg"
    synthetic_jpeg(path)
    return services.add_file(path, capture=services.Capture(collector="Documenter K"), reason="received from witness").item


def snapshot(item: Item) -> tuple:
    fresh = Item.objects.get(pk=item.pk)
    return fresh.capture_record(), fresh.metadata, get_storage().path(item.sha256).read_bytes()


def test_a_redacted_copy_is_a_new_item_linked_to_its_untouched_original(original, tmp_path):
    before = snapshot(original)
    redacted = tmp_path / "photo-redacted.jpg"
    synthetic_jpeg(redacted, make="", model="", gps=False)
    intake = services.add_derivative(
        original, redacted, operation="redaction", notes="faces blurred; EXIF GPS removed",
        capture=services.Capture(tool="GIMP", tool_version="2.10"), actor="analyst m", reason="for the public report",
    )
    derivative = intake.item
    assert intake.created and not derivative.is_original
    assert derivative.derived_from == original and derivative.operation == "redaction"
    assert derivative.sha256 != original.sha256 and derivative.tool == "GIMP"
    assert "GPS" in plain_metadata(original)["exif"] and "GPS" not in plain_metadata(derivative).get("exif", {})
    assert list(original.derivatives.all()) == [derivative]
    assert snapshot(original) == before
    assert [e.action for e in services.custody_of(original)] == ["received", "derived"]
    derived = services.custody_of(original).last()
    assert derived.details == {"derivative": str(derivative.uid), "sha256": derivative.sha256, "operation": "redaction"}
    [received] = services.custody_of(derivative)
    assert received.details["derived_from"] == original.sha256 and received.actor == "analyst m"


def test_a_transcript_from_a_stream_and_its_repetition(original):
    text = "진술: 1998년 3월 공개처형을 목격함 (synthetic)".encode()
    first = services.add_derivative(original, io.BytesIO(text), operation="transcript", name="transcript-ko.txt")
    again = services.add_derivative(original, io.BytesIO(text), operation="transcript", name="transcript-ko.txt")
    assert first.created and not again.created and again.item == first.item
    assert first.item.media_type == "text/plain" and first.item.original_name == "transcript-ko.txt"
    assert [e.action for e in services.custody_of(first.item)] == ["received", "received"]
    assert [e.action for e in services.custody_of(original)] == ["received", "derived"]


def test_the_same_bytes_can_be_an_original_and_a_derivative_sharing_one_blob(original, tmp_path):
    path = tmp_path / "excerpt.txt"
    path.write_text("excerpt")
    standalone = services.add_file(path).item
    derivative = services.add_derivative(original, path, operation="excerpt", notes="lines 1-3").item
    assert standalone.pk != derivative.pk and standalone.sha256 == derivative.sha256
    assert services.find_item(derivative.sha256) == standalone  # the original is meant by its SHA-256
    assert services.find_item(str(derivative.uid)) == derivative
    assert list(get_storage().names()).count(derivative.sha256) == 1


def test_an_unknown_operation_is_refused(original, tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("x")
    with pytest.raises(EvidenceError, match="operation: 'beautify' is not a term of derivative_operations"):
        services.add_derivative(original, path, operation="beautify")
    assert Item.objects.count() == 1


def test_find_item_by_prefix_and_its_errors(original):
    assert services.find_item(original.sha256[:8].upper()) == original
    with pytest.raises(EvidenceError, match="prefix of 8 or more"):
        services.find_item(original.sha256[:7])
    with pytest.raises(EvidenceError, match="no evidence item has SHA-256"):
        services.find_item("f" * 64 if not original.sha256.startswith("f") else "0" * 64)
