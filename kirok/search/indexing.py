"""Keeping the index current: documents written when records change, removed when they go,
hashes of purged values destroyed, and the whole index rebuilt on demand.

* ``changeset_closed`` (every edit and every import) → ``on_changeset``:
  - a **small** changeset (an edit, a web form, a small import: at most ``inline_max()``
    versions, ``KIROK_SEARCH_INLINE_MAX``, default 1,000) is indexed inside its own transaction,
    so the index never disagrees with committed records;
  - a **large** one (an import of thousands of records, a field protected across a collection)
    writes a ``Pending`` marker inside its transaction and is indexed **after commit**
    (``transaction.on_commit``), a range of versions at a time, each batch its own transaction,
    in bounded memory; the marker goes when it is done. Indexing inside the import's
    transaction held every document of 200,000 records and made the import several times slower
    (docs/benchmarks.md). A marker left behind (a crash, an error after commit) is finished by
    ``kirok search reindex --pending`` (``finish_pending``); meanwhile search answers from what
    is indexed, and ``pending()`` says how much is missing.
  - the changeset of a consent withdrawal is left to ``on_purged``, which re-indexes the same
    source (and everything else the purge touched) once, after the values are destroyed.
* ``purged`` → ``on_purged``: the records whose protected values were destroyed are
  re-indexed without them, and the backend compacts its index so that the old blind tokens
  leave the database file.
* ``kirok search reindex`` → ``rebuild``.

Records are re-indexed with those whose facets they change (an act's event, an involvement's act
and event, information's event and act).
"""

from __future__ import annotations

import contextvars
import gc
import logging
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from kirok.records.registry import model_for
from kirok.search import analysis, backends, documents
from kirok.search.backends import IndexRow
from kirok.search.documents import INDEXED, Doc
from kirok.search.models import Document, Facet, Pending

log = logging.getLogger(__name__)
BATCH = 500
LOOKUP_BATCH = 5000
RANGE = 2000  # version ids read at a time by the indexing after commit
INLINE_MAX = 1000
PURGE_KIND = "consent_withdrawal"

Progress = Callable[[str, int, int | None], None]
_progress: contextvars.ContextVar[Progress | None] = contextvars.ContextVar("kirok_search_progress", default=None)
_later: contextvars.ContextVar[bool] = contextvars.ContextVar("kirok_search_later", default=False)


def inline_max() -> int:
    """Changesets of at most this many versions are indexed inside their transaction
    (``KIROK_SEARCH_INLINE_MAX``, default 1,000); larger ones after commit."""
    try:
        return max(0, int(os.environ.get("KIROK_SEARCH_INLINE_MAX", INLINE_MAX)))
    except ValueError:
        return INLINE_MAX


@contextmanager
def reporting(update: Progress):
    """Report the indexing after commit of changesets closed inside this block (``kirok
    import``: its own progress bar, not a silent pause after the last row)."""
    token = _progress.set(update)
    try:
        yield
    finally:
        _progress.reset(token)


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
            known = _remove(backend, Document.objects.filter(record_type=record_type, record_id__in=part))
            written += write(backend, docs, known)
    return written


Analysed = tuple[str, str, str]  # terms, keys, names of an open text


def _remove(backend, queryset) -> dict[tuple[int, str], Analysed]:
    """Remove documents; returns what was analysed of their open texts, {(record key, text):
    (terms, keys, names)}, so that a document whose open text did not change is written again
    without running Kiwi (a facet that changed, a purge that destroyed only protected values)."""
    rows, known = [], {}
    for doc_id, record_id, text, terms, keys, names, blind in queryset.values_list("id", "record_id", "text", "terms", "keys", "names", "blind"):
        rows.append(IndexRow(doc_id, terms, keys, names, blind))
        known[(record_id, text)] = (terms, keys, names)
    if not rows:
        return known
    ids = [r.doc_id for r in rows]
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cur:
        backend.remove(cur, rows)
        # Plain DELETEs: the ORM's delete() would first read every facet row to cascade.
        cur.execute(f"DELETE FROM {Facet._meta.db_table} WHERE document_id IN ({marks})", ids)
        cur.execute(f"DELETE FROM {Document._meta.db_table} WHERE id IN ({marks})", ids)
    return known


def write(backend, docs: list[Doc], known: dict[tuple[int, str], Analysed] | None = None) -> int:
    """Insert documents (and their facets and full-text rows). Open texts are analysed unless
    ``known`` holds their analysis from before; protected texts always are (only their keyed
    hashes were kept)."""
    if not docs:
        return 0
    known = known or {}
    secret = analysis._secret()
    texts = ["\n".join(d.open_texts) for d in docs]
    fresh = [i for i, (doc, text) in enumerate(zip(docs, texts)) if (doc.record_id, text) not in known]
    analysed = dict(zip(fresh, analysis.analyse_many([texts[i] for i in fresh]))) if fresh else {}
    sealed_docs = [d for d in docs if d.sealed_texts]
    sealed = iter(analysis.analyse_many(["\n".join(d.sealed_texts) for d in sealed_docs]) if sealed_docs else ())
    rows = []
    for i, (doc, text) in enumerate(zip(docs, texts)):
        blind = analysis.blind_terms(next(sealed), secret) if doc.sealed_texts else set()
        blind |= analysis.blind_names(doc.sealed_names, "person", secret)
        if i in analysed:
            found = analysed[i]
            terms, keys, names = " ".join(found), " ".join(analysis.key(t) for t in found), " ".join(analysis.whole_keys(text))
        else:
            terms, keys, names = known[(doc.record_id, text)]
        rows.append(Document(
            record_type=doc.record_type, record_id=doc.record_id, uid=doc.uid, external_id=doc.external_id or "",
            label=doc.label[:400], text=text, terms=terms, keys=keys, names=names,
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


@contextmanager
def later():
    """Leave the large changesets closed inside this block to ``kirok search reindex --pending``
    (``kirok import --index-later``: the import ends at its commit, and the indexing of a
    million records runs when and where the operator chooses)."""
    token = _later.set(True)
    try:
        yield
    finally:
        _later.reset(token)


def on_changeset(sender, changeset, **kwargs) -> None:
    """Index what the changeset wrote: now if it is small, after commit if it is large."""
    from kirok.records.models import Version

    if changeset.kind == PURGE_KIND:
        return  # on_purged follows in the same transaction and re-indexes the source with the rest
    versions = Version.objects.filter(changeset=changeset)
    limit = inline_max()
    if versions[: limit + 1].count() > limit:
        Pending.objects.create(changeset_id=changeset.pk, versions=versions.count())
        if not _later.get():
            transaction.on_commit(lambda: _after_commit(changeset.pk))
        return
    changed: dict[str, set[str]] = defaultdict(set)
    for record_type, uid in versions.values_list("record_type", "record_uid").iterator(chunk_size=LOOKUP_BATCH):
        changed[record_type].add(str(uid))
    refresh(changed)


def _after_commit(changeset_id: int) -> None:
    """The indexing of a large changeset, once it has committed. A failure here cannot undo the
    commit: it is logged (without values) and the marker stays for ``reindex --pending``."""
    try:
        index_pending(changeset_id, _progress.get() or _quiet)
    except Exception as exc:  # noqa: BLE001 — the records are committed; the marker keeps the work
        log.error(
            "search: indexing changeset %s after commit stopped (%s); run `kirok search reindex --pending` to finish it",
            changeset_id, type(exc).__name__,
        )


def _quiet(label: str, done: int, total: int | None) -> None:
    return None


def pending() -> int:
    """How many changesets are committed but not yet (fully) indexed."""
    return Pending.objects.count()


def finish_pending(progress: Progress = _quiet) -> int:
    """Index every changeset left pending (oldest first); returns how many were finished."""
    done = 0
    last = 0
    while (marker := Pending.objects.filter(changeset_id__gt=last).order_by("changeset_id").first()) is not None:
        last = marker.changeset_id
        if index_pending(marker.changeset_id, progress):
            done += 1
    return done


@contextmanager
def _collecting() -> Iterator[None]:
    """Run with Python's cyclic garbage collector on. ``kirok import`` pauses it while it writes
    (``kirok.records.importing.import_streams``), and the indexing after its commit, being a
    ``transaction.on_commit`` hook of that import, ran inside the pause. Every batch leaves
    reference cycles (a record's rows prefetched by Django point back to it; the closure that
    opens sealed values refers to itself), which only that collector frees: without it they
    piled up at about 10 kB a document, 22 GB at 1,000,000 records (docs/benchmarks.md)."""
    paused = not gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if paused:
            gc.disable()


@_collecting()
def index_pending(changeset_id: int, progress: Progress = _quiet) -> bool:
    """Index the records a committed changeset wrote, and those whose facets they change, a
    range of versions at a time (each its own transaction), then remove its marker.

    Memory stays bounded whatever the size of the changeset: version ids are read by range
    (``RANGE`` at a time, by primary key, so each read is an index range scan on both
    databases), only the records outside the changeset whose facets it changes (an existing
    event that gained acts) are remembered, to index each of them once, and the cyclic garbage
    collector runs even inside an import that paused it (``_collecting``). Every batch
    locks the marker first, so two processes finishing the same changeset take turns and the
    second stops when the first is done. Returns False if there was nothing (left) to do.
    """
    from kirok.records.models import Version

    label = _("search index")
    versions = Version.objects.filter(changeset_id=changeset_id)
    bounds = versions.aggregate(lo=Min("id"), hi=Max("id"))
    lo, hi = bounds["lo"], bounds["hi"]
    total = Pending.objects.filter(changeset_id=changeset_id).values_list("versions", flat=True).first()
    if total is None:
        return False
    documents.forget_reference()
    progress(label, 0, total)
    seen_dependents: dict[str, set[int]] = defaultdict(set)
    done = 0
    start = lo if lo is not None else 0
    while lo is not None and start <= hi:
        end = start + RANGE
        with transaction.atomic():
            if not _claim(changeset_id):
                return False
            changed: dict[str, set[str]] = defaultdict(set)
            for record_type, uid in versions.filter(id__gte=start, id__lt=end).values_list("record_type", "record_uid"):
                changed[record_type].add(str(uid))
            done += sum(map(len, changed.values()))
            _index_range(changeset_id, changed, seen_dependents)
        progress(label, min(done, total), total)
        start = end
    with transaction.atomic():
        Pending.objects.filter(changeset_id=changeset_id).delete()
    progress(label, total, total)
    return True


def _claim(changeset_id: int) -> bool:
    """Lock the marker for this batch's transaction (PostgreSQL row lock; SQLite's IMMEDIATE
    transactions already take turns); False once another process has finished it."""
    return Pending.objects.select_for_update().filter(changeset_id=changeset_id).exists()


def _index_range(changeset_id: int, changed: dict[str, set[str]], seen: dict[str, set[int]]) -> None:
    """One batch of a changeset indexed after commit: its records, and the records outside the
    changeset whose facets they change (each once per changeset: ``seen``). Records of the
    changeset itself need no second pass — everything they depend on is committed already."""
    from kirok.records.models import Version

    if {"place", "organization"} & set(changed):
        documents.forget_reference()
    todo: dict[str, set[int]] = defaultdict(set)
    for record_type, uids in changed.items():
        pks = _pks(record_type, sorted(uids))
        if record_type in INDEXED:
            todo[record_type].update(pks)
        for target, more in documents.dependents(record_type, pks).items():
            more = more - seen[target] - todo[target]
            if not more:
                continue
            outside = set(
                model_for(target).all_objects.filter(pk__in=more)
                .exclude(uid__in=Version.objects.filter(changeset_id=changeset_id, record_type=target).values("record_uid"))
                .values_list("pk", flat=True)
            )
            seen[target] |= outside
            todo[target] |= outside
    for record_type in INDEXED:
        if todo.get(record_type):
            index(record_type, todo[record_type])


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


def rebuild(progress: Progress = _quiet) -> dict[str, int]:
    """Drop the index and build it again from every live record, type by type, a batch per
    transaction (reads go on meanwhile, with partial results until it ends)."""
    backend = backends.current()
    documents.forget_reference()
    covered = list(Pending.objects.values_list("changeset_id", flat=True))  # committed before: rebuilt below
    with transaction.atomic():
        with connection.cursor() as cur:
            backend.clear(cur)
        Facet.objects.all().delete()
        Document.objects.all().delete()
    counts = {}
    for record_type in INDEXED:
        live = model_for(record_type).objects.order_by("pk")
        total = live.count()
        done, last = 0, 0
        progress(record_type, 0, total)
        while part := list(live.filter(pk__gt=last).values_list("pk", flat=True)[: BATCH * 4]):  # keyset: bounded memory
            index(record_type, part)
            done += len(part)
            last = part[-1]
            progress(record_type, done, total)
        counts[record_type] = done
    with connection.cursor() as cur:
        backend.compact(cur)
    Pending.objects.filter(changeset_id__in=covered).delete()
    return counts
