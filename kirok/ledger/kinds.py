"""What the ledger logs, by kind, and how ``verify`` recomputes each entry's digest.

A kind knows two things: how to recompute the digests of a batch of its subjects from the data
they stand for, and which subjects must be in the ledger at all (so that something written but
never logged is caught). ``verify`` needs no change for a new kind.

Witness protection's audit rows are kinds too: "read" (a reveal of protected values),
"disclosure" (what left through the consent gate), "break-glass", "purge" (a consent withdrawal
carried out: its digest covers the reason and the commitments of what was destroyed, never a
value) and "consent" (a consent entry given or withdrawn). Each digest is the audit row's own
``row_digest`` (``kirok.protection.models.audit``), so the ledger never holds a protected value.

Linkage's decisions are kinds as well: "judgement" (a reviewer's same / different / unsure),
"merge" (two records joined, by a judgement or a run) and "merge-undo" (a merge undone: who,
when, why), digested by ``kirok.linkage.models``; an undo is an entry of its own, so the merge's
entry still verifies after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

from django.utils.translation import gettext as _

from . import verifier


@dataclass(frozen=True)
class Problem:
    """The first thing that does not add up: what and where, what it should be, what it is."""

    where: str
    expected: str
    found: str
    hint: str = ""

    def __str__(self) -> str:
        text = _("%(where)s: expected %(expected)s, found %(found)s") % {"where": self.where, "expected": self.expected, "found": self.found}
        return text + (f"; {self.hint}" if self.hint else "")


Recomputed = dict[str, "str | Problem"]


@dataclass(frozen=True)
class Kind:
    name: str
    recompute: Callable[[Sequence[str]], Recomputed]
    """subjects → the digest recomputed now, or a Problem found on the way; a subject missing
    from the result no longer exists."""
    must_log: Callable[[], Iterable[str]]
    """every subject that should have an entry"""


registry: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    registry[kind.name] = kind


def _ids(subjects: Sequence[str], prefix: str) -> dict[int, str]:
    out = {}
    for subject in subjects:
        head, _, number = subject.partition(":")
        if head == prefix and number.isdigit():
            out[int(number)] = subject
    return out


# --- changeset: the versions one changeset wrote -----------------------------------------------


class _BadVersion(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def _checked_leaves(versions: Iterable, digest_of_version) -> Iterator[bytes]:
    for version in versions:
        recomputed = digest_of_version(version)
        if recomputed != version.digest:
            raise _BadVersion(Problem(
                _("version %(id)s (%(type)s %(uid)s, changeset %(changeset)s)") % {
                    "id": version.pk, "type": version.record_type, "uid": version.record_uid, "changeset": version.changeset_id},
                _("digest %(digest)s (stored)") % {"digest": version.digest},
                _("its data hashes to %(digest)s") % {"digest": recomputed},
                _("the version's data or its stored digest was changed after it was written"),
            ))
        yield verifier.leaf_hash(bytes.fromhex(recomputed))


def _versions(changeset_ids: list[int]) -> Iterator:
    """The changesets' versions as Version instances, streamed in (changeset, id) order.

    Read with a plain query and built with ``Version.from_db``, the ORM's own constructor for
    loaded rows, with ``data`` converted by the field itself: the same instances the ORM makes,
    without its per-row machinery. The record's id and the action are left deferred: they are
    read (one query) only to name a bad version."""
    from django.db import connection

    from kirok.records.models import Version

    from . import sql

    names = ["id", "changeset_id", "record_type", "data", "digest"]
    data = Version._meta.get_field("data")
    for batch in sql.batches(Version, names, sql.column_in("changeset_id", changeset_ids), changeset_ids, ["changeset_id", "id"]):
        for pk, changeset_id, record_type, raw, digest in batch:
            yield Version.from_db(connection.alias, names,
                                  (pk, changeset_id, record_type, data.from_db_value(raw, None, connection), digest))


def _recompute_changesets(subjects: Sequence[str]) -> Recomputed:
    """Each version's digest from its data, then the changeset's tree head over them. Versions
    are streamed: one changeset may be an import of millions."""
    from kirok.records.history import digest_of_version

    wanted = _ids(subjects, "changeset")
    out: Recomputed = {}
    if not wanted:  # only malformed subjects (a tampered entry): nothing to read, and SQL has no empty IN ()
        return out
    for changeset_id, group in groupby(_versions(list(wanted)), key=attrgetter("changeset_id")):
        try:
            out[wanted[changeset_id]] = verifier.root_of(_checked_leaves(group, digest_of_version)).hex()
        except _BadVersion as bad:
            out[wanted[changeset_id]] = bad.problem
    return out


def _changesets_with_versions() -> Iterable[str]:
    from kirok.records.models import Version

    ids = Version.objects.order_by("changeset_id").values_list("changeset_id", flat=True).distinct()
    return (f"changeset:{i}" for i in ids.iterator(chunk_size=10000))


# --- custody: one custody event of an evidence item --------------------------------------------


def _recompute_custody(subjects: Sequence[str]) -> Recomputed:
    from kirok.evidence.models import CustodyEvent

    wanted = _ids(subjects, "custody")
    out: Recomputed = {}
    for event in CustodyEvent.objects.filter(pk__in=list(wanted)).select_related("item"):
        recomputed = event.compute_digest()
        if recomputed != event.digest:
            out[wanted[event.pk]] = Problem(
                _("custody event %(id)s (%(action)s of item %(item)s)") % {"id": event.pk, "action": event.action, "item": event.item.uid},
                _("digest %(digest)s (stored)") % {"digest": event.digest},
                _("its fields hash to %(digest)s") % {"digest": recomputed},
                _("the event or its stored digest was changed after it was recorded"),
            )
        else:
            out[wanted[event.pk]] = recomputed
    return out


def _custody_events() -> Iterable[str]:
    from kirok.evidence.models import CustodyEvent

    return (f"custody:{pk}" for pk in CustodyEvent.objects.order_by("pk").values_list("pk", flat=True).iterator())


# --- key: a checkpoint signing key, announced when it is made ----------------------------------


def key_subject(key_id: str) -> str:
    return f"key:{key_id}"


def _recompute_keys(subjects: Sequence[str]) -> Recomputed:
    from .models import SigningKey

    wanted = {s.partition(":")[2]: s for s in subjects}
    return {
        wanted[key.key_id]: verifier.key_digest(key.vkey, verifier.format_time(key.created))
        for key in SigningKey.objects.filter(key_id__in=list(wanted))
    }


def _keys() -> Iterable[str]:
    from .models import SigningKey

    return (key_subject(k) for k in SigningKey.objects.values_list("key_id", flat=True))


# --- witness protection: audit rows and consent entries ---------------------------------------


def _audit_model(name: str):
    from kirok.protection import models

    return getattr(models, name)


def _audit_kind(kind: str, model_name: str) -> Kind:
    """A kind whose subjects are ``<kind>:<row id>`` of one audit model, digested by ``row_digest``."""

    def recompute(subjects: Sequence[str]) -> Recomputed:
        wanted = _ids(subjects, kind)
        return {wanted[row.pk]: row.row_digest for row in _audit_model(model_name).objects.filter(pk__in=list(wanted))}

    def must_log() -> Iterable[str]:
        rows = _audit_model(model_name).objects.order_by("pk").values_list("pk", flat=True)
        return (f"{kind}:{pk}" for pk in rows.iterator())

    return Kind(kind, recompute, must_log)


def _recompute_consents(subjects: Sequence[str]) -> Recomputed:
    from kirok.protection.consents import digest
    from kirok.records.models import Consent

    wanted = _ids(subjects, "consent")
    return {wanted[c.pk]: digest(c) for c in Consent.objects.filter(pk__in=list(wanted)).select_related("source")}


def _withdrawals() -> Iterable[str]:
    """Every withdrawal must be logged; consents given in an import are covered by its changeset."""
    from kirok.records.models import Consent

    return (f"consent:{pk}" for pk in Consent.objects.filter(withdrawn=True).order_by("pk").values_list("pk", flat=True))


# --- linkage: reviewers' judgements, merges and their undoing ----------------------------------


def _linkage_kind(kind: str, model_name: str, digest: str, logged: dict | None = None) -> Kind:
    """``<kind>:<row id>`` of a linkage model, digested by the model's property ``digest``
    (``kirok.linkage.models``); ``logged`` filters the rows that must have an entry."""

    def model():
        from kirok.linkage import models

        return getattr(models, model_name)

    def recompute(subjects: Sequence[str]) -> Recomputed:
        wanted = _ids(subjects, kind)
        rows = model().objects.filter(pk__in=list(wanted), **(logged or {}))
        return {wanted[row.pk]: getattr(row, digest) for row in rows}

    def must_log() -> Iterable[str]:
        rows = model().objects.filter(**(logged or {})).order_by("pk").values_list("pk", flat=True)
        return (f"{kind}:{pk}" for pk in rows.iterator())

    return Kind(kind, recompute, must_log)


register(Kind("changeset", _recompute_changesets, _changesets_with_versions))
register(Kind("custody", _recompute_custody, _custody_events))
register(Kind("key", _recompute_keys, _keys))
register(_audit_kind("read", "ProtectedRead"))
register(_audit_kind("disclosure", "Disclosure"))
register(_audit_kind("break-glass", "BreakGlass"))
register(_audit_kind("purge", "Purge"))
register(Kind("consent", _recompute_consents, _withdrawals))
register(_linkage_kind("judgement", "Judgement", "row_digest"))
register(_linkage_kind("merge", "Merge", "row_digest"))
register(_linkage_kind("merge-undo", "Merge", "undo_digest", {"undone_at__isnull": False}))
