"""What the pages, the API and ``kirok link`` call: runs, the review queue, judgements, merges and
clusters, each for one user and checked here (deny by default).

* run — ``write_records`` (analysts run linkage); it compares the persons the user may see;
* queue, judge, undo a merge — ``review`` (reviewers judge), and both persons within reach;
* clusters and the canonical record — ``read_records``; values are revealed or masked as
  ``kirok.records.services`` does for that user, and audited.

A run opens protected names and birth dates **in memory** to derive keyed hashes from them
(``kirok.linkage.features``) and shows them to no one; the run is audited as a read of protected
values for the purpose "linkage keys", whoever started it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kirok.korean import keys as korean_keys
from kirok.ledger import services as ledger
from kirok.linkage import clusters, features, scoring
from kirok.linkage.models import Candidate, Judgement, Merge, Run
from kirok.linkage.settings import Settings, current
from kirok.protection import access
from kirok.protection.keys import keyring
from kirok.protection.principal import NotFound
from kirok.protection.reveal import DESTROYED, Revealer
from kirok.records import history
from kirok.records.exchange import ROW, SEALED
from kirok.records.models import Act, BiographicDetail, Involvement, Person, PersonName, Place
from kirok.records.services import get_record, principal_for
from kirok.types.dates import UncertainDate

PURPOSE = "linkage keys (derived in memory, shown to no one)"
CONFLICT_FLOOR = 0.001  # pairs scored this low are kept in memory as conflicts, not stored
BATCH = 2000


class LinkageError(ValueError):
    """A judgement or merge that would break a rule; the message says which and what to do."""


# --- what a run reads --------------------------------------------------------------------------


def _years(value) -> tuple[int | None, int | None]:
    if not value:
        return None, None
    try:
        date = UncertainDate.parse(value)
    except (TypeError, ValueError):
        return None, None
    return (date.earliest.year if date.earliest else None, date.latest.year if date.latest else None)


class Places:
    """Origin keys and provinces of places, computed once per place (the gazetteer is public)."""

    def __init__(self):
        self.parent: dict[int, int | None] = dict(Place.objects.values_list("pk", "parent_id"))
        self._keys: dict[int, set[str]] = {}

    def province(self, pk: int | None) -> int | None:
        seen = 0
        while pk is not None and self.parent.get(pk) is not None and seen < 20:
            pk, seen = self.parent[pk], seen + 1
        return pk

    def keys(self, pk: int | None) -> set[str]:
        if pk is None:
            return set()
        found = self._keys.get(pk)
        if found is None:
            place = Place.objects.get(pk=pk)
            names = {place.name_ko, place.name_rok, place.rr, place.mr, place.dprk, place.name_en,
                     *place.names.values_list("name", flat=True)}
            found = self._keys[pk] = {f"p:{pk}"} | {k for n in names if n for k in korean_keys(n, "place")}
        return found


class KeyReader:
    """Opens the protected names and birth dates a run derives its keys from, in memory, through
    ``kirok.protection.reveal.Revealer`` (its public ``dict``, as record pages use it), and audits
    them as a read for ``PURPOSE`` by whoever started the run, one audit row per ``AUDIT_BATCH``.

    Nothing opened here is shown: values become keyed hashes (``features.row``). A run is allowed
    to any role with ``write_records`` (analysts hold no ``see_protected``), so the revealer is
    one made for derivation (``Revealer.for_derivation``): the service has checked the capability
    and the compartments.
    """

    AUDIT_BATCH = 50_000

    def __init__(self, principal):
        self.principal = principal
        self._revealer = self._new()
        self._pending = 0
        self._destroyed = str(DESTROYED)

    def _new(self) -> Revealer:
        return Revealer.for_derivation(self.principal, PURPOSE)

    def person(self, uid: str, names: list[dict], birth: dict | None) -> tuple[list[str], str | None]:
        """(names, birth date) of one person; ``names`` and ``birth`` in the exchange form (a
        sealed value is ``{"$protected": envelope}``). Values destroyed by a consent withdrawal
        are left out."""
        data = {"id": uid, "names": names}
        if birth is not None:
            data["birth_date"] = birth
        opened = self._revealer.dict("person", data)
        found = [n.get("full_name") for n in opened["names"]]
        date = opened.get("birth_date")
        self._pending += 1
        if self._pending >= self.AUDIT_BATCH:
            self.flush()
        return ([n for n in found if n and n != self._destroyed],
                date if isinstance(date, str) and date != self._destroyed else None)

    def flush(self) -> None:
        self._revealer.flush()
        self._revealer, self._pending = self._new(), 0


def collect(persons, principal, progress=None) -> Iterator[features.Facts]:
    """The facts of ``persons`` (a queryset already limited to what the principal may see), a
    batch of ``BATCH`` persons at a time: a run over a million records holds the opened names of
    one batch, not of the collection (``features.table`` turns each into hashes as it comes)."""
    step = progress or (lambda label, done, total: None)
    places = Places()
    reader = KeyReader(principal)
    pks = list(persons.order_by("pk").values_list("pk", flat=True))
    for i in range(0, len(pks), BATCH):
        part = pks[i:i + BATCH]
        rows = persons.filter(pk__in=part).order_by("pk").values_list(
            "pk", "uid", "sex__code", "birth_date_from", "birth_date_to", "sealed", "origin_id", "source_id")
        names: dict[int, list[dict]] = defaultdict(list)
        linked_places: dict[int, set[int]] = defaultdict(set)
        units: dict[int, set[int]] = defaultdict(set)
        for person_id, full_name, sealed in PersonName.objects.filter(person_id__in=part).values_list("person_id", "full_name", "sealed"):
            envelope = (sealed or {}).get(ROW)
            names[person_id].append({"full_name": full_name} if envelope is None else {SEALED: envelope})
        for victim, place, event_places in Act.objects.filter(victim_id__in=part).values_list("victim_id", "place_id", "event__places"):
            linked_places[victim].update(p for p in (place, event_places) if p)
        for person, unit in Involvement.objects.filter(perpetrator_id__in=part, organization__isnull=False).values_list("perpetrator_id", "organization_id"):
            units[person].add(unit)
        for person, unit in BiographicDetail.objects.filter(person_id__in=part, organization__isnull=False).values_list("person_id", "organization_id"):
            units[person].add(unit)
        for pk, uid, sex, born_from, born_to, sealed, origin, source in rows:
            envelope = (sealed or {}).get("birth_date")
            opened, date = reader.person(str(uid), names.get(pk, []), None if envelope is None else {SEALED: envelope})
            birth = _years(date) if envelope is not None else (born_from.year if born_from else None, born_to.year if born_to else None)
            yield features.Facts(
                pk=pk, names=opened, birth=birth, sex=sex, origin=places.keys(origin),
                province=places.province(origin), places=linked_places.get(pk, set()), units=units.get(pk, set()), source=source,
            )
        step(_("reading persons"), min(i + BATCH, len(pks)), len(pks))
    reader.flush()


# --- runs ---------------------------------------------------------------------------------------


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def verdicts(pks=None) -> dict[tuple[int, int], str]:
    """The verdict in force for every judged pair (the latest judgement)."""
    found: dict[tuple[int, int], str] = {}
    rows = Judgement.objects.order_by("at", "id")
    if pks is not None:
        rows = rows.filter(left_id__in=pks, right_id__in=pks)
    for left, right, verdict in rows.values_list("left_id", "right_id", "verdict"):
        found[_pair(left, right)] = verdict
    return found


def run(*, user=None, progress=None, settings: Settings | None = None) -> Run:
    """Score every pair of persons the user may see; store the candidates, best first, for review.

    Pairs judged same or different are not proposed again (a ``different`` is apart for good;
    an ``unsure`` comes back with its new score); with
    ``auto_accept`` set, pairs above it that a field other than the name supports are merged.
    """
    principal = principal_for(user)
    principal.require("write_records")
    settings = settings or current()
    started = timezone.now()
    persons = access.visible(Person.objects.filter(group_size__isnull=True), principal)
    hasher = features.Hasher(keyring().secret("blind-index"))
    rows = features.table(collect(persons, principal, progress), hasher, workers=settings.feature_workers)
    pks = rows.column("unique_id").to_pylist()
    reach = persons.values("pk")  # a subquery: a million ids would not fit in an IN list
    judged = verdicts(reach)
    labels = [(a, b, v == Judgement.SAME) for (a, b), v in judged.items() if v != Judgement.UNSURE]
    floor = CONFLICT_FLOOR if settings.auto_accept is not None else settings.review_threshold
    explain = min(settings.review_threshold, settings.auto_accept or 1.0)  # what is stored or may merge alone
    scored, model = (scoring.score(rows, settings=settings, labels=labels, threshold=floor, explain=explain, progress=progress)
                     if len(rows) > 1 else ([], None))
    cluster = clusters_of(pks)
    with transaction.atomic():
        record = Run.objects.create(
            started_at=started, user=principal.user, actor=principal.actor, records=len(rows),
            model={"prior": model.prior, "levels": model.levels, "trained": model.trained} if model else {},
        )
        # this run's scores replace the open pairs it could see; pairs reaching outside stay
        Candidate.objects.filter(status=Candidate.OPEN, left_id__in=reach, right_id__in=reach).delete()
        fresh = [
            Candidate(run=record, left_id=s.left, right_id=s.right, weight=s.weight, probability=s.probability, fields=s.fields)
            for s in scored if s.probability >= settings.review_threshold
            and judged.get((s.left, s.right), Judgement.UNSURE) == Judgement.UNSURE  # "unsure" comes back
            and cluster.get(s.left, s.left) != cluster.get(s.right, s.right)
        ]
        Candidate.objects.bulk_create(fresh, batch_size=1000)
        auto = _auto_merge(record, scored, judged, settings, principal.actor) if settings.auto_accept is not None else 0
        record.candidates, record.auto_merged, record.finished_at = len(fresh), auto, timezone.now()
        record.save(update_fields=["candidates", "auto_merged", "finished_at"])
    return record


def _auto_merge(record: Run, scored: list, judged: dict, settings: Settings, actor: str) -> int:
    """Merge what the run may merge alone: above ``auto_accept``, supported by a field beside the
    name, joining no two clusters with a conflict across them (a reviewer's "different", or a
    pair the model scores below ``conflict_below``) and only two clusters whose pairs across match
    on average (``cluster_mean``)."""
    conflicts = [(s.left, s.right) for s in scored if s.probability < settings.conflict_below]
    conflicts += [pair for pair, verdict in judged.items() if verdict == Judgement.DIFFERENT]
    in_force = Merge.objects.filter(undone_at__isnull=True).values_list("left_id", "right_id")
    probability = {(s.left, s.right): s.probability for s in scored if s.probability >= settings.conflict_below}
    _roots, joins = clusters.greedy([(s.left, s.right) for s in scored if scoring.auto_merge(s, settings)], conflicts,
                                    fixed=in_force, probability=probability, mean=settings.cluster_mean)
    now = timezone.now()
    Merge.objects.bulk_create([Merge(left_id=a, right_id=b, run=record, at=now, actor=actor) for a, b in joins], batch_size=1000)
    ledger.append_many(("merge", f"merge:{m.pk}", m.row_digest) for m in Merge.objects.filter(run=record).order_by("pk"))
    for i in range(0, len(joins), 500):
        part = Q()
        for a, b in joins[i:i + 500]:
            part |= Q(left_id=a, right_id=b)
        Candidate.objects.filter(part, run=record).update(status=Candidate.AUTO)
    return len(joins)


# --- review ------------------------------------------------------------------------------------


def _reachable(candidates, principal):
    visible = access.visible(Person.objects.all(), principal).values("pk")
    return candidates.filter(left_id__in=visible, right_id__in=visible)


def queue(*, user=None, limit: int = 50):
    """Open candidate pairs, best first, that the reviewer may see both sides of."""
    principal = principal_for(user)
    principal.require("review")
    return _reachable(Candidate.objects.filter(status=Candidate.OPEN), principal).select_related("left", "right")[:limit]


def candidate(pk: int, *, user=None) -> Candidate:
    principal = principal_for(user)
    principal.require("review")
    found = _reachable(Candidate.objects.filter(pk=pk), principal).first()
    if found is None:
        raise NotFound(_("no candidate pair %(pk)s") % {"pk": pk})
    return found


@dataclass
class Side:
    """One side of a pair as a reviewer sees it: the record revealed or masked for them."""

    record: dict
    cluster: str


def side_by_side(pair: Candidate, *, user=None) -> tuple[Side, Side]:
    principal = principal_for(user)
    cluster = clusters_of([pair.left_id, pair.right_id])
    return tuple(
        Side(get_record("person", str(p.uid), user=principal, purpose="linkage review"), str(_canonical_uid(cluster.get(p.pk, p.pk))))
        for p in (pair.left, pair.right)
    )


def judge(left: Person, right: Person, verdict: str, *, reason: str, user=None, pair: Candidate | None = None) -> Judgement:
    """Record a reviewer's verdict on two person records; ``same`` merges them.

    Refused: a ``same`` that would put into one cluster two records judged different, and a
    ``different`` on records already in one cluster (undo the merge that joins them first)."""
    principal = principal_for(user)
    principal.require("review")
    for person in (left, right):
        access.check(person, principal)
    if verdict not in dict(Judgement.VERDICTS):
        raise LinkageError(_("verdict must be same, different or unsure, not %(v)r") % {"v": verdict})
    if not reason.strip():
        raise LinkageError(_("say why: every judgement keeps its reason"))
    if left.pk == right.pk:
        raise LinkageError(_("a record cannot be judged against itself"))
    a, b = _pair(left.pk, right.pk)
    with transaction.atomic():
        cluster = clusters_of()
        if verdict == Judgement.SAME and not _mergeable(a, b):
            raise LinkageError(_("these records were judged different persons, or their clusters hold records that were; a different is for good"))
        if verdict == Judgement.DIFFERENT and cluster.get(a, a) == cluster.get(b, b):
            raise LinkageError(_("these records are in one cluster: undo the merge that joins them before judging them different"))
        judgement = Judgement.objects.create(left_id=a, right_id=b, verdict=verdict, reason=reason.strip(), at=timezone.now(),
                                             user=principal.user, actor=principal.actor, candidate=pair)
        ledger.append("judgement", f"judgement:{judgement.pk}", judgement.row_digest)
        if verdict == Judgement.SAME and cluster.get(a, a) != cluster.get(b, b):
            merge = Merge.objects.create(left_id=a, right_id=b, judgement=judgement, at=judgement.at, actor=principal.actor)
            ledger.append("merge", f"merge:{merge.pk}", merge.row_digest)
        if verdict != Judgement.UNSURE:
            Candidate.objects.filter(left_id=a, right_id=b, status=Candidate.OPEN).update(status=Candidate.JUDGED)
    return judgement


def undo_merge(merge: Merge, *, reason: str, user=None) -> Merge:
    """Split what a merge joined; the merge row stays, marked, with who undid it and why."""
    principal = principal_for(user)
    principal.require("review")
    for person in (merge.left, merge.right):
        access.check(person, principal)
    if merge.undone_at is not None:
        raise LinkageError(_("merge %(uid)s was undone already") % {"uid": merge.uid})
    if not reason.strip():
        raise LinkageError(_("say why the merge is undone"))
    with transaction.atomic():
        merge.undone_at, merge.undone_by, merge.undo_reason = timezone.now(), principal.actor, reason.strip()
        merge.save(update_fields=["undone_at", "undone_by", "undo_reason"])
        ledger.append("merge-undo", f"merge-undo:{merge.pk}", merge.undo_digest)
    return merge


# --- clusters -----------------------------------------------------------------------------------


def clusters_of(pks=None) -> dict[int, int]:
    """Person key -> the smallest key in its cluster, over the merges in force (persons in no
    merge are their own cluster and are left out)."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for left, right in Merge.objects.filter(undone_at__isnull=True).values_list("left_id", "right_id"):
        a, b = root(left), root(right)
        if a != b:
            parent[max(a, b)] = min(a, b)
            parent.setdefault(min(a, b), min(a, b))
    found = {pk: root(pk) for pk in list(parent)}
    return found if pks is None else {pk: found[pk] for pk in pks if pk in found}


def _mergeable(a: int, b: int) -> bool:
    """No pair judged different may end up in one cluster."""
    cluster = clusters_of()
    members = defaultdict(set)
    for pk, root in cluster.items():
        members[root].add(pk)
    one = members.get(cluster.get(a, a), {a}) | {a}
    other = members.get(cluster.get(b, b), {b}) | {b}
    apart = Judgement.objects.filter(Q(left_id__in=one, right_id__in=other) | Q(left_id__in=other, right_id__in=one))
    latest = verdicts(one | other)
    return not any(latest.get(_pair(x, y)) == Judgement.DIFFERENT for x, y in apart.values_list("left_id", "right_id"))


def _canonical_uid(pk: int):
    return Person.all_objects.filter(pk=pk).values_list("uid", flat=True).first()


def cluster_ids(*, user=None) -> dict[int, str]:
    """Every person the user may see -> its cluster id (the Kirok id of the cluster's oldest
    record; a record in no cluster is its own)."""
    principal = principal_for(user)
    principal.require("read_records")
    cluster = clusters_of()
    persons = access.visible(Person.objects.all(), principal).values_list("pk", "uid")
    uids = dict(Person.all_objects.filter(pk__in=set(cluster.values())).values_list("pk", "uid"))
    return {pk: str(uids[cluster[pk]]) if pk in cluster else str(uid) for pk, uid in persons}


def canonical(person: Person, *, user=None) -> dict:
    """The cluster of ``person`` as one record: for every field, every member's value, with the
    member, the source it came from and the version (who, when, why) that set it. Nothing is
    chosen away: the reader sees where the sources agree and where they do not."""
    principal = principal_for(user)
    access.check(person, principal)
    cluster = clusters_of()
    root = cluster.get(person.pk, person.pk)
    members = [pk for pk, r in cluster.items() if r == root] or [person.pk]
    records = access.visible(Person.objects.filter(pk__in=members), principal).order_by("pk")
    values: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        data = get_record("person", str(record.uid), user=principal, purpose="linkage: canonical record")
        provenance = history.field_provenance(record)
        for name, value in data.items():
            if name == "id" or value in (None, "", [], {}):
                continue
            version = provenance.get(name)
            values[name].append({
                "value": value, "record": data["id"], "external_id": record.external_id, "source": data.get("source"),
                "set_by": version.changeset.actor if version else "", "set_at": version.changeset.at.isoformat() if version else "",
                "why": version.changeset.reason if version else "",
            })
    merges = Merge.objects.filter(Q(left_id__in=members) | Q(right_id__in=members)).order_by("at")
    return {"cluster": str(_canonical_uid(root)), "members": [str(r.uid) for r in records], "values": dict(values),
            "merges": [{"id": str(m.uid), "at": m.at.isoformat(), "by": m.actor, "undone_at": m.undone_at.isoformat() if m.undone_at else None,
                        "judgement": m.judgement.reason if m.judgement else "", "run": str(m.run.uid) if m.run else None} for m in merges]}
