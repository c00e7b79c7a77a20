"""The search index: one document per indexed record, its facet values, and (per backend) the
full-text structure over its terms.

A ``Document`` holds only what may rest in the database unencrypted: the record's open text
(for snippets), its analysed terms, their cross-script keys, and **blind** tokens — keyed hashes
(HMAC under the blind-index key) of the terms of protected text and of the matching keys of
protected names. No protected plaintext is ever written here (docs/search.md).
The full-text index itself is the backend's (``kirok.search.backends``): an FTS5 table over
``terms``/``keys``/``names``/``blind`` on SQLite, a ``tsvector`` column with a GIN index on PostgreSQL,
both made by this app's migrations.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Document(models.Model):
    record_type = models.CharField(_("record type"), max_length=24)
    record_id = models.BigIntegerField(_("record key"))
    uid = models.UUIDField(_("id"))
    external_id = models.CharField(_("external id"), max_length=200, blank=True)
    label = models.CharField(_("label"), max_length=400, blank=True, help_text=_("open title or name; empty when only protected values name the record"))
    text = models.TextField(_("open text"), blank=True, help_text=_("the record's unprotected text, for snippets"))
    terms = models.TextField(blank=True, help_text=_("analysed terms of the open text, in order, space-separated"))
    keys = models.TextField(blank=True, help_text=_("the cross-script key of each term, in the same order"))
    names = models.TextField(blank=True, help_text=_("keys of whole person and place names in the open text"))
    blind = models.TextField(blank=True, help_text=_("keyed hashes of protected terms and names, sorted, without repeats"))
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("search document")
        constraints = [models.UniqueConstraint(fields=["record_type", "record_id"], name="search_document_record")]
        indexes = [
            models.Index(fields=["uid"], name="search_document_uid"),
            # What a search reads of every hit (its type for the counts, its record for the access
            # check), dense: the table's own rows are a page or more each (open text, terms, keys),
            # so joining tens of thousands of hits through it costs a page read per hit.
            models.Index(fields=["id", "record_type", "record_id"], name="search_document_hit"),
        ]


class Facet(models.Model):
    """One facet value of a document. ``via`` names the record the value was learned from when it
    is not the document's own record (an act's perpetrator unit comes from an involvement): the
    value counts only for users who may see that record too."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="facets")
    facet = models.CharField(max_length=24)
    value = models.CharField(max_length=64)
    via_type = models.CharField(max_length=24, blank=True)
    via_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("search facet value")
        indexes = [
            models.Index(fields=["facet", "value"], name="search_facet_value"),
            models.Index(fields=["document", "facet"], name="search_facet_document"),
        ]


class Pending(models.Model):
    """A changeset whose records are still to be indexed.

    A large changeset (an import) is indexed after it commits, in batches of their own
    transactions, so that an import neither holds every document in memory nor waits on Kiwi
    inside its transaction. The marker is written inside the changeset's transaction — it exists
    if and only if the changeset committed — and removed when the indexing after commit ends; one
    left behind by a crash is finished by ``kirok search reindex --pending``.
    """

    changeset_id = models.BigIntegerField(_("changeset"), unique=True)
    versions = models.BigIntegerField(_("versions"), default=0, help_text=_("how many versions the changeset wrote"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("changeset waiting for the search index")
        ordering = ["changeset_id"]
