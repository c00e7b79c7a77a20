"""The demo's worked case: the case an analyst builds on Camp No. 99, the fictional camp every demo
set holds (``kirok/data/demo/camp99.yaml``, sections ``case`` and ``evidence``).

``kirok demo-data`` calls ``build`` after the import, so that a newcomer to ``make demo`` finds a
case with a matrix, a chain of command and a case file to export; the worked example's test
calls it as an analyst. Everything goes through ``kirok.cases.services`` and
``kirok.evidence.services``, as the pages and the command line do: the links are versioned, the
case lives in a compartment, the evidence has its custody. The cases app is imported only when
a case is built: the generator (``kirok.records.demo``) stays free of it.

The two evidence files are made here, the same bytes every time (a one-page PDF "scan" of the
camp rules, a tenth of a second of silence for W2's interview), so that running the demo again
finds them in the vault instead of taking them in twice.
"""

from __future__ import annotations

import hashlib
import io
import wave
from dataclasses import dataclass

from django.db import transaction

from kirok.evidence import services as vault
from kirok.evidence.models import Item
from kirok.protection.principal import Principal
from kirok.records.demo import CAMP_TABLE
from kirok.records.models import Source

CASE: dict = CAMP_TABLE["case"]
EVIDENCE: list[dict] = CAMP_TABLE["evidence"]
REASON = "fictional demo: the worked example on Camp No. 99"


def _pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (ASCII), built by hand so that its bytes never change."""
    stream = f"BT /F1 14 Tf 40 780 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _wav() -> bytes:
    """A tenth of a second of silence (8 kHz, 16 bit, mono)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 800)
    return buffer.getvalue()


def file_bytes(spec: dict) -> bytes:
    """The bytes of one file of the ``evidence`` section."""
    return _pdf(spec["text"]) if spec["kind"] == "pdf" else _wav()


def evidence(actor: str = "kirok demo-data") -> dict[str, Item]:
    """The evidence files in the vault, by their source's external id: taken in on the first run,
    found by their SHA-256 afterwards."""
    items = {}
    for spec in EVIDENCE:
        data = file_bytes(spec)
        found = Item.objects.filter(sha256=hashlib.sha256(data).hexdigest()).order_by("pk").first()
        if found is None:
            source = Source.objects.get(external_id=spec["source"])
            found = vault.add_stream(io.BytesIO(data), name=spec["name"], source=source, actor=actor, reason=REASON).item
        items[spec["source"]] = found
    return items


@dataclass
class Built:
    case: object
    suspect: object
    evidence: dict[str, Item]  # by the external id of its source


def build(*, compartment: str, principal: Principal, key: str = CASE["key"]) -> Built | None:
    """Make the case (``key``) with its suspect, unit hierarchy and links, and take the evidence
    files in; None when a case ``key`` exists already (the demo run again). All or nothing."""
    from kirok.cases import services
    from kirok.cases.models import Case

    if Case.all_objects.filter(key=key).exists():
        return None
    with transaction.atomic():
        items = evidence(principal.actor or "kirok demo-data")
        case = services.create_case(key=key, title=CASE["title"], summary=CASE["summary"], compartment=compartment,
                                    charges=CASE["charges"], principal=principal, reason=REASON)
        for row in CASE["unit_parents"]:
            services.set_unit_parent(**row, principal=principal, reason=REASON)
        wanted = CASE["suspect"]
        suspect = services.add_suspect(case, person=wanted["person"], modes=wanted["modes"], principal=principal,
                                       reason=wanted["reason"])
        for link in CASE["links"]:
            ref = str(items[link["ref"]].uid) if link["target"] == "item" else link["ref"]
            assessment = services.Assessment(link["assessment"], link["strength"], link.get("standard", ""), link["note"])
            services.link(case, element=link["element"], target=link["target"], ref=ref, assessment=assessment,
                          suspect=suspect if link.get("suspect") else None, principal=principal, reason=REASON)
    return Built(case, suspect, items)
