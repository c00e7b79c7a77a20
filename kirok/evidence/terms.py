"""The evidence layer's vocabularies (kirok/data/vocabularies), as loaded by `kirok init`.

Custody actions, derivative operations, origin kinds, capture methods and clock sources are lists
a steward may extend, so they are data like every other vocabulary; the evidence models keep the
codes, checked here against the terms in force.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kirok.evidence.errors import EvidenceError
from kirok.records.models import Term

CUSTODY_ACTIONS = "custody_actions"
OPERATIONS = "derivative_operations"
ORIGIN_KINDS = "origin_kinds"
CAPTURE_METHODS = "capture_methods"
CLOCK_SOURCES = "clock_sources"


def check(vocabulary: str, code: str, field: str) -> str:
    """``code`` if it is a term in force of ``vocabulary``; else an error that lists the choices."""
    codes = list(Term.objects.filter(vocabulary__key=vocabulary, retired=False).order_by("position").values_list("code", flat=True))
    if not codes:
        raise EvidenceError(
            _("%(field)s: the vocabulary %(vocabulary)s is not loaded; run `kirok init`") % {"field": field, "vocabulary": vocabulary}
        )
    if code not in codes:
        raise EvidenceError(
            _("%(field)s: %(code)r is not a term of %(vocabulary)s; use one of: %(codes)s")
            % {"field": field, "code": code, "vocabulary": vocabulary, "codes": ", ".join(codes)}
        )
    return code


def label(vocabulary: str, code: str) -> str:
    """The term's label in the active language, or the bare code for a term no longer listed."""
    term = Term.objects.filter(vocabulary__key=vocabulary, code=code).first()
    return term.label if term else code
