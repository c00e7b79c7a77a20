"""Metadata embedded in an item (EXIF, C2PA), read once at intake and kept as JSON.

The blob keeps every embedded byte; this JSON is a reading of it for people and searches, never
written back. A file Pillow does not know is simply not an image; a damaged one is recorded with
the error, because reading metadata must never stop an intake. Values keep their exact form:
rationals as ``[numerator, denominator]``, binary values as hex (or their size and SHA-256 when
long), so nothing is rounded or silently dropped.

C2PA manifests (content credentials) are read when c2pa-python is installed (it is optional) and
the media type is one it knows: the manifest store as the library reports it, with its validation
state and signer. The library is told not to fetch remote manifests or OCSP answers, so intake
never tells a third party that a file is being examined.

EXIF may hold identifying details (GPS position, device serial numbers, the owner's name):
treat ``Item.metadata`` as protected.
"""

from __future__ import annotations

import hashlib
import math
import mimetypes
from functools import lru_cache
from typing import BinaryIO

import orjson
from PIL import ExifTags, Image, TiffImagePlugin, UnidentifiedImageError

try:
    import c2pa
except ImportError:  # optional: pip install c2pa-python
    c2pa = None

SHORT_BYTES = 256
SUB_IFDS = (
    (ExifTags.IFD.Exif, "Exif", ExifTags.TAGS),
    (ExifTags.IFD.GPSInfo, "GPS", ExifTags.GPSTAGS),
    (ExifTags.IFD.Interop, "Interop", ExifTags.TAGS),
)
IFD_NAMES = ("IFD0", *(name for _ifd, name, _tags in SUB_IFDS))  # the order to show them in (jsonb keeps none)


def read_embedded(stream: BinaryIO, *, name: str = "", media_type: str = "") -> tuple[dict, str]:
    """(metadata, media type): the type given, else recognised from the content, else from the name."""
    metadata, recognised = _image(stream)
    media_type = media_type or recognised or mimetypes.guess_type(name)[0] or "application/octet-stream"
    stream.seek(0)
    credentials = _c2pa(stream, media_type)
    if credentials is not None:
        if "error" in credentials:
            metadata.setdefault("errors", []).append(credentials["error"])
        else:
            metadata["c2pa"] = credentials
    return metadata, media_type


def _image(stream: BinaryIO) -> tuple[dict, str | None]:
    try:
        with Image.open(stream) as image:
            metadata = {"image": {"format": image.format, "width": image.width, "height": image.height, "mode": image.mode}}
            exif = _exif(image.getexif())
            if exif:
                metadata["exif"] = exif
            return metadata, image.get_format_mimetype()
    except UnidentifiedImageError:
        return {}, None
    except Exception as exc:  # Pillow's parsers raise many kinds on damaged files; keep the reason
        return {"errors": [f"image: {type(exc).__name__}: {exc}"]}, None


@lru_cache(maxsize=1)
def _c2pa_context():
    settings = c2pa.Settings.from_dict({"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}})
    return c2pa.Context(settings), set(c2pa.Reader.get_supported_mime_types())


def _c2pa(stream: BinaryIO, media_type: str) -> dict | None:
    """The manifest store and what its validation concluded; None when there is none to read."""
    if c2pa is None:
        return None
    context, known = _c2pa_context()
    if media_type not in known:
        return None
    try:
        reader = c2pa.Reader.try_create(media_type, stream, context=context)
        if reader is None:
            return None
        with reader:
            store = orjson.loads(reader.json())
            state = reader.get_validation_state()
    except c2pa.C2paError as exc:
        return {"error": f"c2pa: {exc}"}
    active = store.get("manifests", {}).get(store.get("active_manifest"), {})
    return {"validation_state": state, "signer": _plain(active.get("signature_info", {})), "manifest_store": _plain(store)}


def _exif(exif: Image.Exif) -> dict:
    result: dict[str, dict] = {}
    pointers = {int(ifd) for ifd, _name, _tags in SUB_IFDS}
    main = {_name(ExifTags.TAGS, tag): _plain(value) for tag, value in exif.items() if tag not in pointers}
    if main:
        result["IFD0"] = main
    for ifd, name, names in SUB_IFDS:
        values = exif.get_ifd(ifd)
        if values:
            result[name] = {_name(names, tag): _plain(value) for tag, value in values.items()}
    return result


def _name(names: dict, tag: int) -> str:
    return names.get(tag) or f"0x{tag:04x}"


def _plain(value):
    """A JSON value that says exactly what was stored (and that PostgreSQL's jsonb accepts)."""
    if isinstance(value, TiffImagePlugin.IFDRational):
        return [value.numerator, value.denominator]
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, bytes):
        return _binary(value)
    if isinstance(value, str):
        text = value.rstrip("\x00")  # C strings end in NUL: padding, not content
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return _binary(text.encode("utf-8", "surrogateescape"))
        return text if "\x00" not in text else _binary(text.encode("utf-8"))
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _binary(data: bytes) -> dict:
    if len(data) <= SHORT_BYTES:
        return {"hex": data.hex()}
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
