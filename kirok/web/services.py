"""Writes the workspace makes: a testimony with its consent, an incident with its acts, evidence.

The record has no create services of its own yet (``kirok.records.services`` reads, deletes and
restores), so the pages' writes are composed here from the record's own machinery and nothing
else: every write happens inside ``kirok.records.history.changeset`` (versions, digests and the
ledger entry follow from it), protected values are sealed by the protection layer as the models
are saved, new sources, events and persons go into a compartment the writer belongs to
(``kirok.protection.compartments.assigning``), and evidence goes through
``kirok.evidence.services.add_stream``. Each function checks its capability first (deny by
default) and resolves every referenced record through ``kirok.protection.access``, so a page can
never link to a record its user may not see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from kirok.evidence.services import Capture, Intake, add_stream
from kirok.protection import access
from kirok.protection.compartments import assigning
from kirok.protection.models import Compartment
from kirok.protection.principal import NotFound, Principal
from kirok.records import history
from kirok.records.models import (
    Act, Consent, Event, Information, Involvement, Organization, Person, PersonName, Place, Source, Term,
)


class DraftError(ValueError):
    """A draft that cannot be saved; ``field`` names the form field to fix."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def compartments_for(principal: Principal) -> list[Compartment]:
    """Where this user may put new records: the compartments they are a member of (a record put
    anywhere else would vanish from their sight as it is saved)."""
    return list(Compartment.objects.filter(memberships__user_id=principal.user_id).order_by("key"))


def _compartment(principal: Principal, key: str) -> str:
    allowed = {c.key for c in compartments_for(principal)}
    if key not in allowed:
        raise DraftError(_("choose one of your compartments; you are not a member of %(key)r") % {"key": key}, "compartment")
    return key


def term(vocabulary: str, code: str) -> Term | None:
    if not code:
        return None
    found = Term.objects.filter(vocabulary__key=vocabulary, code=code).first()
    if found is None:
        raise DraftError(_("%(code)r is not a term of the %(vocabulary)s list") % {"code": code, "vocabulary": vocabulary})
    return found


def person(ref: str, principal: Principal) -> Person:
    try:
        return access.get("person", ref, principal)
    except NotFound:
        raise DraftError(_("no person %(ref)s that you may see; give a Kirok id or an external id") % {"ref": ref}) from None


def source(ref: str, principal: Principal) -> Source:
    try:
        return access.get("source", ref, principal)
    except NotFound:
        raise DraftError(_("no source %(ref)s that you may see") % {"ref": ref}, "source") from None


def _public(model, uid: str, what: str, field_name: str):
    found = model.objects.filter(uid=uid).first() if uid else None
    if found is None:
        raise DraftError(_("no %(what)s with id %(uid)s") % {"what": what, "uid": uid}, field_name)
    return found


# --- testimony intake -------------------------------------------------------------------------

@dataclass
class Testimony:
    compartment: str
    title: str
    interviewer: str
    language: str = ""
    date: str = ""
    testimony_basis: str = ""
    transcript: str = ""
    description: str = ""
    witness_name: str = ""
    witness_latin: str = ""
    witness_sex: str = ""
    consent_scopes: list[str] = field(default_factory=list)
    consent_given_on: date | None = None
    consent_method: str = ""
    consent_note: str = ""
    reason: str = ""


def record_testimony(principal: Principal, draft: Testimony) -> Source:
    """A testimony (a source), its witness (a person known by pseudonym; the name, if given, is
    protected) and the consent the witness gave, in one changeset."""
    principal.require("write_records")
    if draft.consent_scopes:
        principal.require("manage_consent")
    compartment = _compartment(principal, draft.compartment)
    if not draft.title.strip():
        raise DraftError(_("give the testimony a title"), "title")
    with assigning([compartment]), history.changeset(
        user=principal.user, actor=principal.actor, reason=draft.reason or _("testimony intake"), kind="edit",
    ) as cs:
        testimony = Source(
            kind=term("source_kinds", "testimony"), title=draft.title.strip(), description=draft.description,
            language=draft.language, interviewer=draft.interviewer, transcript=draft.transcript,
            testimony_basis=term("testimony_basis", draft.testimony_basis),
            material_type=term("source_material_types", "interview"),
        )
        testimony.date = draft.date
        testimony.save()
        witness = Person(source=testimony, sex=term("sex", draft.witness_sex), counting_unit=term("counting_units", "individual"))
        witness.save()
        for name, script, romanization in ((draft.witness_name, "Hang", ""), (draft.witness_latin, "Latn", "other")):
            if name.strip():
                PersonName(person=witness, full_name=name.strip(), script=script, romanization=romanization,
                           name_type=term("name_types", "primary")).save()
        testimony.witness = witness
        testimony.save()
        if draft.consent_scopes:
            Consent(source=testimony, scopes=list(draft.consent_scopes), given_on=draft.consent_given_on,
                    obtained_by=draft.interviewer or principal.actor, method=draft.consent_method, note=draft.consent_note).save()
        cs.source = testimony
        cs.save(update_fields=["source"])
    return testimony


# --- the incident builder ---------------------------------------------------------------------

@dataclass
class ActDraft:
    act_type: str
    victim_kind: str = "none"  # none | existing | new | group
    victim_ref: str = ""
    victim_name: str = ""
    group_size: int | None = None
    group_description: str = ""
    perpetrator_kind: str = "none"  # none | person | unit
    perpetrator_ref: str = ""
    unit: str = ""  # organization uid
    degree: str = ""
    methods: list[str] = field(default_factory=list)
    place: str = ""  # place uid
    start_date: str = ""
    end_date: str = ""
    exact_location: str = ""
    remarks: str = ""


@dataclass
class Incident:
    compartment: str
    title: str
    description: str = ""
    start_date: str = ""
    end_date: str = ""
    place: str = ""
    categories: list[str] = field(default_factory=list)
    source: str = ""  # the testimony or document the incident is coded from
    testimony_basis: str = ""
    acts: list[ActDraft] = field(default_factory=list)
    reason: str = ""


def build_incident(principal: Principal, draft: Incident) -> Event:
    """An event with its acts, each with its victim (a person or a counted group) and perpetrator
    (a person or a unit, with the degree of involvement), linked to the source it is coded from."""
    principal.require("write_records")
    compartment = _compartment(principal, draft.compartment)
    if not draft.title.strip():
        raise DraftError(_("give the incident a title"), "title")
    if not draft.acts:
        raise DraftError(_("an incident needs at least one act"))
    coded_from = source(draft.source, principal) if draft.source else None
    with assigning([compartment]), history.changeset(
        user=principal.user, actor=principal.actor, reason=draft.reason or _("incident coded"), kind="edit", source=coded_from,
    ):
        event = Event(title=draft.title.strip(), description=draft.description, source=coded_from)
        event.start_date = draft.start_date
        event.end_date = draft.end_date
        event.save()
        if draft.place:
            event.places.add(_public(Place, draft.place, _("place"), "place"))
        if draft.categories:
            event.violation_categories.set([term("coi_violation_categories", c) for c in draft.categories])
        for index, act_draft in enumerate(draft.acts):
            try:
                _add_act(principal, event, act_draft, coded_from)
            except DraftError as exc:
                raise DraftError(str(exc), f"acts-{index}-{exc.field}" if exc.field else f"acts-{index}") from None
        if coded_from is not None:
            Information(source=coded_from, event=event, connection=None,
                        testimony_basis=term("testimony_basis", draft.testimony_basis)).save()
    return event


def _victim(principal: Principal, draft: ActDraft, coded_from: Source | None) -> Person | None:
    if draft.victim_kind == "existing":
        return person(draft.victim_ref, principal)
    if draft.victim_kind == "new":
        if not draft.victim_name.strip():
            raise DraftError(_("give the new victim's name, or choose another kind of victim"), "victim_name")
        victim = Person(source=coded_from, counting_unit=term("counting_units", "individual"))
        victim.save()
        PersonName(person=victim, full_name=draft.victim_name.strip(), script=_script(draft.victim_name),
                   name_type=term("name_types", "primary")).save()
        return victim
    if draft.victim_kind == "group":
        if not draft.group_size or draft.group_size < 1:
            raise DraftError(_("say how many people the group counts (1 or more)"), "group_size")
        group = Person(source=coded_from, counting_unit=term("counting_units", "group"), group_size=draft.group_size,
                       group_description=draft.group_description)
        group.save()
        return group
    return None


def _script(name: str) -> str:
    return "Hang" if any("\uac00" <= ch <= "\ud7a3" for ch in name) else "Latn"


def _add_act(principal: Principal, event: Event, draft: ActDraft, coded_from: Source | None) -> Act:
    act_type = term("act_types", draft.act_type)
    if act_type is None:
        raise DraftError(_("choose the type of act"), "act_type")
    act = Act(event=event, victim=_victim(principal, draft, coded_from), act_type=act_type, source=coded_from,
              exact_location=draft.exact_location, remarks=draft.remarks)
    act.start_date = draft.start_date
    act.end_date = draft.end_date
    if draft.place:
        act.place = _public(Place, draft.place, _("place"), "place")
    act.save()
    if draft.methods:
        act.methods.set([term("methods_of_violence", m) for m in draft.methods])
    if draft.perpetrator_kind == "person":
        Involvement(act=act, perpetrator=person(draft.perpetrator_ref, principal), degree=term("degrees_of_involvement", draft.degree),
                    source=coded_from).save()
    elif draft.perpetrator_kind == "unit":
        Involvement(act=act, organization=_public(Organization, draft.unit, _("unit"), "unit"),
                    degree=term("degrees_of_involvement", draft.degree), source=coded_from).save()
    return act


# --- evidence ---------------------------------------------------------------------------------

def upload_evidence(principal: Principal, stream, *, name: str, source_ref: str, capture: Capture, reason: str,
                    media_type: str = "") -> Intake:
    """Take an uploaded file into the vault for a source the user may see and write to."""
    principal.require("write_records")
    belongs_to = source(source_ref, principal)
    access.require_write(belongs_to, principal)
    return add_stream(stream, name=name, source=belongs_to, capture=capture, user=principal.user,
                      reason=reason or _("uploaded in the web workspace"), media_type=media_type)


def item_for(principal: Principal, uid) -> object:
    """An evidence item, if the user may see the source it belongs to; items without a source
    are not shown on the web (their provenance is the CLI's business). Else NotFound."""
    from kirok.evidence.models import Item

    item = Item.objects.filter(uid=uid).select_related("source").first()
    if item is None or item.source is None or not principal.can("read_records"):
        raise NotFound(str(uid))
    access.check(item.source, principal)
    return item
