"""Writing decoded rows in bulk: records, their children, many-to-many terms and places, versions.

The writer is the fast path of the import: it resolves references for a whole chunk at once,
allocates primary keys itself (so forward references inside one import work), and inserts with
``executemany`` on SQLite and ``COPY`` on PostgreSQL — what an expert would type by hand,
generated from the models.
References it cannot resolve yet (cycles, or a row that points to one later in the file) are
kept and filled in at the end; any still unknown then are errors.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from dataclasses import dataclass
import orjson
from django.db import connection, models
from django.utils import timezone

from kirok.records import exchange
from kirok.records.fields import TermField
from kirok.records.models import Version
from kirok.records.registry import model_for
from kirok.types.dates import UncertainDate

from .decode import Decoded, uid_for_external_id


@dataclass(slots=True)
class Pending:
    """A reference left open until the end of the import.

    The row's version is written at once with the Kirok id the reference will most likely
    have (the id itself, or the one derived from an external id); ``finish`` checks the guess
    and corrects the version in the rare case it was wrong. Only these few fields are kept,
    so a million open references stay small.
    """

    where: tuple  # (file, row)
    field: str
    table: str
    column: str
    pk: int
    target: str
    ref: str
    guessed_uid: str
    record_type: str
    record_uid: str


@dataclass
class Located:
    """A decoded row and where it came from."""

    where: tuple  # (file, row)
    decoded: Decoded


class Conversions:
    """Per-database conversions of Python values to parameters (UUID and JSON differ)."""

    def __init__(self):
        self.sqlite = connection.vendor == "sqlite"

    def uid(self, value: str):
        """``value`` is a canonical UUID string; Django keeps UUIDs as 32 hex digits on SQLite."""
        return value.replace("-", "") if self.sqlite else value

    def uid_out(self, value) -> str:
        """A uid as the database returns it -> canonical UUID string."""
        if self.sqlite:
            return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
        return str(value)

    def json(self, value) -> str:
        return orjson.dumps(value).decode()

    def now(self):
        now = timezone.now()
        return connection.ops.adapt_datetimefield_value(now) if self.sqlite else now


@lru_cache(maxsize=1 << 16)
def date_columns(text: str) -> tuple[str, str, str]:
    """The three stored columns of an uncertain date's canonical text (earliest, latest, type)."""
    parsed = UncertainDate.parse(text)
    return parsed.earliest.isoformat(), parsed.latest.isoformat(), parsed.type


_CIPHERTEXT = re.compile(rb',"ct":"[^"]*","kid":"[^"]*"')


def _digest(payload: bytes) -> str:
    """``history.digest(data)``, computed on the canonical bytes already made: an envelope is
    ``{"commit":…,"ct":…,"kid":…}`` in sorted-key JSON, so cutting ``,"ct":…,"kid":…`` out of it
    leaves exactly the commitments-only JSON (a quote inside a string is escaped, so the pattern
    cannot match inside a value). tests/protection checks the two agree."""
    if b'"$protected"' in payload:
        return hashlib.sha256(_CIPHERTEXT.sub(b"", payload)).hexdigest()
    return hashlib.sha256(payload).hexdigest()


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def bulk_insert(table: str, columns: list[str], rows: list) -> None:
    """Insert many rows: ``executemany`` on SQLite, ``COPY`` on PostgreSQL (its fast path)."""
    if not rows:
        return
    names = ", ".join(_q(c) for c in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {_q(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cur.executemany(f"INSERT INTO {_q(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


class TypeWriter:
    """Inserts and updates one record type; the column list is read off the model once."""

    def __init__(self, record_type: str, conv: Conversions, allocator: "Allocator"):
        self.record_type = record_type
        self.model = model_for(record_type)
        self.spec = exchange.type_spec(record_type)
        self.conv = conv
        self.allocator = allocator
        self.table = self.model._meta.db_table
        self.columns = [f for f in self.model._meta.concrete_fields]
        self.refs = [f for f in self.spec.fields if f.kind == "ref"]
        self.m2m = [f for f in self.spec.fields if f.kind in ("refs", "terms")]
        self.ref_lists = [f for f in self.m2m if f.kind == "refs"]
        self.children = [f for f in self.spec.fields if f.kind == "children"]
        self.column_names = [f.column for f in self.columns]
        settable = [f for f in self.columns if f.name not in ("id", "uid", "created_at")]
        self.update_columns = settable
        assignments = ", ".join(f"{_q(f.column)} = %s" for f in settable)
        self.update_sql = f"UPDATE {_q(self.table)} SET {assignments} WHERE {_q('id')} = %s"
        self._plan()
        self.child_plans = {f.name: self._child_plan(f.name) for f in self.children}

    def _plan(self) -> None:
        """Read the column layout once: a template row of defaults, and where each field goes.

        A row is then the template with the fields the record actually has written into it,
        which is what keeps a million-row import fast.
        """
        uncertain = getattr(self.model._meta, "uncertain_date_names", ())
        index = {f.name: i for i, f in enumerate(self.columns)}
        self.template = []
        for f in self.columns:
            if isinstance(f, models.JSONField):
                self.template.append(self.conv.json({}))
            elif f.has_default() and not callable(f.default):
                self.template.append(f.default)
            else:
                self.template.append(None if f.null or isinstance(f, models.ForeignKey) else "")
        self.plain: dict[str, int] = {}
        self.json: dict[str, int] = {}
        self.dates: dict[str, tuple[int, int, int]] = {}
        for name in uncertain:
            self.dates[name] = (index[f"{name}_from"], index[f"{name}_to"], index[f"{name}_type"])
            self.template[index[f"{name}_type"]] = ""
        for f in self.spec.fields:
            if f.kind in ("line", "text", "choice", "bool", "int", "decimal", "plain_date") and f.name in index:
                self.plain[f.name] = index[f.name]
            elif f.kind == "json":
                self.json[f.name] = index[f.name]
        self.term_index = {f.attname: index[f.name] for f in self.columns if isinstance(f, TermField)}
        self.ref_index = {f.name: index[f.name] for f in self.columns if isinstance(f, models.ForeignKey) and not isinstance(f, TermField)}
        self.id_index, self.uid_index = index["id"], index["uid"]
        self.stamp_index = (index["created_at"], index["updated_at"])
        self.sealed_index = index["sealed"]

    def _child_plan(self, name: str) -> tuple:
        """How an owned row (a name, a consent entry) becomes its table's parameters: the table,
        its columns, a template of defaults, the owner column's place, where each JSON value
        goes, and where each plain value goes with whether an empty string is kept (a NULL
        column takes its default instead)."""
        child = self.spec.by_name[name].children
        cols = [c for c in child.model._meta.concrete_fields if c.name != "id"]
        template, json_columns, plain_columns, owner = [], {}, {}, 0
        for i, c in enumerate(cols):
            default = c.get_default() if c.has_default() else (None if c.null else "")
            if c.attname == child.owner_attname:
                owner = i
            elif isinstance(c, models.JSONField):
                json_columns[c.attname] = i
                default = self.conv.json(default)
            else:
                plain_columns[c.attname] = (i, not c.null)
            template.append(default)
        return child.model._meta.db_table, [c.column for c in cols], template, owner, json_columns, plain_columns

    def child_params(self, name: str, owner_pk, rows) -> list[list]:
        """Parameters of the owned rows under ``name`` (names, consents…) of one record."""
        _, _, template, owner, json_columns, plain_columns = self.child_plans[name]
        dumps = self.conv.json
        params = []
        for row in rows:
            values = list(template)
            values[owner] = owner_pk
            for attname, value in row.items():
                i = plain_columns.get(attname)
                if i is not None:
                    if value is not None and (value != "" or i[1]):
                        values[i[0]] = value
                else:
                    i = json_columns.get(attname)
                    if i is not None:
                        values[i] = dumps(value)
            params.append(values)
        return params

    def row_values(self, decoded: Decoded, refs: dict, now) -> list:
        values = list(self.template)
        data = decoded.data
        plain, dates, json_ = self.plain, self.dates, self.json
        sealed = decoded.sealed
        if sealed:
            values[self.sealed_index] = self.conv.json(sealed)
        for name, value in data.items():
            if sealed and name in sealed:
                continue  # its column stays empty: the value is sealed (kirok.protection)
            i = plain.get(name)
            if i is not None:
                values[i] = value
            elif name in dates:
                a, b, c = dates[name]
                values[a], values[b], values[c] = date_columns(value)
            elif name in json_:
                values[json_[name]] = self.conv.json(value)
        for attname, pk in decoded.terms.items():
            values[self.term_index[attname]] = pk
        ref_index = self.ref_index
        for name, pk in refs.items():
            i = ref_index.get(name)
            if i is not None:
                values[i] = pk
        values[self.id_index] = refs["__pk__"]
        values[self.uid_index] = self.conv.uid(data["id"])
        values[self.stamp_index[0]] = values[self.stamp_index[1]] = now
        return values


class Allocator:
    """Hands out primary keys: max(id)+1 onwards, read once per table inside the import's lock."""

    def __init__(self):
        self.next: dict[str, int] = {}
        self.used: set[str] = set()

    def take(self, table: str, n: int) -> range:
        if table not in self.next:
            with connection.cursor() as cur:
                cur.execute(f"SELECT MAX({_q('id')}) FROM {_q(table)}")
                self.next[table] = (cur.fetchone()[0] or 0) + 1
        start = self.next[table]
        self.next[table] = start + n
        self.used.add(table)
        return range(start, start + n)

    def finish(self) -> None:
        """PostgreSQL's identity sequences must move past the keys we chose."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cur:
            for table in self.used:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST((SELECT MAX(id) FROM {_q(table)}), 1))",
                    [table],
                )


class Resolver:
    """Finds records by Kirok id or external id, a chunk at a time."""

    def __init__(self, conv: Conversions):
        self.conv = conv

    def lookup(self, record_type: str, refs: set[str]) -> dict[str, tuple[int, str]]:
        """ref -> (primary key, Kirok id)."""
        if not refs:
            return {}
        model = model_for(record_type)
        uids, externals = [], []
        for ref in refs:
            (uids if _looks_like_uuid(ref) else externals).append(ref)
        found: dict[str, tuple[int, str]] = {}
        table, conv = model._meta.db_table, self.conv
        for pk, uid, _, _ in select_where(table, "uid", [conv.uid(u) for u in uids]):
            uid = conv.uid_out(uid)
            found[uid] = (pk, uid)
        for pk, uid, ext, _ in select_where(table, "external_id", externals):
            found[ext] = (pk, conv.uid_out(uid))
        return found


def select_where(table: str, column: str, values: list, size: int = 900):
    """(id, uid, external_id, deleted_at) of the rows whose ``column`` is one of ``values``."""
    with connection.cursor() as cur:
        for part in _chunks(values, size):
            marks = ", ".join(["%s"] * len(part))
            cur.execute(
                f"SELECT {_q('id')}, {_q('uid')}, {_q('external_id')}, {_q('deleted_at')} FROM {_q(table)} "
                f"WHERE {_q(column)} IN ({marks})",
                part,
            )
            yield from cur.fetchall()


def _looks_like_uuid(value: str) -> bool:
    return len(value) == 36 and value.count("-") == 4


def _without_failed(rows: list[Located], errors: list[tuple]) -> list[Located]:
    if not errors:
        return rows
    failed = {e[0] for e in errors}
    return [r for r in rows if r.where not in failed]


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class Writer:
    """Writes chunks of decoded rows inside the import's transaction."""

    def __init__(self, changeset_id: int, sealer=None):
        from kirok.protection.importing import ImportProtection

        self.protection = ImportProtection(sealer)
        self.conv = Conversions()
        self.allocator = Allocator()
        self.resolver = Resolver(self.conv)
        self.changeset_id = changeset_id
        self.pending: list[Pending] = []
        self.writers: dict[str, TypeWriter] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.version_columns = ["changeset_id", "record_type", "record_uid", "action", "data", "digest"]

    def writer(self, record_type: str) -> TypeWriter:
        if record_type not in self.writers:
            self.writers[record_type] = TypeWriter(record_type, self.conv, self.allocator)
        return self.writers[record_type]

    def write(self, record_type: str, rows: list[Located]) -> list[tuple]:
        """Write one chunk; returns errors as (where, field, message) for rows that failed."""
        tw = self.writer(record_type)
        outcome = self.outcomes.setdefault(record_type, Outcome())
        errors: list[tuple] = []

        rows = self._drop_repeats(rows, errors)
        existing = self._existing(tw, rows, errors)
        rows = _without_failed(rows, errors)
        resolved = self._resolve(tw, rows, errors)
        rows = _without_failed(rows, errors)

        if existing:
            new_rows = [r for r in rows if r.decoded.data["id"] not in existing]
            old_rows = [r for r in rows if r.decoded.data["id"] in existing]
        else:
            new_rows, old_rows = rows, []
        now = self.conv.now()
        versions: list[tuple] = []

        # New records
        if new_rows:
            pks = self.allocator.take(tw.table, len(new_rows))
            params = []
            row_values, version = tw.row_values, self._version
            for pk, located in zip(pks, new_rows):
                refs = resolved[located.where]
                refs["__pk__"] = pk
                params.append(row_values(located.decoded, refs, now))
                versions.append(version(located.decoded, "create"))
                if "__pending__" in refs:
                    self._note_pending(tw, located, pk, refs)
            bulk_insert(tw.table, tw.column_names, params)
            self._write_dependents(tw, list(zip(pks, new_rows)), resolved)
            self.protection.created(record_type, pks, [r.decoded for r in new_rows])
            outcome.created += len(new_rows)

        # Records already in the workspace: update only what changed
        if old_rows:
            sealed = self.protection.seals(record_type) or any(r.decoded.sealed for r in old_rows)
            last = self._last_digests(tw, [r.decoded.data["id"] for r in old_rows], sealed)
            changed = []
            for located in old_rows:
                pk, deleted = existing[located.decoded.data["id"]]
                if deleted:
                    errors.append((located.where, "id", f"{record_type} {located.decoded.data['id']} was deleted; restore it before importing over it"))
                    continue
                uid = located.decoded.data["id"]
                digest, changeset_id, stored = last.get(uid, (None, None, None))
                if changeset_id == self.changeset_id:
                    errors.append((located.where, "id", f"the same {record_type} appears twice in this import"))
                    continue
                if stored is not None:
                    self.protection.reuse(located.decoded, stored)
                version = self._version(located.decoded, "update")
                if digest == version[-1]:
                    outcome.unchanged += 1
                    continue
                changed.append((pk, located))
                versions.append(version)
            if changed:
                params = []
                for pk, located in changed:
                    refs = resolved[located.where]
                    refs["__pk__"] = pk
                    values = dict(zip((f.name for f in tw.columns), tw.row_values(located.decoded, refs, now)))
                    params.append([values[f.name] for f in tw.update_columns] + [pk])
                    self._note_pending(tw, located, pk, refs)
                with connection.cursor() as cur:
                    cur.executemany(tw.update_sql, params)
                self._clear_dependents(tw, [pk for pk, _ in changed])
                self._write_dependents(tw, changed, resolved)
                self.protection.updated(record_type, [(pk, located.decoded) for pk, located in changed])
                outcome.updated += len(changed)

        bulk_insert(Version._meta.db_table, self.version_columns, versions)
        return errors

    def _version(self, decoded: Decoded, action: str) -> tuple:
        payload = exchange.canonical_json(decoded.data)
        return (
            self.changeset_id, decoded.record_type, self.conv.uid(decoded.data["id"]), action,
            payload.decode(), _digest(payload),
        )

    def _existing(self, tw: TypeWriter, rows: list[Located], errors: list) -> dict[str, tuple[int, bool]]:
        """uid -> (pk, deleted) of rows already stored; rows matched by external id get its uid."""
        conv, table = self.conv, tw.table
        uids, externals = [], []
        for r in rows:
            data = r.decoded.data
            uids.append(data["id"])
            if data.get("external_id"):
                externals.append(data["external_id"])
        by_uid = {}
        for pk, uid, ext, deleted in select_where(table, "uid", [conv.uid(u) for u in uids]):
            by_uid[conv.uid_out(uid)] = (pk, deleted is not None, ext)
        by_ext = {}
        for pk, uid, ext, deleted in select_where(table, "external_id", externals):
            by_ext[ext] = (conv.uid_out(uid), pk, deleted is not None)
        if not by_uid and not by_ext:
            return {}
        result = {}
        for r in rows:
            data = r.decoded.data
            ext = data.get("external_id")
            if ext and ext in by_ext:
                uid, pk, deleted = by_ext[ext]
                if uid != data["id"] and r.decoded.given_id:
                    errors.append((r.where, "external_id", f"{ext!r} belongs to another record ({uid})"))
                    continue
                if uid != data["id"]:
                    self.protection.rebind(r.decoded, uid)
                data["id"] = uid
                result[uid] = (pk, deleted)
            elif data["id"] in by_uid:
                pk, deleted, stored_ext = by_uid[data["id"]]
                if stored_ext and ext and stored_ext != ext:
                    errors.append((r.where, "external_id", f"record {data['id']} has external id {stored_ext!r}, not {ext!r}"))
                    continue
                result[data["id"]] = (pk, deleted)
        return result

    def _last_digests(self, tw: TypeWriter, uids: list[str], with_data: bool = False) -> dict[str, tuple]:
        """uid -> (digest, changeset id, snapshot or None) of each record's latest version; the
        snapshot only when protected values need comparing with the stored ones."""
        found = {}
        columns = ["record_uid", "digest", "changeset_id", *(["data"] if with_data else [])]
        for part in _chunks(uids, 900):
            for uid, digest, changeset_id, *data in (
                Version.objects.filter(record_type=tw.record_type, record_uid__in=part).order_by("id").values_list(*columns)
            ):
                found[str(uid)] = (digest, changeset_id, data[0] if data else None)
        return found

    @staticmethod
    def _drop_repeats(rows: list[Located], errors: list) -> list[Located]:
        """A record given twice in one chunk is an error at its second place, not two records."""
        seen: dict[tuple, tuple] = {}
        kept = []
        for r in rows:
            data = r.decoded.data
            ext = data.get("external_id")
            key = ("id", data["id"])
            first = seen.get(key)
            if ext:
                ext_key = ("external_id", ext)
                first = first or seen.get(ext_key)
            if first is not None:
                field = "external_id" if ext else "id"
                errors.append((r.where, field, f"the same record is already at {first[0]}:{first[1]} of this import"))
                continue
            seen[key] = r.where
            if ext:
                seen[ext_key] = r.where
            kept.append(r)
        return kept

    def _resolve(self, tw: TypeWriter, rows: list[Located], errors: list) -> dict[tuple, dict]:
        """Reference values -> primary keys, one query per target type for the chunk."""
        refs_, lists = tw.refs, tw.ref_lists
        wanted: dict[str, set[str]] = {f.target: set() for f in refs_ + lists}
        for r in rows:
            data = r.decoded.data
            for f in refs_:
                value = data.get(f.name)
                if value:
                    wanted[f.target].add(value)
            for f in lists:
                value = data.get(f.name)
                if value:
                    wanted[f.target].update(value)
        found = {target: self.resolver.lookup(target, refs) for target, refs in wanted.items()}
        result: dict[tuple, dict] = {}
        for r in rows:
            data = r.decoded.data
            refs: dict = {}
            for f in refs_:
                value = data.get(f.name)
                if not value:
                    continue
                hit = found[f.target].get(value)
                if hit is not None:
                    refs[f.name] = hit[0]
                    data[f.name] = hit[1]
                elif f.required:
                    errors.append((r.where, f.name, f"no {f.target} with id {value!r} (it must come before this row, or exist already)"))
                else:
                    refs.setdefault("__pending__", []).append((f, value))
                    data[f.name] = value if _looks_like_uuid(value) else uid_for_external_id(f.target, value)
            for f in lists:
                values = data.get(f.name)
                if not values:
                    continue
                hits = []
                for value in values:
                    hit = found[f.target].get(value)
                    if hit is None:
                        errors.append((r.where, f.name, f"no {f.target} with id {value!r}"))
                    else:
                        hits.append(hit)
                refs[f.name] = [pk for pk, _ in hits]
                data[f.name] = sorted({uid for _, uid in hits})
            result[r.where] = refs
        return result

    def _note_pending(self, tw: TypeWriter, located: Located, pk: int, refs: dict) -> None:
        data = located.decoded.data
        for f, ref in refs.get("__pending__", ()):
            self.pending.append(
                Pending(located.where, f.name, tw.table, f.model_field.column, pk, f.target, ref, data[f.name], tw.record_type, data["id"])
            )

    def _clear_dependents(self, tw: TypeWriter, pks: list[int]) -> None:
        with connection.cursor() as cur:
            for f in tw.m2m:
                through = tw.model._meta.get_field(f.name).remote_field.through._meta
                column = tw.model._meta.get_field(f.name).m2m_column_name()
                for part in _chunks(pks, 900):
                    cur.execute(
                        f"DELETE FROM {_q(through.db_table)} WHERE {_q(column)} IN ({', '.join(['%s'] * len(part))})", part
                    )
            for f in tw.children:
                child = f.children
                for part in _chunks(pks, 900):
                    cur.execute(
                        f"DELETE FROM {_q(child.model._meta.db_table)} WHERE {_q(child.owner_attname)} IN ({', '.join(['%s'] * len(part))})",
                        part,
                    )

    def _write_dependents(self, tw: TypeWriter, pairs: list[tuple[int, Located]], resolved: dict) -> None:
        for f in tw.m2m:
            model_field = tw.model._meta.get_field(f.name)
            through = model_field.remote_field.through._meta
            params = []
            for pk, located in pairs:
                values = located.decoded.many_terms.get(f.name, []) if f.kind == "terms" else resolved[located.where].get(f.name, [])
                params += [(pk, v) for v in values]
            bulk_insert(through.db_table, [model_field.m2m_column_name(), model_field.m2m_reverse_name()], params)
        for f in tw.children:
            table, columns, *_ = tw.child_plans[f.name]
            params = []
            for pk, located in pairs:
                params += tw.child_params(f.name, pk, located.decoded.children.get(f.name, ()))
            bulk_insert(table, columns, params)

    def finish(self) -> list[tuple]:
        """Fill in the references left open; returns errors for those still unknown."""
        errors = []
        by_target: dict[str, set[str]] = {}
        for p in self.pending:
            by_target.setdefault(p.target, set()).add(p.ref)
        found = {t: self.resolver.lookup(t, refs) for t, refs in by_target.items()}
        updates: dict[tuple[str, str], list] = {}
        wrong_guesses: dict[tuple[str, str], dict[str, str]] = {}
        for p in self.pending:
            hit = found[p.target].get(p.ref)
            if hit is None:
                errors.append((p.where, p.field, f"no {p.target} with id {p.ref!r} in the workspace or this import"))
                continue
            updates.setdefault((p.table, p.column), []).append((hit[0], p.pk))
            if hit[1] != p.guessed_uid:
                wrong_guesses.setdefault((p.record_type, p.record_uid), {})[p.field] = hit[1]
        with connection.cursor() as cur:
            for (table, column), params in updates.items():
                cur.executemany(f"UPDATE {_q(table)} SET {_q(column)} = %s WHERE {_q('id')} = %s", params)
        self._correct_versions(wrong_guesses)
        self.allocator.finish()
        return errors

    def _correct_versions(self, corrections: dict[tuple[str, str], dict[str, str]]) -> None:
        """Rewrite this import's versions whose guessed reference ids turned out wrong."""
        by_type: dict[str, dict[str, dict[str, str]]] = {}
        for (record_type, uid), fields in corrections.items():
            by_type.setdefault(record_type, {})[uid] = fields
        params = []
        for record_type, fixes in by_type.items():
            for part in _chunks(list(fixes), 900):
                # Filtering on the changeset in SQL would lead SQLite to scan the whole changeset.
                rows = Version.objects.filter(record_type=record_type, record_uid__in=part).values_list(
                    "id", "changeset_id", "record_uid", "data"
                )
                for pk, changeset_id, uid, data in rows:
                    if changeset_id != self.changeset_id:
                        continue
                    data = {**data, **fixes[str(uid)]}
                    payload = exchange.canonical_json(data)
                    params.append((payload.decode(), _digest(payload), pk))
        with connection.cursor() as cur:
            cur.executemany(
                f"UPDATE {_q(Version._meta.db_table)} SET {_q('data')} = %s, {_q('digest')} = %s WHERE {_q('id')} = %s",
                params,
            )
