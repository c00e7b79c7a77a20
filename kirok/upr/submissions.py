"""Stakeholder submissions: drafts for the next review, their word count, DOCX and PDF.

A draft has sections people write (introduction, follow-up commentary, new developments,
proposed recommendations, footnotes, annex) and two that Kirok writes from the record each time
the draft is shown or exported: the follow-up of the previous review's assessed recommendations
with the evidence behind each, and the statistics. Both pass through the consent gate for the
submission's scope (``kirok.upr.statistics``), at every export again, so that a consent
withdrawn after drafting is obeyed; an export is a disclosure, recorded as one.

Words are counted as OHCHR's guidelines count them (``kirok/data/upr/submissions.yaml``): all
the text of the document — title, organisations, headings, paragraphs, footnotes — but not the
annex; a word is a run of characters between white space with a letter or digit in it, as
Microsoft Word counts. The count shown while writing and the count of the exported DOCX are the
same function over the same lines (``document``).
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from kirok.protection.gate import Gate
from kirok.records.exchange import canonical_uuid
from kirok.protection.principal import NotFound, Principal
from kirok.records.services import principal_for

from . import ledger, statistics, vocab
from .models import Assessment, Cycle, EvidenceLink, Recommendation, Revision, Submission
from .services import FollowUpError

PREVIEW_SECONDS = 300
WRITTEN = ("introduction", "follow_up", "new_developments", "proposed_recommendations", "footnotes", "annex")


def count_words(text: str) -> int:
    """Words as Word counts them: runs between white space that hold a letter or a digit."""
    return sum(1 for token in (text or "").split() if any(ch.isalnum() for ch in token))


def limit(kind: str) -> int:
    return int(vocab.read("submissions")["limits"][kind])


def section_label(code: str) -> str:
    return vocab.label_of("sections", code, "submissions")


@dataclass
class Block:
    """One section of the document as it will print: heading and paragraphs; counted or not."""

    code: str
    heading: str
    paragraphs: list[str]
    counted: bool
    generated: bool = False


@dataclass
class Document:
    submission: Submission
    title: str
    organisations: str
    blocks: list[Block]
    stats: statistics.Statistics | None
    words: int = 0
    limit: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def over_limit(self) -> bool:
        return self.words > self.limit

    def counted_lines(self) -> list[str]:
        lines = [self.title, self.organisations]
        for block in self.blocks:
            if block.counted and block.paragraphs:
                lines += [block.heading, *block.paragraphs]
        return [line for line in lines if line]


def paragraphs(text: str) -> list[str]:
    """A section's text as paragraphs: blank lines separate them."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text or "") if p.strip()]


# --- drafts ------------------------------------------------------------------------------------


def create(review: Cycle, *, title: str, kind: str = "individual", organisations: str = "", scope: str = "un",
           period_from: date | None = None, period_to: date | None = None, user=None) -> Submission:
    """A new draft for ``review``; the period runs by default from the previous review to this one."""
    principal = principal_for(user)
    principal.require("write_records")
    from kirok.protection import policy

    policy.scope(scope)  # unknown scope: PolicyError naming the known ones
    if kind not in dict(Submission.KINDS):
        raise FollowUpError(_("a submission is individual or joint"))
    previous = Cycle.objects.filter(number__lt=review.number).order_by("-number").first()
    period_from = period_from or (previous.review_date if previous else date(2000, 1, 1))
    period_to = period_to or (review.review_date - timedelta(days=1))
    if period_to < period_from:
        raise FollowUpError(_("the period ends before it begins"))
    with transaction.atomic():
        submission = Submission.objects.create(review=review, kind=kind, title=title.strip(), organisations=organisations.strip(),
                                               scope=scope, period_from=period_from, period_to=period_to, user=principal.user,
                                               actor=principal.actor, created_at=timezone.now())
        save(submission, {code: "" for code in WRITTEN}, user=principal, reason=_("draft created"))
    return submission


def get(uid: str, *, user=None) -> Submission:
    principal_for(user).require("read_records")
    key = canonical_uuid(str(uid).strip())
    found = Submission.objects.select_related("review").filter(uid=key).first() if key else None
    if found is None:
        raise NotFound(_("no submission %(id)s") % {"id": uid})
    return found


def listing(*, user=None):
    principal_for(user).require("read_records")
    return Submission.objects.select_related("review")


def save(submission: Submission, sections: dict[str, str], *, user=None, reason: str = "") -> Revision:
    """A new revision of the written sections; the word count saved is that of the whole
    document as it would export now (generated sections included when the user may export)."""
    principal = principal_for(user)
    principal.require("write_records")
    written = {code: str(sections.get(code, "") or "") for code in WRITTEN}
    words = live_count(submission, written, user=principal).words
    with transaction.atomic():
        revision = Revision.objects.create(submission=submission, sections=written, words=words, user=principal.user,
                                           actor=principal.actor, reason=reason[:300], at=timezone.now())
        ledger.log("upr-revision", revision)
    return revision


# --- the document ------------------------------------------------------------------------------


def _previous_cycle(submission: Submission) -> Cycle | None:
    return Cycle.objects.filter(number__lt=submission.review.number).order_by("-number").first()


def follow_up_lines(submission: Submission, gate: Gate) -> list[str]:
    """One paragraph per recommendation of the previous cycle assessed for this review: its
    number, states, position, status in force, and how many documented acts and incidents the
    record holds as evidence — counted through the gate, never named."""
    previous = _previous_cycle(submission)
    if previous is None:
        return []
    latest: dict[int, Assessment] = {}
    for row in Assessment.objects.filter(review=submission.review, recommendation__cycle=previous).order_by("id"):
        latest[row.recommendation_id] = row
    lines = []
    recs = Recommendation.objects.filter(pk__in=latest).prefetch_related("tag_rows")
    counts = statistics.evidence_counts(gate, EvidenceLink.objects.filter(recommendation__in=latest.keys(), closed_at__isnull=True))
    for rec in sorted(recs, key=lambda r: [int(p) for p in r.paragraph.split(".")]):
        acts, incidents = counts.get(rec.pk, (0, 0))
        states = "; ".join(rec.tags("state"))
        lines.append(_("Recommendation %(number)s%(states)s (%(position)s): %(status)s. Documented in the record: %(acts)s act(s) "
                       "in %(incidents)s incident(s).") % {
            "number": rec.paragraph, "states": f" ({states})" if states else "", "position": vocab.label_of("positions", rec.position),
            "status": vocab.label_of("statuses", latest[rec.pk].status), "acts": acts, "incidents": incidents})
        if latest[rec.pk].summary:
            lines.append(" ".join(latest[rec.pk].summary.split()))
    return lines


def statistics_lines(stats: statistics.Statistics) -> list[str]:
    period = {"start": stats.period_from.isoformat(), "end": stats.period_to.isoformat()}
    lines = [_("Between %(start)s and %(end)s the record documents %(acts)s violations (acts) in %(incidents)s incidents, counting "
               "only testimony whose givers consented to this use.") % {**period, "acts": stats.shown(stats.acts),
                                                                         "incidents": stats.shown(stats.incidents)}]
    if stats.by_category:
        lines.append(_("By category: %(list)s.") % {"list": "; ".join(f"{c.label} {stats.text(c)}" for c in stats.by_category)})
    if stats.by_year:
        lines.append(_("By year: %(list)s.") % {"list": "; ".join(f"{c.label} {stats.text(c)}" for c in stats.by_year)})
    return lines


def generated_sections(submission: Submission, gate: Gate) -> tuple[dict[str, list[str]], statistics.Statistics]:
    """What Kirok writes from the record: follow-up lines and statistics, through ``gate``."""
    stats = statistics.compute(gate, submission.period_from, submission.period_to)
    return {"follow_up": follow_up_lines(submission, gate), "statistics": statistics_lines(stats)}, stats


def assemble(submission: Submission, written: dict, generated: dict[str, list[str]], stats=None, notes=()) -> Document:
    """The document from its written and generated parts, counted."""
    counted = set(vocab.read("submissions")["counted_sections"])
    blocks = []
    for entry in vocab.read("submissions")["sections"]:
        code = entry["code"]
        made = list(generated.get(code, []))
        blocks.append(Block(code, section_label(code), made + paragraphs(written.get(code, "")), code in counted, generated=bool(made)))
    doc = Document(submission, submission.title, submission.organisations, blocks, stats, limit=limit(submission.kind), notes=list(notes))
    doc.words = sum(count_words(line) for line in doc.counted_lines())
    return doc


def build(submission: Submission, principal: Principal, *, written: dict | None = None, gate: Gate | None = None,
          preview: bool = False) -> Document:
    """The document as it would leave now. In a ``preview`` for a user who may not export, the
    generated sections are left out: they are made through the gate, which needs ``export``."""
    written = written if written is not None else (submission.current.sections if submission.current else {})
    if gate is None and preview and principal.can("export"):
        gate = _preview_gate(submission, principal)
    if gate is None:
        return assemble(submission, written, {}, notes=[_("The statistics and the evidence counts are made at export, by a user who may export.")])
    generated, stats = generated_sections(submission, gate)
    if preview:
        cache.set(_cache_key(submission, principal), generated, PREVIEW_SECONDS)
    return assemble(submission, written, generated, stats)


def _preview_gate(submission: Submission, principal: Principal) -> Gate:
    """A gate that is never closed: what it passes stays in the workspace, shown to its user."""
    return Gate(principal=principal, scope=submission.scope, destination="workspace preview", purpose=f"upr submission {submission.uid}")


def _cache_key(submission: Submission, principal: Principal) -> str:
    return f"kirok.upr.generated.{submission.uid}.{principal.actor}"


def live_count(submission: Submission, written: dict, *, user=None) -> Document:
    """The document counted while writing: the generated sections as last made for this user
    (for a few minutes; they change only with the record), the written ones as typed now."""
    principal = principal_for(user)
    principal.require("read_records")
    generated = cache.get(_cache_key(submission, principal))
    if generated is None:
        return build(submission, principal, written=written, preview=True)
    return assemble(submission, written, generated)


# --- exports -----------------------------------------------------------------------------------


def to_docx(doc: Document) -> bytes:
    """A Word document, as OHCHR asks for; paragraphs numbered by Word itself (not as text)."""
    from docx import Document as Docx
    from docx.shared import Pt

    out = Docx()
    style = out.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(12)
    out.add_heading(doc.title, level=0)
    if doc.organisations:
        out.add_paragraph(doc.organisations)
    for block in doc.blocks:
        if not block.paragraphs:
            continue
        out.add_heading(block.heading, level=1)
        for text in block.paragraphs:
            out.add_paragraph(text, style="List Number" if block.counted and block.code != "footnotes" else None)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def to_pdf(doc: Document) -> bytes:
    from kirok.web.documents import render_pdf

    return render_pdf("upr/print/submission.html", {"doc": doc})


def export(submission: Submission, fmt: str, *, user=None, destination: str = "") -> tuple[bytes, str, Document]:
    """The submission as DOCX or PDF, made through the consent gate and recorded as a disclosure."""
    principal = principal_for(user)
    if fmt not in ("docx", "pdf"):
        raise FollowUpError(_("export as docx or pdf"))
    gate = Gate(principal=principal, scope=submission.scope, destination=destination or _("UPR submission"),
                purpose=f"upr submission {submission.uid}")
    doc = build(submission, principal, gate=gate)
    data = to_docx(doc) if fmt == "docx" else to_pdf(doc)
    name = f"upr-submission-{submission.review.number}-{str(submission.uid)[:8]}.{fmt}"
    gate.close({name: hashlib.sha256(data).hexdigest()})
    return data, name, doc
