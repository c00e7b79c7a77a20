"""What the pages, the command line and the case file all call: cases, suspects, element links
and unit parents, with the access checks in one place.

Reading a case needs ``read_records`` and membership of the case's compartment; changing one
needs ``write_records`` too. A case out of reach raises ``NotFound``, exactly like one that does
not exist. Every record a link points to is fetched through ``kirok.protection.access`` (or, for
an evidence item, through its source), so nobody links what they cannot see. Every write is one
changeset: versioned, with a reason, in the ledger.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kirok.evidence.models import Item
from kirok.evidence.protected import visible_items
from kirok.protection import access
from kirok.protection.models import Compartment, Membership
from kirok.protection.principal import NotFound, Principal
from kirok.records import history
from kirok.records.exchange import canonical_uuid
from kirok.types.dates import DateError, UncertainDate

from . import frameworks, reach
from .models import Case, ElementLink, FacilityOperator, Suspect, UnitParent

# The record type behind each kind of link target (the evidence item has its own access rule).
TARGET_TYPES = {"act": "act", "information": "information", "position": "biographic_detail"}


class CaseError(ValueError):
    """A change that cannot be made as asked; the message names the field and what is wrong."""


def _reason(reason: str) -> str:
    if not reason.strip():
        raise CaseError(_("reason: say why (it is kept in the history)"))
    return reason.strip()


# --- reading ---------------------------------------------------------------------------------


def cases_for(principal: Principal) -> QuerySet:
    """The cases the principal may read: those of their compartments."""
    if principal.operator:
        return Case.objects.all()
    if not principal.can("read_records"):
        return Case.objects.none()
    return Case.objects.filter(compartment_id__in=Membership.objects.filter(user_id=principal.user_id).values("compartment_id"))


def get_case(ref: str, principal: Principal) -> Case:
    """A case by key or Kirok id; ``NotFound`` if it does not exist or is out of reach."""
    ref = ref.strip()
    uid = canonical_uuid(ref)
    found = cases_for(principal).filter(**({"uid": uid} if uid else {"key": ref})).first()
    if found is None:
        raise NotFound(_("no case %(ref)s") % {"ref": ref})
    return found


def _writable(case: Case, principal: Principal) -> None:
    """A change to ``case``: the capability, and the case within reach (else NotFound)."""
    principal.require("write_records")
    if not cases_for(principal).filter(pk=case.pk).exists():
        raise NotFound(_("no case %(ref)s") % {"ref": case.key})


def get_suspect(case: Case, ref: str) -> Suspect:
    uid = canonical_uuid(ref.strip())
    found = case.suspects.filter(uid=uid).first() if uid else None
    if found is None:
        raise NotFound(_("no suspect %(ref)s in this case") % {"ref": ref})
    return found


def get_link(case: Case, ref: str) -> ElementLink:
    uid = canonical_uuid(ref.strip())
    found = case.links.filter(uid=uid).first() if uid else None
    if found is None:
        raise NotFound(_("no link %(ref)s in this case") % {"ref": ref})
    return found


def find_link(ref: str, principal: Principal, *, withdrawn: bool = False) -> ElementLink:
    """A link by Kirok id, in a case the principal may read and pointing to a record they may
    see; with ``withdrawn``, a withdrawn link too (its page and history stay readable, read
    only). ``NotFound`` otherwise, exactly as for a link that never existed."""
    uid = canonical_uuid(ref.strip())
    manager = ElementLink.all_objects if withdrawn else ElementLink.objects
    found = None
    if uid:
        mine = manager.filter(uid=uid, case__in=cases_for(principal)).select_related("case")
        found = reachable_links(mine, principal).first()
    if found is None:
        raise NotFound(_("no link %(ref)s") % {"ref": ref})
    return found


Restrict = Callable[[str, QuerySet], QuerySet]
"""(record type, queryset) → the part of it that may be shown: ``access.visible`` for a reader in
the workspace, ``Gate.queryset`` for what leaves it."""


def within_reach(principal: Principal) -> Restrict:
    return lambda record_type, queryset: access.visible(queryset, principal)


INLINE_HIDDEN = 2000  # hidden targets named in the query itself; more than this stay a subquery


def _targets(links: QuerySet, name: str) -> QuerySet:
    """The case's live targets of one kind, read from that kind's partial index (models.py)."""
    return links.filter(**{f"{name}__isnull": False}).order_by().values_list(f"{name}_id", flat=True)


def restricted_links(links: QuerySet, restrict: Restrict, principal: Principal) -> QuerySet:
    """The links whose target passes ``restrict`` (a tombstoned target passes nothing); an
    evidence item passes with its source (an item with no source is the console operator's
    alone, as in the vault). What a case file may carry (``restrict`` is the consent gate's).

    The targets that do not pass are found first, one query per kind of target, and the links
    are filtered by those few ids: the matrix then runs its grouped query over plain rows
    instead of repeating every access probe in it (docs/cases.md, "Speed")."""
    from kirok.records.registry import model_for

    refused: dict[str, QuerySet] = {}
    for name, record_type in TARGET_TYPES.items():
        if not _targets(links, name).exists():
            continue  # one probe of the partial index spares building the access query of a kind not linked
        allowed = restrict(record_type, model_for(record_type).objects.filter(pk__in=_targets(links, name)))
        # From the links, not from the target's table: the planner then reads the case's links
        # alone, never every record of that kind (a tombstoned target is not allowed: refused).
        refused[name] = _targets(links, name).exclude(**{f"{name}_id__in": allowed.values("pk")}).distinct()
    return _without(links, refused, restrict, principal)


def reachable_links(links: QuerySet, principal: Principal) -> QuerySet:
    """The links whose target the principal may see (the others stay out of every view): the
    rule of ``restricted_links`` with ``within_reach``, decided once per distinct reach of the
    links (``kirok.cases.reach``: the benchmark's case about one camp has 9,001 targets hanging
    off three anchor sets) instead of once per target. Past ``INLINE_HIDDEN`` refused reaches the
    per-record rule itself answers (docs/cases.md, "Speed")."""
    refused = reach.refused(reach.rows(links.order_by().values_list("reach_id", flat=True).distinct()), principal)
    if len(refused) > INLINE_HIDDEN:
        return restricted_links(links, within_reach(principal), principal)
    links = links.filter(reach__isnull=False)  # deny by default: a link whose reach is not yet known
    return links.exclude(reach_id__in=sorted(refused)) if refused else links


def _without(links: QuerySet, refused: dict[str, QuerySet], restrict: Restrict, principal: Principal) -> QuerySet:
    """``links`` less those to the ``refused`` targets (a flat query of keys per kind) and to the
    evidence items whose source ``restrict`` does not pass."""
    from kirok.records.models import Source

    hidden = Q()
    for name, keys in refused.items():
        ids = list(keys[: INLINE_HIDDEN + 1])
        if ids:
            hidden |= Q(**{f"{name}_id__in": ids if len(ids) <= INLINE_HIDDEN else keys})
    if _targets(links, "item").exists():
        items = Item.objects.filter(pk__in=_targets(links, "item"))
        sources = Source.objects.filter(pk__in=items.values("source_id"))
        passed = items.filter(source_id__in=restrict("source", sources).values("pk"))
        if principal.operator:
            passed = passed | items.filter(source__isnull=True)
        refused_items = list(items.exclude(pk__in=passed.values("pk")).values_list("pk", flat=True))
        if refused_items:
            hidden |= Q(item_id__in=refused_items)
    return links.exclude(hidden) if hidden else links


# --- writing ---------------------------------------------------------------------------------


def _check_items(references: list[str], kinds: tuple[str, ...], field: str) -> list[str]:
    out = []
    for reference in references:
        try:
            framework, item = frameworks.resolve_item(reference)
        except frameworks.FrameworkError as exc:
            raise CaseError(f"{field}: {exc}") from None
        if framework.kind not in kinds:
            raise CaseError(_("%(field)s: %(ref)s is a %(kind)s item, not one of %(kinds)s") % {
                "field": field, "ref": reference, "kind": framework.kind, "kinds": ", ".join(kinds)})
        out.append(f"{framework.key}:{item.key}")
    return list(dict.fromkeys(out))


def create_case(*, key: str, title: str, compartment: str, charges: list[str], summary: str = "", principal: Principal,
                reason: str) -> Case:
    """A new case in one of the principal's own compartments (so that they can see what they made)."""
    principal.require("write_records")
    place = Compartment.objects.filter(key=compartment).first()
    if place is None or not (principal.operator or Membership.objects.filter(user_id=principal.user_id, compartment=place).exists()):
        raise CaseError(_("compartment: %(key)r is not one of your compartments") % {"key": compartment})
    if not title.strip():
        raise CaseError(_("title: a case needs a title"))
    if Case.all_objects.filter(key=key).exists():
        raise CaseError(_("key: a case %(key)r exists already") % {"key": key})
    checked = _check_items(charges, ("crimes", "rights"), "charges")
    with history.changeset(user=principal.user, actor=principal.actor, reason=_reason(reason)):
        case = Case(key=key, title=title.strip(), summary=summary.strip(), compartment=place, charges=checked)
        case.full_clean()
        case.save()
    return case


def set_charges(case: Case, charges: list[str], *, principal: Principal, reason: str) -> Case:
    _writable(case, principal)
    case.charges = _check_items(charges, ("crimes", "rights"), "charges")
    with history.changeset(user=principal.user, actor=principal.actor, reason=_reason(reason)):
        case.save()
    return case


def edit_charges(case: Case, *, replace: list[str] | None = None, add: list[str] = (), remove: list[str] = (),
                 principal: Principal, reason: str) -> Case:
    """The case's charges replaced, then some added and some removed, in one changeset (what the
    command line's ``--set``, ``--add`` and ``--remove`` ask). Removing a charge the case does not
    have is refused, naming the charges it has: a typo must not pass as a change."""
    _writable(case, principal)
    charges = _check_items(replace, ("crimes", "rights"), "charges") if replace is not None else list(case.charges)
    for reference in _check_items(list(remove), ("crimes", "rights"), "remove"):
        if reference not in charges:
            raise CaseError(_("remove: %(ref)s is not a charge of this case (its charges: %(charges)s)") % {
                "ref": reference, "charges": ", ".join(charges) or "—"})
        charges.remove(reference)
    charges += [c for c in _check_items(list(add), ("crimes", "rights"), "add") if c not in charges]
    return set_charges(case, charges, principal=principal, reason=reason)


def add_suspect(case: Case, *, person: str = "", organization: str = "", modes: list[str], principal: Principal, reason: str,
                note: str = "") -> Suspect:
    """A person (by Kirok id or external id, within reach) or a unit, with the modes alleged."""
    _writable(case, principal)
    if bool(person) == bool(organization):
        raise CaseError(_("suspect: name either a person or a unit"))
    subject = access.get("person" if person else "organization", person or organization, principal)
    checked = _check_items(modes, ("liability",), "modes")
    with history.changeset(user=principal.user, actor=principal.actor, reason=_reason(reason)):
        suspect = Suspect(case=case, modes=checked, note=note.strip(), **({"person": subject} if person else {"organization": subject}))
        suspect.save()
    return suspect


@dataclass(frozen=True)
class Assessment:
    """What the analyst judges a link to show."""

    assessment: str
    strength: str
    standard: str = ""
    note: str = ""

    def checked(self) -> "Assessment":
        if self.assessment not in dict(ElementLink.ASSESSMENTS):
            raise CaseError(_("assessment: %(value)r is not one of supports, contradicts, context") % {"value": self.assessment})
        if self.strength not in dict(ElementLink.STRENGTHS):
            raise CaseError(_("strength: %(value)r is not one of weak, moderate, strong") % {"value": self.strength})
        if self.standard and self.standard not in frameworks.standards():
            raise CaseError(_("standard: %(value)r is not one of %(known)s") % {
                "value": self.standard, "known": ", ".join(frameworks.standards())})
        return self


def _element(reference: str) -> tuple[str, str]:
    framework_key, sep, element_key = reference.partition(":")
    try:
        framework = frameworks.get(framework_key)
    except frameworks.FrameworkError as exc:
        raise CaseError(f"element: {exc}") from None
    if not sep or framework.element(element_key) is None:
        raise CaseError(_("element: %(ref)r is not an element of %(framework)s (name it as framework:element, e.g. rome-statute-cah:7(1)(e).1)")
                        % {"ref": reference, "framework": framework.key})
    return framework.key, element_key


SHA256 = re.compile(r"(?:sha256:)?([0-9a-fA-F]{64})")


def _item(ref: str, principal: Principal) -> Item:
    """An evidence item by its Kirok id or by the SHA-256 of its bytes (as ``kirok evidence add``
    prints it, bare or as ``sha256:…``), if its source is within reach."""
    ref = ref.strip()
    digest = SHA256.fullmatch(ref)
    uid = None if digest else canonical_uuid(ref)
    if digest:
        candidates = Item.objects.filter(sha256=digest.group(1).lower())
    else:
        candidates = Item.objects.filter(uid=uid) if uid else Item.objects.none()
    found = visible_items(candidates, principal).order_by("pk").first()
    if found is None:
        raise NotFound(_("ref: no evidence item %(ref)s within your reach (give the item's Kirok id or the SHA-256 of its file)")
                       % {"ref": ref})
    return found


def _target(kind: str, ref: str, principal: Principal):
    if kind == "item":
        return _item(ref, principal)
    if kind not in TARGET_TYPES:
        raise CaseError(_("target: %(kind)r is not one of act, information, item, position") % {"kind": kind})
    return access.get(TARGET_TYPES[kind], ref, principal)


def link(case: Case, *, element: str, target: str, ref: str, assessment: Assessment, principal: Principal, reason: str,
         suspect: Suspect | None = None) -> ElementLink:
    """Link an act, a source passage (information), an evidence item or a position to an element."""
    _writable(case, principal)
    framework_key, element_key = _element(element)
    assessment = assessment.checked()
    record = _target(target, ref, principal)
    if suspect is not None and suspect.case_id != case.pk:
        raise CaseError(_("suspect: not a suspect of this case"))
    with history.changeset(user=principal.user, actor=principal.actor, reason=_reason(reason)):
        made = ElementLink(case=case, suspect=suspect, framework=framework_key, element=element_key, assessment=assessment.assessment,
                           strength=assessment.strength, standard=assessment.standard, note=assessment.note.strip(), **{target: record})
        made.save()
    return made


def _live(found: ElementLink, principal: Principal) -> None:
    """A link that may still change: within the principal's reach (else NotFound) and not withdrawn."""
    if not reachable_links(ElementLink.all_objects.filter(pk=found.pk), principal).exists():
        raise NotFound(_("no link %(ref)s in this case") % {"ref": found.uid})
    if ElementLink.all_objects.filter(pk=found.pk, deleted_at__isnull=False).exists():
        raise CaseError(_("link: %(ref)s was withdrawn; its history is kept, but it cannot change (make a new link instead)")
                        % {"ref": found.uid})


def reassess(found: ElementLink, assessment: Assessment, *, principal: Principal, reason: str) -> ElementLink:
    """A new assessment of an existing link: a new version, the old one kept."""
    _writable(found.case, principal)
    assessment = assessment.checked()
    _live(found, principal)
    with history.changeset(user=principal.user, actor=principal.actor, reason=_reason(reason)):
        found.assessment, found.strength = assessment.assessment, assessment.strength
        found.standard, found.note = assessment.standard, assessment.note.strip()
        found.save()
    return found


def unlink(found: ElementLink, *, principal: Principal, reason: str) -> None:
    """Withdraw a link (a tombstone: the history keeps it)."""
    _writable(found.case, principal)
    _live(found, principal)
    with history.changeset(user=principal.user, actor=principal.actor, reason=_reason(reason)):
        found.delete()


def _date(value: str, field: str) -> UncertainDate:
    try:
        return UncertainDate.parse(value)
    except DateError as exc:
        raise CaseError(f"{field}: {exc}") from None


def _period(start: str, end: str) -> tuple[UncertainDate, UncertainDate]:
    """A period's two uncertain dates, read and checked (the end not before the start)."""
    began, ended = _date(start, "start"), _date(end, "end")
    if began and ended and ended.latest < began.earliest:
        raise CaseError(_("end: the period ends before it starts"))
    return began, ended


def set_facility_operator(*, place: str, unit: str, start: str, end: str, citation: str = "", principal: Principal,
                          reason: str) -> FacilityOperator:
    """Record that facility ``place`` was run by ``unit`` for a time (dates may be uncertain): the
    chain of command then starts from that unit on the dates it covers, not from the registry's
    undated operator."""
    principal.require("write_records")
    facility = access.get("place", place, principal)
    if facility.kind != "facility":
        raise CaseError(_("place: %(place)s is a %(kind)s, not a facility") % {"place": facility, "kind": facility.get_kind_display()})
    operator = access.get("organization", unit, principal)
    began, ended = _period(start, end)
    with history.changeset(user=principal.user, actor=principal.actor, reason=_reason(reason)):
        row = FacilityOperator(place=facility, unit=operator, citation=citation.strip())
        row.start_date, row.end_date = began, ended
        row.save()
    return row


def set_unit_parent(*, unit: str, parent: str, start: str, end: str, citation: str = "", principal: Principal,
                    reason: str) -> UnitParent:
    """Record that ``unit`` was under ``parent`` for a time (dates may be uncertain)."""
    principal.require("write_records")
    child, above = (access.get("organization", ref, principal) for ref in (unit, parent))
    if child.pk == above.pk:
        raise CaseError(_("parent: a unit cannot be its own parent"))
    began, ended = _period(start, end)
    loop = _loop(child, above, _span(began, ended))
    if loop:
        raise CaseError(_("parent: %(parent)s is itself below %(unit)s in a period that may overlap this one (%(path)s); a unit "
                          "cannot be above itself: end or correct that period first") % {
            "parent": above, "unit": child, "path": " → ".join(str(u) for u in loop)})
    with history.changeset(user=principal.user, actor=principal.actor, reason=_reason(reason)):
        row = UnitParent(unit=child, parent=above, citation=citation.strip())
        row.start_date, row.end_date = began, ended
        row.save()
    return row


Span = tuple[date, date]


def _span(start: UncertainDate, end: UncertainDate) -> Span:
    """The widest days a period may cover: from its earliest possible start to its latest possible end."""
    return (start.earliest if start.is_known else date.min, end.latest if end.is_known else date.max)


def _loop(child, above, span: Span) -> list:
    """The units from ``above`` up to ``child`` (``above`` … ``child``) if ``child`` is already
    above ``above`` on some day of ``span`` that every step's period may cover, else []. Steps are
    the dated parents and, for a unit with none, the registry's undated parent (as the chain of
    command follows them, ``kirok.cases.command.parents``)."""
    stack, seen = [(above, span, [above])], set()
    while stack:
        unit, (lo, hi), path = stack.pop()
        if unit.pk == child.pk:
            return path
        if (unit.pk, lo, hi) in seen:
            continue
        seen.add((unit.pk, lo, hi))
        dated = list(UnitParent.objects.filter(unit=unit).select_related("parent"))
        steps = [(row.parent, _span(row.start_date, row.end_date)) for row in dated]
        if not dated and unit.parent_id:
            steps = [(unit.parent, (date.min, date.max))]
        for parent, (start, end) in steps:
            overlap = (max(lo, start), min(hi, end))
            if overlap[0] <= overlap[1]:
                stack.append((parent, overlap, path + [parent]))
    return []
