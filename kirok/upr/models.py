"""The Universal Periodic Review: cycles, recommendations, and what the record says about them.

Cycles and recommendations are reference data about UN documents, loaded and re-imported in place
(a re-import of the same file changes nothing). What analysts add on top of them — evidence links
to incidents, acts and sources, assessed statuses, submission drafts — is never edited: each
change is a new row (an assessment supersedes the previous one, a revision the previous draft, a
link is closed with a reason), so the whole history stays, as with consent entries. Each such row
is committed to the ledger by the SHA-256 of its canonical JSON (kinds registered in ``apps``),
so ``kirok ledger verify`` catches one edited in the database.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def row_digest(row: models.Model, names: tuple[str, ...]) -> str:
    """SHA-256 of the canonical JSON of the row's ``names`` (foreign keys by id)."""
    from kirok.records.exchange import canonical_json

    out = {}
    for name in names:
        value = getattr(row, row._meta.get_field(name).attname)
        if isinstance(value, (datetime, date)):
            value = value.isoformat()
        elif isinstance(value, uuid.UUID):
            value = str(value)
        out[name] = value
    return hashlib.sha256(canonical_json(out)).hexdigest()


class Cycle(models.Model):
    """One review of a state: when, which documents, how many recommendations and positions."""

    number = models.PositiveSmallIntegerField(_("cycle"), unique=True)
    state = models.CharField(_("state under review"), max_length=2, default="KP")
    review_date = models.DateField(_("review"))
    wg_session = models.PositiveSmallIntegerField(_("Working Group session"), null=True, blank=True)
    plenary_date = models.DateField(_("adoption in plenary"), null=True, blank=True)
    hrc_session = models.PositiveSmallIntegerField(_("Council session"), null=True, blank=True)
    report_symbol = models.CharField(_("Working Group report"), max_length=40, blank=True)
    report_date = models.DateField(_("report date"), null=True, blank=True)
    addendum_symbol = models.CharField(_("addendum"), max_length=40, blank=True)
    received = models.PositiveSmallIntegerField(_("recommendations received"))
    supported = models.PositiveSmallIntegerField(_("supported"), null=True, blank=True)
    partially_supported = models.PositiveSmallIntegerField(_("partially supported"), null=True, blank=True)
    noted = models.PositiveSmallIntegerField(_("noted"), null=True, blank=True)
    rejected_stated = models.PositiveSmallIntegerField(_("rejected (as the state said)"), null=True, blank=True)
    confidence = models.CharField(_("confidence"), max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    source = models.TextField(_("source"))

    class Meta:
        verbose_name = _("UPR cycle")
        verbose_name_plural = _("UPR cycles")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"UPR {self.number} ({self.review_date:%Y})"


class Recommendation(models.Model):
    """One recommendation as the Working Group report numbers it ("124.37")."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="recommendations")
    paragraph = models.CharField(_("number"), max_length=20)
    text = models.TextField(_("text"))
    document_symbol = models.CharField(_("document"), max_length=40, blank=True)
    position = models.CharField(_("position"), max_length=24, default="pending")
    position_source = models.CharField(_("position stated in"), max_length=200, blank=True)
    action_category = models.PositiveSmallIntegerField(_("action category"), null=True, blank=True)
    words = models.TextField(_("reduced text"), blank=True, help_text=_("the words the repeat rule compares"))
    imported_from = models.CharField(_("imported from"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [models.UniqueConstraint(fields=["cycle", "paragraph"], name="upr_recommendation_once")]
        indexes = [models.Index(fields=["cycle", "position"], name="upr_rec_position")]

    def __str__(self) -> str:
        return f"{self.paragraph} ({self.cycle.number})"

    def tags(self, kind: str) -> list[str]:
        return [t.value for t in self.tag_rows.all() if t.kind == kind]


class Tag(models.Model):
    """A recommending state, theme, affected group or SDG of a recommendation: one row each, so
    that lists by state or theme are indexed queries on SQLite and PostgreSQL alike."""

    KINDS = [("state", _("recommending state")), ("theme", _("theme")), ("group", _("affected group")), ("sdg", _("SDG"))]

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="tag_rows")
    kind = models.CharField(max_length=8, choices=KINDS)
    value = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["recommendation", "kind", "value"], name="upr_tag_once")]
        indexes = [models.Index(fields=["kind", "value"], name="upr_tag_value")]


class EvidenceLink(models.Model):
    """An incident, act or source linked to a recommendation as evidence of (non-)implementation.

    The record is named by its Kirok id and type, not by a foreign key, so that one table serves
    the three types; who may see it is decided by the record itself (``kirok.protection.access``).
    A link is closed, never deleted: the closing says who, when and why."""

    RECORD_TYPES = ("event", "act", "source")

    uid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="links")
    record_type = models.CharField(_("record type"), max_length=12)
    record_uid = models.UUIDField(_("record"))
    bearing = models.CharField(_("bearing"), max_length=24)
    note = models.TextField(_("note"), blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.CharField(_("actor"), max_length=200)
    at = models.DateTimeField(_("at"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.CharField(_("closed by"), max_length=200, blank=True)
    closed_reason = models.TextField(_("why closed"), blank=True)

    DIGESTED = ("uid", "recommendation", "record_type", "record_uid", "bearing", "note", "actor", "at")
    CLOSE_DIGESTED = ("uid", "closed_at", "closed_by", "closed_reason")

    class Meta:
        verbose_name = _("evidence link")
        ordering = ["id"]
        indexes = [models.Index(fields=["record_type", "record_uid"], name="upr_link_record")]

    @property
    def row_digest(self) -> str:
        return row_digest(self, self.DIGESTED)

    @property
    def close_digest(self) -> str:
        return row_digest(self, self.CLOSE_DIGESTED)


class Assessment(models.Model):
    """The assessed status of a recommendation as of one review, with the evidence it rests on.

    ``review`` is the cycle whose review the assessment feeds (the 2019 recommendations are
    assessed for the 2024 review). The latest assessment for a recommendation and review is in
    force; earlier ones are its versions."""

    uid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="assessments")
    review = models.ForeignKey(Cycle, verbose_name=_("for the review of"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=24)
    summary = models.TextField(_("assessment"), blank=True)
    evidence = models.JSONField(_("evidence"), default=list, help_text=_("ids of the evidence links it rests on"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.CharField(_("actor"), max_length=200)
    at = models.DateTimeField(_("at"))

    DIGESTED = ("uid", "recommendation", "review", "status", "summary", "evidence", "actor", "at")

    class Meta:
        verbose_name = _("assessment")
        ordering = ["id"]
        indexes = [models.Index(fields=["recommendation", "review", "id"], name="upr_assessment_latest")]

    @property
    def row_digest(self) -> str:
        return row_digest(self, self.DIGESTED)


class Submission(models.Model):
    """A stakeholder submission being written for a review; its text lives in revisions."""

    KINDS = [("individual", _("individual")), ("joint", _("joint"))]

    uid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    review = models.ForeignKey(Cycle, verbose_name=_("for the review of"), on_delete=models.PROTECT, related_name="submissions")
    kind = models.CharField(_("kind"), max_length=12, choices=KINDS, default="individual")
    title = models.CharField(_("title"), max_length=300)
    organisations = models.TextField(_("submitting organisations"), blank=True)
    scope = models.CharField(_("consent scope of the statistics"), max_length=40, default="un")
    period_from = models.DateField(_("period from"))
    period_to = models.DateField(_("period to"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.CharField(_("actor"), max_length=200)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("submission")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def current(self) -> "Revision | None":
        return self.revisions.order_by("-id").first()


class Revision(models.Model):
    """One saved state of a submission's text, section by section, with its word count."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="revisions")
    sections = models.JSONField(_("sections"), default=dict)
    words = models.PositiveIntegerField(_("words counted"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.CharField(_("actor"), max_length=200)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"))

    DIGESTED = ("submission", "sections", "words", "actor", "reason", "at")

    class Meta:
        verbose_name = _("submission revision")
        ordering = ["id"]

    @property
    def row_digest(self) -> str:
        return row_digest(self, self.DIGESTED)
