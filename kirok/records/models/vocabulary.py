from django.db import models
from django.utils.translation import get_language, gettext_lazy as _


class Vocabulary(models.Model):
    """A controlled list (an ESF micro-thesaurus or one of Kirok's own), loaded from kirok/data."""

    key = models.SlugField(_("key"), max_length=64, unique=True)
    label_en = models.CharField(_("English label"), max_length=200)
    label_ko = models.CharField(_("Korean label"), max_length=200)
    esf_mt = models.PositiveSmallIntegerField(_("ESF micro-thesaurus"), null=True, blank=True)
    source = models.TextField(_("source"))
    licence = models.CharField(_("licence"), max_length=200)

    class Meta:
        verbose_name = _("vocabulary")
        verbose_name_plural = _("vocabularies")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class Term(models.Model):
    """One term; hierarchical, with a Korean and an English label."""

    vocabulary = models.ForeignKey(Vocabulary, on_delete=models.CASCADE, related_name="terms")
    code = models.SlugField(_("code"), max_length=64)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    path = models.CharField(_("path"), max_length=400, help_text=_("codes from the top of the tree, joined by ::"))
    label_en = models.CharField(_("English label"), max_length=200)
    label_ko = models.CharField(_("Korean label"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    position = models.PositiveIntegerField(default=0)
    retired = models.BooleanField(_("retired"), default=False, help_text=_("kept for old records, not offered for new ones"))

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["vocabulary", "position"]
        constraints = [models.UniqueConstraint(fields=["vocabulary", "code"], name="term_unique_code")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_ko if (get_language() or "").startswith("ko") else self.label_en
