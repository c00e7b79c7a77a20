"""What goes into a bundle: evidence items and the records they support, chosen one of three ways.

A ``Selection`` says which items and which records; the bundle writer passes both through the
consent gate, so a selection only ever proposes. Three are built in (``--source``, ``--case``,
``--all``); the legal app's case files will plug a real case in through the same protocol.

Until there is a case model (issue 8), a **case** is one event, named by its external id or Kirok
id, with everything linked to it: its acts, their victims, the involvements in them and their
perpetrators, the information about the event or its acts with the persons it names, the chains
and interventions that start from it, the sources all of these came from and those sources'
witnesses, and the evidence items of those sources.
"""

from __future__ import annotations

from typing import Protocol

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kirok.evidence.models import Item
from kirok.protection import access
from kirok.protection.principal import NotFound, Principal
from kirok.records.registry import ORDER, model_for


class SelectionError(LookupError):
    """A source or case that does not exist; the message names it."""


class Selection(Protocol):
    """Which evidence items and records a bundle is made of (before the consent gate)."""

    def describe(self) -> str:
        """One line for the bag's External-Description, by Kirok ids: external ids are withheld
        from most scopes."""

    def items(self) -> QuerySet:
        """Evidence items (originals and derivatives)."""

    def records(self) -> dict[str, QuerySet]:
        """Live records by record type: the versions of these go into the bundle."""


def _by_ref(record_type: str, ref: str, principal: Principal | None):
    """One live record by Kirok id or external id that ``principal`` may see, or None: a record
    out of reach is named as unknown, exactly like one that does not exist."""
    try:
        return access.get(record_type, ref, principal or Principal.console())
    except NotFound:
        return None


def _linked(source_ids: set[int], person_ids: set[int], ids: dict[str, set[int]]) -> dict[str, QuerySet]:
    """Querysets of ``ids`` by type, widened by everything that came from the sources, by their
    witnesses and by the named persons."""
    from kirok.records.models import Source

    witnesses = set(Source.all_objects.filter(pk__in=source_ids, witness__isnull=False).values_list("witness_id", flat=True))
    out = {}
    for record_type in ORDER:
        model = model_for(record_type)
        condition = Q(pk__in=ids.get(record_type, set())) | Q(source_id__in=source_ids)
        if record_type == "source":
            condition |= Q(pk__in=source_ids)
        if record_type == "person":
            condition |= Q(pk__in=person_ids | witnesses)
        out[record_type] = model.objects.filter(condition)
    return out


class SourceSelection:
    """Sources by Kirok id or external id, their evidence, and every record that came from them."""

    def __init__(self, refs: list[str], principal: Principal | None = None):
        from kirok.records.models import Information

        found, unknown = [], []
        for ref in refs:
            source = _by_ref("source", ref, principal)
            (found.append(source) if source else unknown.append(ref))
        if unknown:
            raise SelectionError(_("no source with id or external id %(refs)s") % {"refs": ", ".join(map(repr, unknown))})
        self.sources = found
        self.source_ids = {s.pk for s in found}
        about = Information.objects.filter(source_id__in=self.source_ids)
        self.ids = {
            "event": set(about.exclude(event=None).values_list("event_id", flat=True)),
            "act": set(about.exclude(act=None).values_list("act_id", flat=True)),
        }
        self.person_ids = set(about.exclude(person=None).values_list("person_id", flat=True))

    def describe(self) -> str:
        return _("sources %(ids)s") % {"ids": ", ".join(str(s.uid) for s in self.sources)}

    def items(self) -> QuerySet:
        return Item.objects.filter(source_id__in=self.source_ids)

    def records(self) -> dict[str, QuerySet]:
        return _linked(self.source_ids, self.person_ids, self.ids)


class CaseSelection:
    """An event and everything linked to it (the module's docstring lists what), until the
    legal app has cases of its own."""

    def __init__(self, ref: str, principal: Principal | None = None):
        from kirok.records.models import Act, ChainOfEvents, Information, Intervention, Involvement

        event = _by_ref("event", ref, principal)
        if event is None:
            raise SelectionError(_("no event with id or external id %(ref)r (a case is an event for now)") % {"ref": ref})
        self.event = event
        acts = Act.objects.filter(event=event)
        involvements = Involvement.objects.filter(act__in=acts)
        information = Information.objects.filter(Q(event=event) | Q(act__in=acts))
        interventions = Intervention.objects.filter(event=event)
        self.ids = {
            "event": {event.pk}, "act": set(acts.values_list("pk", flat=True)),
            "involvement": set(involvements.values_list("pk", flat=True)),
            "information": set(information.values_list("pk", flat=True)),
            "chain_of_events": set(ChainOfEvents.objects.filter(event=event).values_list("pk", flat=True)),
            "intervention": set(interventions.values_list("pk", flat=True)),
        }
        persons = set(acts.exclude(victim=None).values_list("victim_id", flat=True))
        persons |= set(involvements.exclude(perpetrator=None).values_list("perpetrator_id", flat=True))
        persons |= set(information.exclude(person=None).values_list("person_id", flat=True))
        for name in ("victim_id", "intervening_person_id"):
            persons |= set(interventions.exclude(**{name: None}).values_list(name, flat=True))
        self.person_ids = persons
        sources = set()
        for record_type, pks in self.ids.items():
            sources |= set(model_for(record_type).objects.filter(pk__in=pks, source__isnull=False).values_list("source_id", flat=True))
        self.source_ids = sources

    def describe(self) -> str:
        return _("case: event %(id)s and everything linked to it") % {"id": self.event.uid}

    def items(self) -> QuerySet:
        return Item.objects.filter(source_id__in=self.source_ids)

    def records(self) -> dict[str, QuerySet]:
        """Only what hangs off the event; records that merely share one of its sources stay out."""
        from kirok.records.models import Source

        out = {t: model_for(t).objects.filter(pk__in=self.ids.get(t, set())) for t in ORDER}
        out["source"] = Source.objects.filter(pk__in=self.source_ids)
        witnesses = set(out["source"].exclude(witness=None).values_list("witness_id", flat=True))
        out["person"] = model_for("person").objects.filter(pk__in=self.person_ids | witnesses)
        return out


class AllSelection:
    """Every evidence item and every live record."""

    def describe(self) -> str:
        return _("the whole workspace")

    def items(self) -> QuerySet:
        return Item.objects.all()

    def records(self) -> dict[str, QuerySet]:
        return {record_type: model_for(record_type).objects.all() for record_type in ORDER}
