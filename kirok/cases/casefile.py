"""The case file: what a prosecutor receives, as PDF, and the bundle of its supporting evidence.

Everything in the file passes the consent gate for one disclosure (scope ``prosecutors`` by
default): the matrix counts only links whose records may leave under the scope, the annex lists
only those acts, persons appear as the scope says (pseudonyms for prosecutors), protected values
are masked unless the scope reveals them and the user may see them, and the disclosure is
recorded with the PDF's SHA-256. The file says how many linked records consent held back, so
the reader knows the matrix is partial without learning what is missing.

``CaseSelection`` gives ``kirok.bundles.services.export_bundle`` the records and evidence items a
case rests on; the bundle writer passes them through the gate itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kirok.evidence.models import Item
from kirok.protection.gate import Gate
from kirok.protection.principal import Principal
from kirok.records.exchange import to_dict
from kirok.records.models import Act, BiographicDetail, Information, Involvement, Source
from kirok.records.registry import ORDER, model_for
from kirok.types.dates import UncertainDate
from kirok.web.documents import render_pdf

from . import command, matrix
from .models import Case
from .services import restricted_links

TEMPLATE = "cases/print/case_file.html"


@dataclass
class Evidence:
    item: Item
    source: str
    custody: list = field(default_factory=list)


@dataclass
class SuspectPart:
    label: str
    modes: list[str]
    matrix: matrix.Matrix
    positions: list[BiographicDetail]
    chains: list[command.Chain]


def _period(acts: list[Act]) -> UncertainDate:
    """The span of the acts' dates: the date the chain of command is asked for."""
    known = [a for a in acts if a.start_date.is_known]
    if not known:
        return UncertainDate()
    earliest = min(a.start_date.earliest for a in known)
    latest = max((a.end_date if a.end_date.is_known else a.start_date).latest for a in known)
    return UncertainDate.parse(f"{earliest.isoformat()}/{latest.isoformat()}")


def subject_label(suspect, gate: Gate) -> str:
    if suspect.person_id:
        return gate.person_label(to_dict(suspect.person))
    return str(suspect.organization)


def context(case: Case, gate: Gate) -> dict:
    """What the case-file template shows, each record passed through ``gate``."""
    principal = gate.principal
    links = restricted_links(case.links.all(), gate.queryset, principal)
    withheld = case.links.count() - links.count()
    acts = list(gate.queryset("act", Act.objects.filter(pk__in=case.links.values("act_id")))
                .select_related("act_type", "place", "event").order_by("start_date_from", "pk"))
    released_acts = [(act, gate.release("act", to_dict(act))) for act in acts]
    period = _period(acts)
    suspects = []
    for suspect in case.suspects.select_related("person", "organization").order_by("pk"):
        units, positions = [], []
        if suspect.person_id:
            positions = list(command.positions_of(suspect.person, gate.queryset))
            for position in positions:
                gate.release("biographic_detail", to_dict(position))
            units = list(dict.fromkeys(p.organization for p in positions))
        else:
            units = [suspect.organization]
        chains = [command.chain(unit, period, gate.queryset) for unit in units]
        for holder in (h for c in chains for level in c.levels for h in level.holders):
            gate.release("biographic_detail", to_dict(holder.detail))
        suspects.append(SuspectPart(subject_label(suspect, gate), suspect.modes, matrix.of_links(case, links, suspect), positions, chains))
    return {
        "case": case, "scope": gate.scope.code, "purpose": gate.purpose, "made_by": principal.actor, "made_at": timezone.now(),
        "matrix": matrix.of_links(case, links), "suspects": suspects, "acts": released_acts, "period": period,
        "evidence": _evidence(links, gate), "withheld_links": withheld, "dropped": dict(gate.dropped),
    }


def _evidence(links: QuerySet, gate: Gate) -> list[Evidence]:
    """The evidence items behind the links: linked directly, or files of the sources the linked
    records came from, if their source may leave."""
    sources = _sources_behind(links)
    allowed = set(gate.queryset("source", Source.objects.filter(pk__in=sources)).values_list("pk", flat=True))
    items = Item.objects.filter(Q(pk__in=links.values("item_id")) | Q(source_id__in=sources)).select_related("source")
    titles: dict[int, str] = {}
    out = []
    for item in items.order_by("received_at", "pk"):
        if item.source_id not in allowed:
            continue
        if item.source_id not in titles:
            titles[item.source_id] = gate.release("source", to_dict(item.source)).get("title", "")
        custody = item.custody.order_by().values("action").annotate(n=Count("id"), first=Min("at"), last=Max("at")).order_by("first")
        out.append(Evidence(item, titles[item.source_id], list(custody)))
    return out


def _sources_behind(links: QuerySet) -> set[int]:
    found: set[int] = set()
    for name, model in (("act", Act), ("information", Information), ("position", BiographicDetail)):
        found |= set(model.objects.filter(pk__in=links.values(f"{name}_id"), source__isnull=False).values_list("source_id", flat=True))
    found |= set(Item.objects.filter(pk__in=links.values("item_id"), source__isnull=False).values_list("source_id", flat=True))
    return found


def open_gate(output: Path | str, *, principal: Principal, scope: str, purpose: str) -> Gate:
    """The gate for one document written to the new file ``output``."""
    if not purpose.strip():
        raise ValueError(_("purpose: say why this document is made (it goes into the disclosure record)"))
    output = Path(output)
    if output.exists():
        raise FileExistsError(_("%(path)s exists; a document is written to a new file, never over another") % {"path": output})
    return Gate(principal=principal, scope=scope, destination=str(output.resolve()), purpose=purpose.strip())


def deliver(gate: Gate, output: Path, pdf: bytes):
    """Write ``pdf`` and record the disclosure with its SHA-256, both or neither."""
    partial = output.with_name(output.name + ".partial")
    partial.write_bytes(pdf)
    try:
        disclosure = gate.close({output.name: hashlib.sha256(pdf).hexdigest()})
        partial.replace(output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return disclosure


def export(case: Case, output: Path | str, *, principal: Principal, scope: str = "prosecutors", purpose: str,
           language: str | None = None) -> tuple[bytes, object]:
    """Write the case file to ``output`` (a new file) and record the disclosure; returns the PDF
    and the ``Disclosure``."""
    gate = open_gate(output, principal=principal, scope=scope, purpose=purpose)
    pdf = render_pdf(TEMPLATE, context(case, gate), language=language)
    return pdf, deliver(gate, Path(output), pdf)


class CaseSelection:
    """The records and evidence a case rests on, for a bundle: every linked act, passage,
    position and item (contradicting ones too: a prosecutor must see what weakens a case), the
    events, victims and involvements of the acts, the suspects, the sources all of these came
    from, their witnesses, and those sources' evidence files."""

    def __init__(self, case: Case):
        self.case = case
        links = case.links.all()
        acts = Act.objects.filter(pk__in=links.values("act_id"))
        involvements = Involvement.objects.filter(act__in=acts)
        self.ids: dict[str, set[int]] = {
            "act": set(acts.values_list("pk", flat=True)),
            "event": set(acts.values_list("event_id", flat=True)),
            "involvement": set(involvements.values_list("pk", flat=True)),
            "information": set(links.exclude(information=None).values_list("information_id", flat=True)),
            "biographic_detail": set(links.exclude(position=None).values_list("position_id", flat=True)),
            "organization": set(case.suspects.exclude(organization=None).values_list("organization_id", flat=True)),
        }
        persons = set(acts.exclude(victim=None).values_list("victim_id", flat=True))
        persons |= set(involvements.exclude(perpetrator=None).values_list("perpetrator_id", flat=True))
        persons |= set(case.suspects.exclude(person=None).values_list("person_id", flat=True))
        persons |= set(BiographicDetail.objects.filter(pk__in=self.ids["biographic_detail"]).values_list("person_id", flat=True))
        self.source_ids = _sources_behind(links)
        for record_type, pks in list(self.ids.items()):
            if record_type != "organization":
                self.source_ids |= set(model_for(record_type).objects.filter(pk__in=pks, source__isnull=False)
                                       .values_list("source_id", flat=True))
        persons |= set(Source.objects.filter(pk__in=self.source_ids, witness__isnull=False).values_list("witness_id", flat=True))
        self.ids["person"] = persons
        self.ids["source"] = self.source_ids
        self.item_ids = set(links.exclude(item=None).values_list("item_id", flat=True))

    def describe(self) -> str:
        return _("case %(id)s: the records and evidence linked to its legal elements") % {"id": self.case.uid}

    def items(self) -> QuerySet:
        return Item.objects.filter(Q(pk__in=self.item_ids) | Q(source_id__in=self.source_ids))

    def records(self) -> dict[str, QuerySet]:
        return {t: model_for(t).objects.filter(pk__in=self.ids.get(t, set())) for t in ORDER}
