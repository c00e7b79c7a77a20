from decimal import ROUND_HALF_EVEN, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kirok.records.fields import TermField, UncertainDateField

from .base import Child, Record

CONFIDENCE = [
    ("verified", _("verified in a primary text")),
    ("secondary", _("secondary source")),
    ("unverified", _("unverified")),
    ("conflicting", _("sources conflict")),
]

ONE_KM = Decimal("0.01")


class Located(Record):
    """A record with coordinates (ESF 0173/2172), kept no finer than 0.01° (~1 km): the record
    must never pinpoint a home, an execution or a burial site."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.latitude = round_coordinate(self.latitude, 90)
        self.longitude = round_coordinate(self.longitude, 180)
        super().save(*args, **kwargs)


class Place(Located):
    """A place in the gazetteer: an administrative division, a locality or a facility.

    Names are kept in both orthographies (DPRK 량강도, ROK 양강도) and three romanizations, because
    testimony uses all of them.
    """

    record_type = "place"

    KINDS = [("division", _("administrative division")), ("locality", _("locality")), ("facility", _("facility"))]
    STATUSES = [
        ("operating", _("operating")), ("closed", _("closed")), ("relocated", _("relocated")),
        ("disputed", _("disputed")), ("unknown", _("unknown")),
    ]

    kind = models.CharField(_("kind"), max_length=16, choices=KINDS)
    division_type = models.CharField(_("division type"), max_length=40, blank=True, help_text=_("province, county, city, ri, dong…"))
    parent = models.ForeignKey("self", verbose_name=_("within"), on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    iso_code = models.CharField(_("ISO 3166-2 code"), max_length=10, blank=True, db_index=True)
    name_ko = models.CharField(_("name (Hangul, DPRK spelling)"), max_length=200, db_index=True)
    name_rok = models.CharField(_("name (Hangul, ROK spelling)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    mr = models.CharField(_("McCune–Reischauer"), max_length=200, blank=True)
    rr = models.CharField(_("Revised Romanization"), max_length=200, blank=True)
    dprk = models.CharField(_("DPRK romanization"), max_length=200, blank=True)
    valid_from = UncertainDateField(_("valid from"), db_index=False)
    valid_to = UncertainDateField(_("valid to"), db_index=False)
    facility_type = TermField("facility_types", verbose_name=_("facility type"))
    operator = models.ForeignKey("records.Organization", verbose_name=_("operator"), on_delete=models.PROTECT, null=True, blank=True, related_name="facilities")
    status = models.CharField(_("status"), max_length=16, choices=STATUSES, blank=True)
    status_as_of = UncertainDateField(_("status as of"), db_index=False)
    confidence = models.CharField(_("confidence"), max_length=16, choices=CONFIDENCE, blank=True)
    citation = models.TextField(_("sources cited"), blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=5, decimal_places=2, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=5, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["iso_code", "name_ko"]

    def __str__(self) -> str:
        return self.name_ko if not self.name_en else f"{self.name_ko} ({self.name_en})"


def round_coordinate(value, limit: int) -> Decimal | None:
    """Round to 0.01° (~1 km): the finest precision Kirok stores for any place."""
    if value in (None, ""):
        return None
    d = Decimal(str(value)).quantize(ONE_KM, rounding=ROUND_HALF_EVEN)
    if abs(d) > limit:
        raise ValidationError(_("coordinate %(value)s is outside ±%(limit)s") % {"value": value, "limit": limit})
    return d


class PlaceName(Child):
    """Another name of a place: a spelling variant, a former name with its validity."""

    owner_field = "place"
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("name"), max_length=200)
    script = models.CharField(_("script"), max_length=8, blank=True)
    romanization = models.CharField(_("romanization"), max_length=8, blank=True)
    valid_from = models.CharField(_("valid from"), max_length=40, blank=True)
    valid_to = models.CharField(_("valid to"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("place name")
        ordering = ["id"]
