"""What linkage remembers: runs, candidate pairs with their explanation, reviewers' judgements and
merges. Person records are never changed by linkage: a merge is a row here, undone by marking it,
so nothing any source said is lost and every decision keeps who, when and why.

Judgements, merges and undone merges are committed to the ledger (kinds ``judgement``, ``merge``
and ``merge-undo`` in ``kirok.ledger.kinds``) by the digests below: SHA-256 of the row's canonical
JSON, over the fields that never change once the entry is written, so ``kirok ledger verify``
recomputes them and catches a decision edited in the database."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _digest(row: models.Model, names: tuple[str, ...]) -> str:
    """SHA-256 of the canonical JSON of ``names`` (foreign keys by their column: ids, not rows)."""
    from kirok.records.exchange import canonical_json

    out = {}
    for name in names:
        value = getattr(row, row._meta.get_field(name).attname)
        out[name] = value.isoformat() if isinstance(value, datetime) else str(value) if isinstance(value, uuid.UUID) else value
    return hashlib.sha256(canonical_json(out)).hexdigest()


class Run(models.Model):
    """One scoring of the persons a user may see."""

    uid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.CharField(_("actor"), max_length=200)
    records = models.PositiveIntegerField(_("records compared"), default=0)
    candidates = models.PositiveIntegerField(_("candidate pairs"), default=0)
    auto_merged = models.PositiveIntegerField(_("merged without review"), default=0)
    model = models.JSONField(_("model"), default=dict, help_text=_("prior, m and u of every level, how they were trained"))

    class Meta:
        verbose_name = _("linkage run")
        ordering = ["-started_at", "-id"]


class Candidate(models.Model):
    """A pair of person records that may be one person, with the weight each field gave it."""

    OPEN, JUDGED, AUTO = "open", "judged", "auto"
    STATUSES = [(OPEN, _("awaiting review")), (JUDGED, _("judged")), (AUTO, _("merged without review"))]

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="pairs")
    left = models.ForeignKey("records.Person", on_delete=models.PROTECT, related_name="+")
    right = models.ForeignKey("records.Person", on_delete=models.PROTECT, related_name="+")
    weight = models.FloatField(_("match weight"), help_text=_("log2 of the Bayes factor, prior included"))
    probability = models.FloatField(_("match probability"))
    fields = models.JSONField(_("explanation"), default=dict, help_text=_("{field: {level, weight}}"))
    status = models.CharField(_("status"), max_length=8, choices=STATUSES, default=OPEN)

    class Meta:
        verbose_name = _("candidate pair")
        ordering = ["-weight", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "left", "right"], name="linkage_candidate_once_per_run")]
        indexes = [models.Index(fields=["status", "-weight"], name="linkage_queue")]


class Judgement(models.Model):
    """A reviewer's decision on a pair. Written once; a pair's latest judgement is in force, and a
    ``different`` keeps the pair apart for good (no run proposes it, no merge joins it)."""

    SAME, DIFFERENT, UNSURE = "same", "different", "unsure"
    VERDICTS = [(SAME, _("same person")), (DIFFERENT, _("different persons")), (UNSURE, _("unsure"))]

    left = models.ForeignKey("records.Person", on_delete=models.PROTECT, related_name="+")
    right = models.ForeignKey("records.Person", on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(_("verdict"), max_length=10, choices=VERDICTS)
    reason = models.TextField(_("why"))
    at = models.DateTimeField(_("at"), db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.CharField(_("actor"), max_length=200)
    candidate = models.ForeignKey(Candidate, on_delete=models.SET_NULL, null=True, blank=True, related_name="judgements")

    class Meta:
        verbose_name = _("judgement")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["left", "right"], name="linkage_judged_pair")]

    # Not the candidate: a run deletes the open pairs it replaces (an "unsure" pair's among them),
    # which sets it to null; the pair, verdict, reason, who and when are the decision.
    DIGESTED = ("left", "right", "verdict", "reason", "at", "user", "actor")

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("judgements are written once; judge the pair again instead")
        super().save(*args, **kwargs)

    @property
    def row_digest(self) -> str:
        """What the ledger logs for this judgement (``judgement:<id>``)."""
        return _digest(self, self.DIGESTED)


class Merge(models.Model):
    """Two person records joined into one cluster, by a judgement or by a run; undone by marking
    it (the row stays: who merged, who undid, and why)."""

    uid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    left = models.ForeignKey("records.Person", on_delete=models.PROTECT, related_name="+")
    right = models.ForeignKey("records.Person", on_delete=models.PROTECT, related_name="+")
    judgement = models.ForeignKey(Judgement, on_delete=models.PROTECT, null=True, blank=True, related_name="merges")
    run = models.ForeignKey(Run, on_delete=models.PROTECT, null=True, blank=True, related_name="merges", help_text=_("set when merged without review"))
    at = models.DateTimeField(_("merged at"))
    actor = models.CharField(_("merged by"), max_length=200)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.CharField(_("undone by"), max_length=200, blank=True)
    undo_reason = models.TextField(_("why undone"), blank=True)

    class Meta:
        verbose_name = _("merge")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["undone_at"], name="linkage_active_merges")]

    # The merge as made (never changed), and its undoing (set once): two ledger entries.
    MADE = ("uid", "left", "right", "judgement", "run", "at", "actor")
    UNDONE = ("uid", "undone_at", "undone_by", "undo_reason")

    @property
    def row_digest(self) -> str:
        """What the ledger logs when the merge is made (``merge:<id>``)."""
        return _digest(self, self.MADE)

    @property
    def undo_digest(self) -> str:
        """What the ledger logs when the merge is undone (``merge-undo:<id>``)."""
        return _digest(self, self.UNDONE)
