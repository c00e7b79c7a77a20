"""Embedded metadata is read at intake and kept exactly; odd files never stop an intake."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from PIL import Image

from kirok.evidence import services
from kirok.evidence.metadata import read_embedded
from kirok.evidence.models import Item
from kirok.evidence.storage import get_storage

from .conftest import plain_metadata, synthetic_jpeg


def test_exif_of_a_generated_jpeg(tmp_path):
    path = tmp_path / "photo.jpg"
    synthetic_jpeg(path)
    with open(path, "rb") as f:
        metadata, media_type = read_embedded(f)
    assert media_type == "image/jpeg"
    assert metadata["image"] == {"format": "JPEG", "width": 64, "height": 48, "mode": "RGB"}
    exif = metadata["exif"]
    assert exif["IFD0"]["Make"] == "Synthetic Camera Co" and exif["IFD0"]["Model"] == "TestCam 1"
    assert exif["Exif"]["DateTimeOriginal"] == "2019:03:02 10:15:00"
    assert exif["GPS"]["GPSLatitudeRef"] == "N"
    assert exif["GPS"]["GPSLatitude"] == [[39, 1], [1, 1], [30, 1]]  # rationals exactly, not rounded floats
    assert "ExifOffset" not in exif["IFD0"] and "GPSInfo" not in exif["IFD0"]


def test_awkward_exif_values_stay_exact_and_storable(tmp_path):
    image = Image.new("RGB", (8, 8))
    exif = Image.Exif()
    exif[0x010E] = "caption\x00\x00"        # ImageDescription, NUL-padded as C strings are
    exif[0x9286] = b"\x00\x01binary" * 40   # UserComment, long binary
    exif[0xC4A5] = b"\x00\xff"              # PrintImageMatching, short binary (an unknown tag number here)
    image.save(tmp_path / "odd.tiff", exif=exif)
    with open(tmp_path / "odd.tiff", "rb") as f:
        metadata, media_type = read_embedded(f)
    assert media_type == "image/tiff"
    ifd0 = metadata["exif"]["IFD0"]
    assert ifd0["ImageDescription"] == "caption"
    assert ifd0["UserComment"]["bytes"] == 320 and len(ifd0["UserComment"]["sha256"]) == 64
    assert ifd0["PrintImageMatching"] == {"hex": "00ff"}


def test_not_an_image_is_not_an_error_and_the_name_gives_the_type():
    assert read_embedded(io.BytesIO(b"plain words")) == ({}, "application/octet-stream")
    assert read_embedded(io.BytesIO(b"plain words"), name="notes.txt") == ({}, "text/plain")
    assert read_embedded(io.BytesIO(b"plain words"), name="notes.txt", media_type="text/markdown")[1] == "text/markdown"


def test_a_damaged_image_is_recorded_with_the_reason():
    truncated_png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\x00" * 5  # the header chunk cut short
    metadata, media_type = read_embedded(io.BytesIO(truncated_png))
    assert metadata == {"errors": ["image: OSError: Truncated File Read"]} and media_type == "application/octet-stream"


@hsettings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=600), prefix=st.sampled_from([b"", b"\xff\xd8\xff\xe1", b"II*\x00", b"\x89PNG\r\n\x1a\n", b"GIF89a"]),
       name=st.sampled_from(["", "x.jpg", "x.pdf", "x.mp4", "x.png"]))
def test_random_bytes_never_break_the_reader(data, prefix, name):
    metadata, media_type = read_embedded(io.BytesIO(prefix + data), name=name)
    assert isinstance(metadata, dict) and media_type
    import orjson

    orjson.dumps(metadata)  # always JSON


@pytest.mark.django_db
@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(make=st.text(max_size=30), description=st.text(max_size=30))
def test_whatever_exif_says_is_stored_in_the_register(vocabularies, tmp_path_factory, make, description):
    """Any text a camera or an editor wrote, NULs and all, fits the register on SQLite and PostgreSQL."""
    folder = tmp_path_factory.mktemp("exif")
    image = Image.new("RGB", (4, 4))
    exif = Image.Exif()
    exif[0x010F] = make
    exif[0x010E] = description
    image.save(folder / "x.jpg", exif=exif)
    item = services.add_file(folder / "x.jpg").item
    stored = Item.objects.get(pk=item.pk).metadata
    assert stored == item.metadata and set(stored) == {"$protected"}  # sealed at rest
    assert plain_metadata(item)["image"]["width"] == 4
    assert get_storage().path(item.sha256).read_bytes() == (folder / "x.jpg").read_bytes()  # the file itself is kept as it came


def test_c2pa_content_credentials_are_read_with_their_validation(tmp_path):
    from .conftest import c2pa_signed_jpeg

    path = tmp_path / "signed.jpg"
    c2pa_signed_jpeg(path)
    with open(path, "rb") as f:
        metadata, media_type = read_embedded(f)
    assert media_type == "image/jpeg" and metadata["image"]["format"] == "JPEG"
    credentials = metadata["c2pa"]
    assert credentials["validation_state"] == "Valid"  # signature and hashes check; the test CA is not trusted
    assert credentials["signer"]["common_name"] == "Test signer"
    store = credentials["manifest_store"]
    active = store["manifests"][store["active_manifest"]]
    assert active["title"] == "synthetic.jpg"
    assert "signingCredential.untrusted" in status_codes(store)

    data = bytearray(path.read_bytes())
    data[-20] ^= 0xFF  # a changed byte in the picture, after signing
    metadata, _ = read_embedded(io.BytesIO(bytes(data)))
    assert metadata["c2pa"]["validation_state"] == "Invalid"


def status_codes(store: dict) -> set[str]:
    return {status["code"] for status in store.get("validation_status", [])}


@pytest.mark.django_db
def test_c2pa_is_kept_in_the_register(vocabularies, tmp_path):
    from .conftest import c2pa_signed_jpeg

    path = tmp_path / "signed.jpg"
    c2pa_signed_jpeg(path)
    item = services.add_file(path).item
    assert plain_metadata(item)["c2pa"]["signer"]["common_name"] == "Test signer"


def test_without_c2pa_python_intake_reads_exif_only(tmp_path, monkeypatch):
    from kirok.evidence import metadata as module

    from .conftest import c2pa_signed_jpeg

    path = tmp_path / "signed.jpg"
    c2pa_signed_jpeg(path)
    monkeypatch.setattr(module, "c2pa", None)
    with open(path, "rb") as f:
        metadata, media_type = read_embedded(f)
    assert "c2pa" not in metadata and media_type == "image/jpeg" and metadata["image"]["width"] == 32
