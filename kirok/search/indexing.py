"""Keeping the index current: documents written when records change, removed when they go,
hashes of purged values destroyed, and the whole index rebuilt on demand.

* ``changeset_closed`` (every edit and every import) → ``on_changeset``: the records the
  changeset wrote, and those whose facets they change, are re-indexed inside the same
  transaction, so the index never disagrees with committed records.
* ``purged`` → ``on_purged``: the records whose protected values were destroyed are
  re-indexed without them, and the backend compacts its index so that the old blind tokens
  leave the database file.
* ``kirok search reindex`` → ``rebuild``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import connection, transaction

from kirok.records.registry import model_for
from kirok.search import analysis, backends, documents
from kirok.search.backends import IndexRow
from kirok.search.documents import INDEXED, Doc
from kirok.search.models import Document, Facet

log = logging.getLogger(__name__)
BATCH = 500
LOOKUP_BATCH = 5000


def index(record_type: str, pks: Iterable[int]) -> int:
    """Re-index these records of one type (documents of records gone are removed); returns the
    number of documents written."""
    pks = sorted(set(pks))
    if record_type not in INDEXED or not pks:
        return 0
    written = 0
    backend = backends.current()
    with transaction.atomic():
        for start in range(0, len(pks), BATCH):
            part = pks[start : start + BATCH]
            docs = documents.build(record_type, part)
            _remove(backend, Document.objects.filter(record_type=record_type, record_id__in=part))
            written += write(backend, docs)
    return written


def _remove(backend, queryset) -> None:
    rows = [IndexRow(*r) for r in queryset.values_list("id", "terms", "keys", "names", "blind")]
    if not rows:
        return
    with connection.cursor() as cur:
        backend.remove(cur, rows)
    Facet.objects.filter(document_id__in=[r.doc_id for r in rows]).delete()
    Document.objects.filter(id__in=[r.doc_id for r in rows]).delete()


def write(backend, docs: list[Doc]) -> int:
    if not docs:
        return 0
    secret = analysis._secret()
    opened_terms = analysis.analyse_many(["\n".join(d.open_texts) for d in docs])
    sealed = iter(analysis.analyse_many(["\n".join(d.sealed_texts) for d in docs]) if any(d.sealed_texts for d in docs) else ())
    rows = []
    for doc, terms in zip(docs, opened_terms):
        blind = analysis.blind_terms(next(sealed), secret) if doc.sealed_texts else set()
        blind |= analysis.blind_names(doc.sealed_names, "person", secret)
        text = "\n".join(doc.open_texts)
        rows.append(Document(
            record_type=doc.record_type, record_id=doc.record_id, uid=doc.uid, external_id=doc.external_id or "",
            label=doc.label[:400], text=text, terms=" ".join(terms),
            keys=" ".join(analysis.key(t) for t in terms), names=" ".join(analysis.whole_keys(text)),
            blind=" ".join(sorted(blind)),
            date_from=doc.date_from, date_to=doc.date_to,
        ))
    Document.objects.bulk_create(rows)
    with connection.cursor() as cur:
        backend.add(cur, [IndexRow(r.id, r.terms, r.keys, r.names, r.blind) for r in rows])
    Facet.objects.bulk_create([
        Facet(document_id=row.id, facet=f, value=v, via_type=vt, via_id=vi)
        for row, doc in zip(rows, docs) for f, v, vt, vi in sorted(doc.facets, key=str)
    ])
    return len(rows)


def _pks(record_type: str, uids: list[str]) -> list[int]:
    model = model_for(record_type)
    found = []
    for start in range(0, len(uids), LOOKUP_BATCH):
        found += model.all_objects.filter(uid__in=uids[start : start + LOOKUP_BATCH]).values_list("pk", flat=True)
    return found


def refresh(changed: dict[str, set[str]]) -> None:
    """Re-index the records named by uid ({type: uids}) and those whose facets they change."""
    if {"place", "organization"} & set(changed):
        documents.forget_reference()
    todo: dict[str, set[int]] = defaultdict(set)
    for record_type, uids in changed.items():
        pks = _pks(record_type, sorted(uids))
        todo[record_type].update(pks)
        for target, more in documents.dependents(record_type, pks).items():
            todo[target] |= more
    for record_type in INDEXED:
        if todo.get(record_type):
            index(record_type, todo[record_type])


def on_changeset(sender, changeset, **kwargs) -> None:
    from kirok.records.models import Version

    changed: dict[str, set[str]] = defaultdict(set)
    for record_type, uid in Version.objects.filter(changeset=changeset).values_list("record_type", "record_uid").iterator(chunk_size=LOOKUP_BATCH):
        changed[record_type].add(str(uid))
    refresh(changed)


def on_purged(sender, purge, **kwargs) -> None:
    """Re-index what the purge touched (its destroyed values are now commitments, which the
    documents leave out) and compact the index, inside the purge's transaction."""
    changed: dict[str, set[str]] = defaultdict(set)
    changed["source"].add(str(purge.source_uid))
    for record_type, uid, _field, _commit in purge.commitments or ():
        changed[record_type].add(str(uid))
    refresh(changed)
    with connection.cursor() as cur:
        backends.current().compact(cur)


def rebuild(progress: Callable[[str, int, int | None], None] = lambda label, done, total: None) -> dict[str, int]:
    """Drop the index and build it again from every live record, type by type, a batch per
    transaction (reads go on meanwhile, with partial results until it ends)."""
    backend = backends.current()
    documents.forget_reference()
    with transaction.atomic():
        with connection.cursor() as cur:
            backend.clear(cur)
        Facet.objects.all().delete()
        Document.objects.all().delete()
    counts = {}
    for record_type in INDEXED:
        pks = list(model_for(record_type).objects.order_by("pk").values_list("pk", flat=True))
        done = 0
        progress(record_type, 0, len(pks))
        for start in range(0, len(pks), BATCH * 4):
            part = pks[start : start + BATCH * 4]
            index(record_type, part)
            done += len(part)
            progress(record_type, done, len(pks))
        counts[record_type] = len(pks)
    with connection.cursor() as cur:
        backend.compact(cur)
    return counts
