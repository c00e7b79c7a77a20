"""Sanctions dossier: one perpetrator (a person or a unit) laid out for a designation request —
identifiers, positions over time, the acts linked to them and the evidence behind those acts.

The same builder serves the page (records within the reader's reach, protected values masked)
and the PDF (records through the consent gate for scope ``sanctions``, persons as the scope
says, the disclosure recorded). For a person, the acts are those they are named in as
perpetrator and those of the units they held a position in while they held it; for a unit, the
acts it is named in and the people who held positions in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from kirok.evidence.models import Item
from kirok.protection import access
from kirok.protection.principal import NotFound, Principal
from kirok.protection.pseudonyms import pseudonym
from kirok.records.exchange import to_dict
from kirok.records.models import Act, BiographicDetail, Information, Involvement, Source
from kirok.web.documents import render_pdf

from .casefile import deliver, open_gate
from .services import Restrict

TEMPLATE = "cases/print/dossier.html"
Release = Callable[[str, dict], dict]


@dataclass
class LinkedAct:
    act: Act
    data: dict
    how: str  # why the act is in the dossier


@dataclass
class Dossier:
    kind: str
    subject: object
    label: str
    identifiers: list[tuple[str, str]]
    positions: list[BiographicDetail] = field(default_factory=list)
    acts: list[LinkedAct] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


def _person_identifiers(data: dict, label: str) -> list[tuple[str, str]]:
    rows = [(_("Pseudonym"), pseudonym(data["id"])), (_("Kirok id"), data["id"])]
    if data.get("external_id"):
        rows.append((_("External id"), data["external_id"]))
    for name in data.get("names") or []:
        shown = name.get("full_name") if isinstance(name, dict) else name
        rows.append((_("Name"), str(shown or label)))
    for key, title in (("sex", _("Sex")), ("birth_date", _("Date of birth")), ("occupation", _("Occupation"))):
        if data.get(key):
            rows.append((title, str(data[key])))
    return rows


def _unit_identifiers(unit) -> list[tuple[str, str]]:
    rows = [(_("Name (Korean)"), unit.name_ko), (_("Name (English)"), unit.name_en or "—"), (_("Kirok id"), str(unit.uid))]
    if unit.parent_id:
        rows.append((_("Parent unit (registry)"), str(unit.parent)))
    rows += [(_("Former or other name"), f"{n.name} ({n.valid_from or '?'} – {n.valid_to or '…'})") for n in unit.names.all()]
    return rows


def build(kind: str, ref: str, principal: Principal, restrict: Restrict, release: Release) -> Dossier:
    """The dossier of the person or unit ``ref``; ``NotFound`` if it is out of reach or may not
    be shown (``restrict``)."""
    subject = access.get(kind, ref, principal)
    model = type(subject)
    if kind == "person" and not restrict("person", model.objects.filter(pk=subject.pk)).exists():
        raise NotFound(_("no %(type)s %(ref)s") % {"type": kind, "ref": ref})
    if kind == "person":
        data = release("person", to_dict(subject))
        dossier = Dossier(kind, subject, pseudonym(str(subject.uid)), _person_identifiers(data, pseudonym(str(subject.uid))))
        positions = restrict("biographic_detail", BiographicDetail.objects.filter(person=subject, organization__isnull=False))
        involvements = Involvement.objects.filter(perpetrator=subject)
    else:
        dossier = Dossier(kind, subject, str(subject), _unit_identifiers(subject))
        positions = restrict("biographic_detail", BiographicDetail.objects.filter(organization=subject))
        involvements = Involvement.objects.filter(organization=subject)
    dossier.positions = list(positions.select_related("organization", "person", "relationship").order_by("start_date_from", "pk"))
    for position in dossier.positions:
        release("biographic_detail", to_dict(position))
    found: dict[int, str] = {}
    for act_id in involvements.values_list("act_id", flat=True):
        found.setdefault(act_id, _("named as perpetrator"))
    if kind == "person":
        for position in dossier.positions:
            unit_acts = Act.objects.filter(involvements__organization=position.organization)
            for act in unit_acts.only("pk", "start_date_from", "start_date_to", "start_date_type"):
                if act.pk not in found and _during(act, position):
                    found[act.pk] = _("by %(unit)s while %(position)s") % {"unit": position.organization, "position": position.position or "—"}
    acts = restrict("act", Act.objects.filter(pk__in=found)).select_related("act_type", "place").order_by("start_date_from", "pk")
    dossier.acts = [LinkedAct(act, release("act", to_dict(act)), found[act.pk]) for act in acts]
    _evidence(dossier, restrict, release)
    return dossier


def _during(act: Act, position: BiographicDetail) -> bool:
    """Could the act have happened while the position was held (uncertain dates overlap)?"""
    start, end = position.start_date, position.end_date
    return act.start_date.overlaps(start.earliest if start.is_known else None, end.latest if end.is_known else None)


def _evidence(dossier: Dossier, restrict: Restrict, release: Release) -> None:
    acts = [a.act.pk for a in dossier.acts]
    source_ids = set(Act.objects.filter(pk__in=acts, source__isnull=False).values_list("source_id", flat=True))
    source_ids |= set(Information.objects.filter(act_id__in=acts, source__isnull=False).values_list("source_id", flat=True))
    source_ids |= {p.source_id for p in dossier.positions if p.source_id}
    sources = restrict("source", Source.objects.filter(pk__in=source_ids)).select_related("kind").order_by("pk")
    dossier.sources = [release("source", to_dict(source)) | {"kind_label": source.kind.label if source.kind_id else ""} for source in sources]
    dossier.items = list(Item.objects.filter(source__in=sources).order_by("received_at", "pk"))


def export(kind: str, ref: str, output: Path, *, principal: Principal, purpose: str, scope: str = "sanctions",
           language: str | None = None) -> tuple[bytes, object]:
    """Write the dossier PDF through the consent gate (a new file); returns the PDF and the
    ``Disclosure``."""
    gate = open_gate(output, principal=principal, scope=scope, purpose=purpose)
    found = build(kind, ref, principal, gate.queryset, gate.release)
    pdf = render_pdf(TEMPLATE, {"dossier": found, "scope": gate.scope.code, "purpose": gate.purpose, "made_by": principal.actor,
                                "made_at": timezone.now(), "withheld": dict(gate.dropped)}, language=language)
    return pdf, deliver(gate, Path(output), pdf)
