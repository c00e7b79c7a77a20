"""What leaves the workspace from linkage, always through the consent gate.

* ``export_clusters`` — ``external_id,cluster_id`` for every person record, so that an outside
  answer key can score a run (internal use: external ids are what it joins on).
* ``export_mse`` — the list-overlap table for multiple systems estimation (HRDAG's practice):
  one row per resolved victim and stratum (violation type, province, period), ``in_<list>``
  0/1 columns, how many records and which linkage decisions stand behind the row. Victims are
  counted once per cluster. The file's SHA-256 is printed and kept in the disclosure record.
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from kirok.linkage import services
from kirok.linkage.models import Merge
from kirok.linkage.settings import current
from kirok.protection.gate import Gate
from kirok.protection.pseudonyms import pseudonym
from kirok.records.models import Act, Person, Place
from kirok.records.services import principal_for

UNKNOWN_LIST = "kirok"


@dataclass
class Exported:
    path: Path
    rows: int
    sha256: str
    victims: int = 0
    records: int = 0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _close(gate: Gate, path: Path, rows: int, **counts) -> Exported:
    sha = _sha256(path)
    gate.close({path.name: sha})
    return Exported(path, rows, sha, **counts)


def export_clusters(path: Path, *, user=None, scope: str = "internal", purpose: str = "") -> Exported:
    """Write ``external_id,cluster_id`` for every person record that may leave under ``scope``."""
    principal = principal_for(user)
    gate = Gate(principal=principal, scope=scope, destination=str(path), purpose=purpose or "linkage clusters")
    if gate.scope.pseudonymise:
        raise services.LinkageError(_("scope %(scope)s leaves external ids out; cluster exports are for internal scoring") % {"scope": scope})
    ids = services.cluster_ids(user=principal)
    persons = gate.queryset("person", Person.objects.all()).order_by("pk").values_list("pk", "uid", "external_id")
    rows = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["external_id", "cluster_id"])
        for pk, uid, external_id in persons:
            gate.release("person", {"id": str(uid)})
            out.writerow([external_id or str(uid), ids.get(pk, str(uid))])
            rows += 1
    return _close(gate, path, rows)


def list_of(external_id: str | None) -> str:
    """Which documenting list a record belongs to: the prefix of its external id (nkdb:P-12)."""
    prefix, sep, _rest = (external_id or "").partition(":")
    return prefix if sep and prefix else UNKNOWN_LIST


def _period(year: int | None, width: int, unknown: str) -> str:
    if year is None:
        return unknown
    start = year - year % width
    return f"{start}-{start + width - 1}"


def export_mse(path: Path, *, user=None, scope: str = "internal", purpose: str = "") -> Exported:
    """The list-overlap table (module docstring): one row per victim cluster × stratum."""
    principal = principal_for(user)
    cfg = current().mse
    width, unknown = int(cfg.get("period_years", 5)), str(cfg.get("unknown", "unknown"))
    gate = Gate(principal=principal, scope=scope, destination=str(path), purpose=purpose or "linkage: list overlap for estimation")
    persons = dict(gate.queryset("person", Person.objects.all()).values_list("pk", "external_id"))
    uids = dict(Person.objects.filter(pk__in=persons).values_list("pk", "uid"))
    cluster = services.clusters_of(persons)
    places = services.Places()
    codes = dict(Place.objects.values_list("pk", "iso_code"))
    rows: dict[tuple, dict] = {}
    lists = sorted({list_of(e) for e in persons.values()})
    acts = gate.queryset("act", Act.objects.filter(victim_id__in=list(persons))).values_list(
        "victim_id", "act_type__code", "place_id", "start_date_from")
    for victim, act_type, place, started in acts:
        root = cluster.get(victim, victim)
        province = places.province(place)
        stratum = (root, act_type, codes.get(province) or unknown if province else unknown, _period(started.year if started else None, width, unknown))
        row = rows.setdefault(stratum, {"lists": set(), "records": set()})
        row["lists"].add(list_of(persons[victim]))
        row["records"].add(victim)
    merges = defaultdict(list)
    for m in Merge.objects.filter(undone_at__isnull=True, left_id__in=list(persons)).values_list("left_id", "uid", "judgement_id"):
        merges[cluster.get(m[0], m[0])].append(("judged" if m[2] else "auto", str(m[1])))
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["victim", "violation_type", "province", "period", *(f"in_{name}" for name in lists), "records", "linkage", "merges"])
        for (root, act_type, province, period), row in sorted(rows.items(), key=lambda kv: (str(uids[kv[0][0]]), *kv[0][1:])):
            victim = pseudonym(str(uids[root])) if gate.scope.pseudonymise else str(uids[root])
            decided = merges.get(root, [])
            linkage = "single record" if len(row["records"]) == 1 and not decided else (
                f"judged {sum(1 for k, _ in decided if k == 'judged')}, auto {sum(1 for k, _ in decided if k == 'auto')}")
            out.writerow([victim, act_type, province, period, *(int(name in row["lists"]) for name in lists),
                          len(row["records"]), linkage, ";".join(uid for _, uid in decided)])
            for pk in row["records"]:
                gate.release("person", {"id": str(uids[pk])})
    victims = len({key[0] for key in rows})
    return _close(gate, path, len(rows), victims=victims, records=len({pk for r in rows.values() for pk in r["records"]}))
