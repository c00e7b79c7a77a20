"""Follow-up of recommendations: what the pages, the CLI and the submission builder all call.

Recommendations are UN documents, open to every user who reads records. The evidence linked to
them is not: a link shows only when its record is within the user's reach
(``kirok.protection.access``), and linking needs ``write_records`` and the record in reach, else
the record is "not found", as everywhere in Kirok.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kirok.protection import access
from kirok.protection.principal import NotFound, Principal
from kirok.records.exchange import canonical_uuid
from kirok.records.registry import model_for
from kirok.records.services import principal_for

from . import ledger, vocab
from .models import Assessment, Cycle, EvidenceLink, Recommendation, Tag


class FollowUpError(ValueError):
    """A link or assessment that cannot be made; the message says why."""


def cycles():
    return Cycle.objects.annotate(imported=Count("recommendations"))


def get_cycle(number: int) -> Cycle:
    found = Cycle.objects.filter(number=number).first()
    if found is None:
        raise NotFound(_("no UPR cycle %(n)s") % {"n": number})
    return found


def next_review(cycle: Cycle) -> Cycle | None:
    return Cycle.objects.filter(number__gt=cycle.number).order_by("number").first()


def get_recommendation(cycle: int, paragraph: str, *, user=None) -> Recommendation:
    principal_for(user).require("read_records")
    found = Recommendation.objects.select_related("cycle").filter(cycle__number=cycle, paragraph=paragraph).first()
    if found is None:
        raise NotFound(_("no recommendation %(p)s in cycle %(c)s") % {"p": paragraph, "c": cycle})
    return found


def resolve(ref: str) -> tuple[int, str]:
    """"3:124.37" or "3/124.37" → (3, "124.37"): how the CLI names a recommendation."""
    head, _sep, paragraph = ref.replace("/", ":").partition(":")
    if not (head.isascii() and head.isdigit()) or not paragraph:
        raise NotFound(_("name a recommendation as CYCLE:NUMBER, e.g. 3:124.37 (got %(ref)r)") % {"ref": ref})
    return int(head), paragraph


def current_status(review: Cycle | None):
    """A subquery: the status in force for each recommendation, as of ``review``."""
    latest = Assessment.objects.filter(recommendation=OuterRef("pk"))
    if review is not None:
        latest = latest.filter(review=review)
    return Subquery(latest.order_by("-id").values("status")[:1])


@dataclass
class Filters:
    theme: str = ""
    state: str = ""
    group: str = ""
    sdg: str = ""
    position: str = ""
    status: str = ""
    q: str = ""


def recommendations(cycle: Cycle, filters: Filters, *, user=None):
    """The cycle's recommendations, filtered by theme, state, group, SDG, position and assessed status."""
    principal_for(user).require("read_records")
    review = next_review(cycle)
    found = Recommendation.objects.filter(cycle=cycle).annotate(status=current_status(review))
    for kind, value in (("theme", filters.theme), ("state", filters.state), ("group", filters.group), ("sdg", filters.sdg)):
        if value:
            found = found.filter(Q(pk__in=Tag.objects.filter(kind=kind, value=value).values("recommendation_id")))
    if filters.position:
        found = found.filter(position=filters.position)
    if filters.status == "unassessed":
        found = found.filter(status__isnull=True)
    elif filters.status:
        found = found.filter(status=filters.status)
    if filters.q:
        found = found.filter(text__icontains=filters.q)
    return found.prefetch_related("tag_rows")


def facets(cycle: Cycle) -> dict[str, list[tuple[str, int]]]:
    """Every theme, state and group of the cycle with how many recommendations carry it."""
    rows = (Tag.objects.filter(recommendation__cycle=cycle).values("kind", "value").annotate(n=Count("id")).order_by("kind", "-n", "value"))
    out: dict[str, list[tuple[str, int]]] = {"theme": [], "state": [], "group": [], "sdg": []}
    for row in rows:
        out[row["kind"]].append((row["value"], row["n"]))
    return out


def status_counts(cycle: Cycle) -> dict[str, int]:
    review = next_review(cycle)
    rows = Recommendation.objects.filter(cycle=cycle).annotate(status=current_status(review)).values_list("status", flat=True)
    counts: dict[str, int] = {}
    for status in rows:
        counts[status or "unassessed"] = counts.get(status or "unassessed", 0) + 1
    return counts


# --- evidence ----------------------------------------------------------------------------------


def _record(record_type: str, ref: str, principal: Principal):
    if record_type not in EvidenceLink.RECORD_TYPES:
        raise FollowUpError(_("evidence is an incident, an act or a source, not %(type)r") % {"type": record_type})
    return access.get(record_type, ref, principal)


def link(recommendation: Recommendation, record_type: str, ref: str, *, bearing: str, note: str = "", user=None) -> EvidenceLink:
    """Link an incident, act or source to a recommendation as evidence; logged in the ledger."""
    principal = principal_for(user)
    record = _record(record_type, ref, principal)
    access.require_write(record, principal)
    if bearing not in vocab.codes("bearings"):
        raise FollowUpError(_("bearing is one of %(codes)s") % {"codes": ", ".join(vocab.codes("bearings"))})
    open_link = EvidenceLink.objects.filter(recommendation=recommendation, record_type=record_type, record_uid=record.uid,
                                            closed_at__isnull=True).first()
    if open_link is not None:
        raise FollowUpError(_("%(type)s %(ref)s is linked to this recommendation already") % {"type": record_type, "ref": ref})
    with transaction.atomic():
        row = EvidenceLink.objects.create(recommendation=recommendation, record_type=record_type, record_uid=record.uid,
                                          bearing=bearing, note=note.strip(), user=principal.user, actor=principal.actor,
                                          at=timezone.now())
        ledger.log("upr-link", row)
    return row


def unlink(link_row: EvidenceLink, *, reason: str, user=None) -> EvidenceLink:
    """Close a link with a reason; it stays, closed, in the history and the ledger."""
    principal = principal_for(user)
    if not reason.strip():
        raise FollowUpError(_("say why the link is closed"))
    record = _record(link_row.record_type, str(link_row.record_uid), principal)
    access.require_write(record, principal)
    if link_row.closed_at is not None:
        raise FollowUpError(_("the link is closed already"))
    with transaction.atomic():
        link_row.closed_at, link_row.closed_by, link_row.closed_reason = timezone.now(), principal.actor, reason.strip()
        link_row.save(update_fields=["closed_at", "closed_by", "closed_reason"])
        ledger.log("upr-unlink", link_row, "close_digest")
    return link_row


def get_link(uid: str, *, user=None) -> EvidenceLink:
    principal = principal_for(user)
    key = canonical_uuid(str(uid).strip())
    row = EvidenceLink.objects.select_related("recommendation__cycle").filter(uid=key).first() if key else None
    if row is None:
        raise NotFound(_("no evidence link %(id)s") % {"id": uid})
    _record(row.record_type, str(row.record_uid), principal)
    return row


@dataclass
class Evidence:
    link: EvidenceLink
    record: object


def evidence(recommendation: Recommendation, *, user=None, closed: bool = False) -> list[Evidence]:
    """The links of a recommendation whose records the user may see, with those records."""
    principal = principal_for(user)
    links = list(recommendation.links.all() if closed else recommendation.links.filter(closed_at__isnull=True))
    out = []
    for record_type in EvidenceLink.RECORD_TYPES:
        mine = [link_row for link_row in links if link_row.record_type == record_type]
        if not mine:
            continue
        model = model_for(record_type)
        seen = {r.uid: r for r in access.visible(model.objects.filter(uid__in=[link_row.record_uid for link_row in mine]), principal)}
        out += [Evidence(link_row, seen[link_row.record_uid]) for link_row in mine if link_row.record_uid in seen]
    return sorted(out, key=lambda e: e.link.pk)


# --- assessments -------------------------------------------------------------------------------


def assess(recommendation: Recommendation, *, status: str, review: Cycle | None = None, summary: str = "",
           evidence_links: list[EvidenceLink] | None = None, user=None) -> Assessment:
    """Record the status of a recommendation as of a review, with the links it rests on (by
    default every open link the assessor can see). A new assessment supersedes, never edits."""
    principal = principal_for(user)
    principal.require("write_records")
    if status not in vocab.codes("statuses"):
        raise FollowUpError(_("status is one of %(codes)s") % {"codes": ", ".join(vocab.codes("statuses"))})
    review = review or next_review(recommendation.cycle)
    if review is None or review.number <= recommendation.cycle.number:
        raise FollowUpError(_("a recommendation of cycle %(n)s is assessed for a later review") % {"n": recommendation.cycle.number})
    if evidence_links is None:
        evidence_links = [e.link for e in evidence(recommendation, user=principal)]
    for link_row in evidence_links:
        if link_row.recommendation_id != recommendation.pk:
            raise FollowUpError(_("link %(id)s belongs to another recommendation") % {"id": link_row.uid})
    with transaction.atomic():
        row = Assessment.objects.create(recommendation=recommendation, review=review, status=status, summary=summary.strip(),
                                        evidence=[str(link_row.uid) for link_row in evidence_links], user=principal.user,
                                        actor=principal.actor, at=timezone.now())
        ledger.log("upr-assessment", row)
    return row


def assessments(recommendation: Recommendation) -> list[Assessment]:
    """Every assessment of the recommendation, newest first: the status's versions."""
    return list(recommendation.assessments.select_related("review").order_by("-id"))
