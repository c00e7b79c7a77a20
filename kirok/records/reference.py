"""Loading the shipped reference data (``kirok/data``) into the workspace.

Vocabularies become ``Vocabulary``/``Term`` rows; the gazetteer (divisions, facilities) and the
state institutions become ordinary versioned records with external ids ``ref:<kind>:<key>``, so
re-loading after an update changes what changed and duplicates nothing. Terms that leave a data
file are retired, not deleted: old records still use them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import yaml
from django.db import transaction

from kirok.records.importing import Stream, import_streams
from kirok.records.models import Term, Vocabulary

DATA = Path(__file__).resolve().parent.parent / "data"


def _read_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def load_vocabularies(folder: Path = DATA / "vocabularies") -> int:
    count = 0
    with transaction.atomic():
        for path in sorted(folder.glob("*.yaml")):
            doc = _read_yaml(path)
            if doc.get("key") != path.stem:
                raise ValueError(f"{path}: key {doc.get('key')!r} must equal the file name")
            vocab, _ = Vocabulary.objects.update_or_create(
                key=doc["key"],
                defaults={
                    "label_en": doc["label"]["en"], "label_ko": doc["label"]["ko"], "esf_mt": doc.get("esf_mt"),
                    "source": doc["source"], "licence": doc["licence"],
                },
            )
            existing = {t.code: t for t in vocab.terms.all()}
            seen: set[str] = set()
            position = 0

            def walk(terms, parent, parent_path):
                nonlocal position, count
                for item in terms or []:
                    code = item["code"]
                    if code in seen:
                        raise ValueError(f"{path}: term code {code!r} appears twice")
                    seen.add(code)
                    position += 1
                    values = {
                        "parent": parent, "path": f"{parent_path}::{code}" if parent_path else code,
                        "label_en": item["label"]["en"], "label_ko": item["label"]["ko"],
                        "note": item.get("note", "") or "", "position": position, "retired": False,
                    }
                    term = existing.get(code)
                    if term is None:
                        term = Term.objects.create(vocabulary=vocab, code=code, **values)
                    elif any(getattr(term, k) != v for k, v in values.items()):
                        for k, v in values.items():
                            setattr(term, k, v)
                        term.save()
                    count += 1
                    walk(item.get("terms"), term, values["path"])

            walk(doc.get("terms"), None, "")
            vocab.terms.exclude(code__in=seen).update(retired=True)
    return count


def _division_rows(path: Path):
    with open(path, encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.DictReader(f), start=2):
            yield number, {
                "external_id": f"ref:division:{row['iso_code']}",
                "kind": "division",
                "division_type": row["kind"],
                "iso_code": row["iso_code"],
                "name_ko": row["name_dprk"],
                "name_rok": row["name_rok"] if row["name_rok"] != row["name_dprk"] else "",
                "name_en": row.get("name_en", "") or row["mr"].replace("'", "").replace("ŏ", "o").replace("ŭ", "u"),
                "mr": row["mr"], "rr": row["rr"], "dprk": row["dprk"],
                "valid_from": row.get("valid_from", ""), "valid_to": row.get("valid_to", ""),
                "confidence": row.get("confidence", ""), "citation": row.get("source", ""), "note": row.get("note", ""),
            }


def _facility_rows(path: Path):
    doc = _read_yaml(path)
    for number, item in enumerate(doc["facilities"], start=1):
        names = item.get("name", {})
        roman = item.get("romanizations", {}) or {}
        yield number, {
            "external_id": f"ref:facility:{item['key']}",
            "kind": "facility",
            "facility_type": item["type"],
            "parent": f"ref:division:{item['province']}" if item.get("province") else None,
            "operator": f"ref:institution:{item['operator']}" if item.get("operator") else None,
            "name_ko": names.get("ko", ""), "name_en": names.get("en", ""),
            "mr": roman.get("mr", ""), "rr": roman.get("rr", ""), "dprk": roman.get("dprk", ""),
            "names": [{"name": v} for v in item.get("variants", []) or []],
            "status": item.get("status", ""), "status_as_of": str(item.get("status_as_of") or ""),
            "latitude": item.get("latitude"), "longitude": item.get("longitude"),
            "confidence": item.get("confidence", ""), "citation": "; ".join(item.get("sources", []) or []),
            "note": item.get("note", "") or "",
        }


def _institution_rows(path: Path):
    doc = _read_yaml(path)
    for number, item in enumerate(doc["institutions"], start=1):
        history = item.get("names", []) or []
        current = history[-1] if history else {}
        names = [
            {
                "name": n["ko"], "lang": "ko", "kind": "official",
                "valid_from": str(n.get("valid_from") or ""), "valid_to": str(n.get("valid_to") or ""),
                "confidence": n.get("confidence", "") or "", "citation": n.get("source", "") or "",
            }
            for n in history
        ] + [{"name": v, "kind": "variant"} for v in item.get("variants", []) or []]
        yield number, {
            "external_id": f"ref:institution:{item['key']}",
            "kind": item.get("kind"),
            "parent": f"ref:institution:{item['parent']}" if item.get("parent") else None,
            "name_ko": current.get("ko", ""), "name_en": current.get("en", ""),
            "names": names, "note": item.get("note", "") or "",
        }


def reference_streams(data: Path = DATA) -> list[Stream]:
    def drop_empty(rows):
        for number, row in rows:
            yield number, {k: v for k, v in row.items() if v not in (None, "", [])}

    return [
        Stream(str(data / "gazetteer/divisions.csv"), "place", drop_empty(_division_rows(data / "gazetteer/divisions.csv"))),
        Stream(str(data / "institutions.yaml"), "organization", drop_empty(_institution_rows(data / "institutions.yaml"))),
        Stream(str(data / "gazetteer/facilities.yaml"), "place", drop_empty(_facility_rows(data / "gazetteer/facilities.yaml"))),
    ]


def load_reference_data(data: Path = DATA) -> dict[str, int]:
    """Load everything; safe to repeat (unchanged records get no new version)."""
    terms = load_vocabularies(data / "vocabularies")
    report = import_streams(reference_streams(data), actor="kirok init", kind="reference", reason="reference data")
    return {
        "terms": terms,
        "reference records created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }
