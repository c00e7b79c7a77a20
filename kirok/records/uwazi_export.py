"""Export to Uwazi: one record type as the CSV an Uwazi template imports (and Kirok reads back).

The same mapping that imports a template (``kirok/data/uwazi/<name>.yaml``) writes it: a column
per property, named by its Uwazi name, with Uwazi's conventions — ``|`` between values,
thesaurus labels in the chosen language (``Parent::Child`` below the top of a vocabulary),
``lat|lon``, ``label|url``, dates as YYYY-MM-DD (or YYYY, or YYYY-MM when that is all Kirok
knows) and ranges as ``from~to`` as Uwazi's own export writes them. Text in more than one
language gets a column per language (``title__ko``, ``title__en``), the shape current Uwazi asks
for. ``id`` is the Uwazi sharedId when the record came from Uwazi, else its Kirok id (Uwazi
ignores an id it does not know; Kirok matches it on re-import). With ``with_files`` the CSV goes
into a ZIP as ``import.csv`` beside the files recorded for the records.

What Uwazi cannot hold is written as near as it can be and listed in the export's ``notes``: an
estimate loses its ``~``, a range in a single-date property keeps its start, and so on
(docs/uwazi.md lists them all).
"""

from __future__ import annotations

import csv
import functools
import io
import os
import tempfile
import shutil
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kirok.records import exchange
from kirok.records.exporting import file_sha256, iter_dicts
from kirok.records.importing.uwazi import (
    EXPORT_RANGE_SEPARATOR, EXTERNAL_PREFIX, LANGUAGE_SCRIPT, MULTI, NAME_CHILD_FIELD, PARENT_CHILD,
    TITLE_FIELDS, Mapping, Property, Thesauri, find_mapping,
)
from kirok.records.registry import model_for
from kirok.types.dates import ESTIMATE, UncertainDate
from kirok.types.text import script_of


@dataclass
class UwaziExport:
    path: Path
    rows: int
    notes: list[str] = field(default_factory=list)


class _Notes:
    """What could not be written as it is, counted by kind with one example each."""

    def __init__(self):
        self.counts: Counter = Counter()
        self.examples: dict[str, str] = {}

    def add(self, kind: str, example: str) -> None:
        self.counts[kind] += 1
        self.examples.setdefault(kind, example)

    def lines(self) -> list[str]:
        return [f"{n} × {kind} (e.g. {self.examples[kind]})" for kind, n in sorted(self.counts.items())]


def _parts(text: str | None) -> tuple[str, str, bool]:
    """(first, last, estimate) ends of an EDTF date in the forms Uwazi reads."""
    parsed = UncertainDate.parse(text or "")
    if not parsed:
        return "", "", False
    plain = str(UncertainDate(parsed.earliest, parsed.latest, "range").normalized())
    first, _, last = plain.partition("/")
    return first, last or first, parsed.type == ESTIMATE


class _Writer:
    def __init__(self, mapping: Mapping, language: str, gate):
        self.gate = gate
        self.mapping = mapping
        self.language = language
        self.spec = exchange.type_spec(mapping.record_type)
        self.thesauri = Thesauri()
        self.notes = _Notes()
        self.titles: dict[str, dict[str, str]] = {}
        self.languages: dict[str, tuple[str, ...]] = {}  # property -> languages with a column each

    def plan(self, records: list[dict]) -> None:
        """A column per language for a property only where some record has text in another
        language (current Uwazi takes `title` or `title__ko`+`title__en`, per property)."""
        m = self.mapping
        for prop in [m.title, *m.properties]:
            kind = self.spec.by_name[prop.field].kind
            if prop is not m.title and (kind == "children" or not prop.translatable):
                continue
            used = set()
            for data in records:
                for lang in m.languages[1:]:
                    if prop is m.title and kind == "children":
                        if len(data.get(prop.field) or []) > 1:
                            used.add(lang)
                    elif prop.translations.get(lang) and data.get(prop.translations[lang]):
                        used.add(lang)
                    elif ((data.get("translations") or {}).get(prop.field) or {}).get(lang):
                        used.add(lang)
            if used:
                self.languages[prop.name] = tuple(lang for lang in m.languages if lang == m.language or lang in used)

    # columns

    def _names(self, prop: Property) -> list[str]:
        return [f"{prop.name}__{lang}" for lang in self.languages.get(prop.name, ())] or [prop.name]

    def _langs(self, prop: Property) -> tuple[str, ...]:
        return self.languages.get(prop.name, ())[1:]

    def columns(self, file_languages: list[str], attachments: bool) -> list[str]:
        columns = ["id", *self._names(self.mapping.title)]
        for prop in self.mapping.properties:
            columns.extend(self._names(prop))
        columns.extend("file" if not lang else f"file__{lang}" for lang in file_languages)
        if attachments:
            columns.append("attachments")
        return columns

    # values

    def prime_titles(self, records: list[dict]) -> None:
        """Titles of every record the rows relate to, one query per target type."""
        wanted: dict[str, set[str]] = {}
        for prop in self.mapping.properties:
            if prop.type != "relationship":
                continue
            target = self.spec.by_name[prop.field].target
            for data in records:
                value = data.get(prop.field)
                wanted.setdefault(target, set()).update(value if isinstance(value, list) else [value] if value else [])
        for target, uids in wanted.items():
            self.titles[target] = _titles_of(target, sorted(uids), self.gate)

    def row(self, data: dict, manifest: list[dict], file_languages: list[str], attachments: bool) -> dict[str, str]:
        m = self.mapping
        what = f"{m.record_type} {data.get('external_id') or data['id']}"
        external = data.get("external_id") or ""
        out = {"id": external[len(EXTERNAL_PREFIX):] if external.startswith(EXTERNAL_PREFIX) else data["id"]}
        spare_names = self._title(data, out, what)
        for prop in m.properties:
            if self.spec.by_name[prop.field].kind == "children":
                self._put(out, prop, data, MULTI.join(spare_names))
                spare_names = []
                continue
            self._put(out, prop, data, self._value(prop, data, what))
        if spare_names:
            self.notes.add("names with no column to go in (map a text property to `names`)", f"{what}: {spare_names[0]}")
        documents = {}
        for f in manifest:
            if f["role"] == "document":
                if f.get("language", "") in documents:
                    self.notes.add("documents beyond the first per language (Uwazi takes one)", f"{what}: {f['name']}")
                    continue
                documents[f.get("language", "")] = f["name"]
        for lang in file_languages:
            out["file" if not lang else f"file__{lang}"] = documents.get(lang, "")
        if attachments:
            out["attachments"] = MULTI.join(f["name"] for f in manifest if f["role"] == "attachment")
        return out

    def _put(self, out: dict, prop: Property, data: dict, value: str) -> None:
        names = self._names(prop)
        out[names[0]] = value
        for name, lang in zip(names[1:], self._langs(prop)):
            out[name] = ((data.get("translations") or {}).get(prop.field) or {}).get(lang, "")

    def _title(self, data: dict, out: dict, what: str) -> list[str]:
        """Fill the title columns; returns the names left for another names column."""
        m, prop = self.mapping, self.mapping.title
        columns = self._names(prop)
        kind = self.spec.by_name[prop.field].kind
        spare: list[str] = []
        if kind == "children":
            key = NAME_CHILD_FIELD.get(m.record_type, "full_name")
            names = [item[key] for item in data.get(prop.field, []) if item.get(key)]
            if not names:
                self.notes.add("records without a name, titled by their Kirok id", what)
                names = [data["id"]]
            out[columns[0]] = names[0]
            spare = names[1:]
            for column, lang in zip(columns[1:], self._langs(prop)):
                script = LANGUAGE_SCRIPT.get(lang, "Latn")
                pick = next((n for n in spare if script_of(n) == script), "")
                out[column] = pick
                if pick:
                    spare.remove(pick)
            return spare
        out[columns[0]] = str(data.get(prop.field) or "")
        if not out[columns[0]]:
            self.notes.add("records without a title (Uwazi requires one)", what)
        for column, lang in zip(columns[1:], self._langs(prop)):
            target = prop.translations.get(lang)
            out[column] = str(data.get(target) or "") if target else ((data.get("translations") or {}).get(prop.field) or {}).get(lang, "")
        return spare

    def _value(self, prop: Property, data: dict, what: str) -> str:
        t, f = prop.type, self.spec.by_name[prop.field]
        value = data.get(prop.field)
        if t in ("date", "multidate"):
            if not value:
                return ""
            first, last, estimate = _parts(value)
            if estimate:
                self.notes.add("estimated dates written without their ~ (Uwazi has no estimate)", f"{what} {prop.field} {value}")
            if first != last:
                self.notes.add("ranges in a single-date property, written as their start", f"{what} {prop.field} {value}")
            return first
        if t in ("daterange", "multidaterange"):
            if len(prop.fields) == 2:
                start, end = data.get(prop.fields[0]), data.get(prop.fields[1])
                if not start and not end:
                    return ""
                s_first, s_last, s_est = _parts(start)
                e_first, e_last, e_est = _parts(end)
                if s_est or e_est:
                    self.notes.add("estimated dates written without their ~ (Uwazi has no estimate)", f"{what} {start or ''} {end or ''}")
                if end and s_first != s_last:
                    self.notes.add("a start that is itself a range, written as its first day", f"{what} {start}")
                elif s_first != s_last:
                    self.notes.add("a start that is itself a range, written as from~to (it comes back as start and end)", f"{what} {start}")
                last = e_last if end else (s_last if s_first != s_last else "")
                return f"{s_first}{EXPORT_RANGE_SEPARATOR}{last}"
            if not value:
                return ""
            first, last, estimate = _parts(value)
            if estimate:
                self.notes.add("estimated dates written without their ~ (Uwazi has no estimate)", f"{what} {prop.field} {value}")
            return f"{first}{EXPORT_RANGE_SEPARATOR}{last}"
        if t in ("select", "multiselect"):
            codes = value if isinstance(value, list) else [value] if value else []
            return MULTI.join(self._label(prop, f, code) for code in codes)
        if t == "relationship":
            uids = value if isinstance(value, list) else [value] if value else []
            titles = sorted(self.titles.get(f.target, {}).get(uid, uid) for uid in uids)
            for title in titles:
                if MULTI in title:
                    self.notes.add("titles containing | (Uwazi reads them as two)", f"{what}: {title}")
            return MULTI.join(titles)
        if t == "geolocation":
            lat, lon = data.get(prop.fields[0]), data.get(prop.fields[1])
            return f"{lat}{MULTI}{lon}" if lat is not None and lon is not None else ""
        if t == "link":
            if not value:
                return ""
            label = data.get(prop.fields[1]) if len(prop.fields) == 2 else None
            return f"{label}{MULTI}{value}" if label else str(value)
        if value is None:
            return ""
        return str(value)

    def _label(self, prop: Property, f, code: str) -> str:
        if code in prop.export_values:
            return prop.export_values[code]
        if f.kind == "choice":
            return code
        label = self.thesauri.label(f.target, code, self.language, prop.parent_labels)
        if MULTI in label or label.count(PARENT_CHILD) > 1:
            self.notes.add("labels containing | or :: (Uwazi cannot read them back)", label)
        return label


def _titles_of(record_type: str, uids: list[str], gate) -> dict[str, str]:
    """Kirok id -> the title Uwazi knows the record by: for a person, its first name where the
    gate reveals names, else its pseudonym."""
    model = model_for(record_type)
    titles: dict[str, str] = {}
    for start in range(0, len(uids), 500):
        part = uids[start:start + 500]
        if record_type == "person":
            for data in iter_dicts("person", restrict=lambda qs, part=part: gate.queryset("person", qs.filter(uid__in=part))):
                title = gate.person_label(data)
                if title:
                    titles[data["id"]] = title
            continue
        fields = TITLE_FIELDS[record_type]
        for values in model.all_objects.filter(uid__in=part).values_list("uid", *fields):
            title = next((v for v in values[1:] if v), "")
            if title:
                titles[str(values[0])] = title
    return titles


def export_uwazi(
    folder: Path, what: str, *, language: str | None = None, with_files: bool = False, mapping: str | Path | None = None,
    principal=None, scope: str = "internal", purpose: str = "",
) -> UwaziExport:
    """Write ``<folder>/<record type>.uwazi.csv`` (or ``.uwazi.zip`` with the files) for the live
    records of the type ``what`` names (a record type or a mapping name), using its mapping,
    through the consent gate (``kirok.records.exporting.export_all`` says how)."""
    from kirok.protection.gate import Gate
    from kirok.protection.principal import Principal

    chosen = find_mapping(name=mapping or what)
    gate = Gate(principal=principal or Principal.console(), scope=scope, destination=str(Path(folder).resolve()), purpose=purpose)
    writer = _Writer(chosen, (language or chosen.language).lower(), gate)
    rtype = chosen.record_type
    records = [gate.release(rtype, data) for data in iter_dicts(rtype, restrict=functools.partial(gate.queryset, rtype))]
    writer.plan(records)
    writer.prime_titles(records)
    manifests = _files(rtype, records)
    file_languages = sorted({f.get("language", "") for files in manifests.values() for f in files if f["role"] == "document"})
    attachments = any(f["role"] == "attachment" for files in manifests.values() for f in files)
    columns = writer.columns(file_languages, attachments)

    buffer = io.StringIO(newline="")
    out = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    out.writeheader()
    for data in records:
        out.writerow(writer.row(data, manifests[data["id"]], file_languages, attachments))

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{rtype}.uwazi.{'zip' if with_files else 'csv'}"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{rtype}.uwazi.", suffix=".part")
    exported: dict[str, object] = {}  # file name in the ZIP -> evidence item
    try:
        with os.fdopen(fd, "wb") as f:
            if not with_files:
                f.write(buffer.getvalue().encode("utf-8"))
            else:
                with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as archive:
                    archive.writestr("import.csv", buffer.getvalue().encode("utf-8"))
                    _write_files(archive, records, manifests, exported, writer.notes)
        gate.close({target.name: file_sha256(tmp)})
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _log_exported(exported, target, gate.principal, purpose)
    return UwaziExport(target, len(records), writer.notes.lines())


def _files(record_type: str, records: list[dict]) -> dict[str, list[dict]]:
    """Kirok id -> the files the record came with ({role, name, language?, sha256, item}), main
    file first. Files are evidence items of sources (``SourceFile``); other records have none."""
    found: dict[str, list[dict]] = {data["id"]: [] for data in records}
    if record_type != "source":
        return found
    from kirok.records.models import SourceFile

    uids = list(found)
    for start in range(0, len(uids), 900):
        for link in SourceFile.objects.filter(source__uid__in=uids[start:start + 900]).select_related("source", "item"):
            entry = {"role": link.role, "name": link.name, "sha256": link.item.sha256, "item": link.item}
            if link.language:
                entry["language"] = link.language
            found[str(link.source.uid)].append(entry)
    for files in found.values():
        files.sort(key=lambda f: (f["role"] != "document", f.get("language", ""), f["name"]))
    return found


def _write_files(archive: zipfile.ZipFile, records: list[dict], manifests: dict, exported: dict, notes) -> None:
    """The records' files into the ZIP, read from the evidence vault (each name once)."""
    from kirok.evidence.errors import BlobMissing
    from kirok.evidence.storage import get_storage

    storage = get_storage()
    for data in records:
        for entry in manifests[data["id"]]:
            if entry["name"] in exported:
                if exported[entry["name"]].sha256 != entry["sha256"]:
                    notes.add("different files with the same name (the first is in the ZIP)", entry["name"])
                continue
            try:
                with storage.open(entry["sha256"]) as source, archive.open(entry["name"], "w") as target:
                    shutil.copyfileobj(source, target, 1 << 20)
            except (BlobMissing, OSError):
                notes.add("files missing from the evidence vault (run `kirok vault verify`)", f"{entry['name']} {entry['sha256']}")
                continue
            exported[entry["name"]] = entry["item"]


def _log_exported(exported: dict, target: Path, principal, purpose: str) -> None:
    """Each evidence item that left in the ZIP gets an "exported" custody event."""
    if not exported:
        return
    from django.db import transaction

    from kirok.evidence.services import record_custody

    with transaction.atomic():
        for name, item in exported.items():
            record_custody(
                item, "exported", user=principal.user, actor=principal.actor, reason=purpose or "Uwazi export",
                details={"to": target.name, "name": name, "format": "uwazi"},
            )


__all__ = ["UwaziExport", "export_uwazi"]
