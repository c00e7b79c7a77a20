"""Loading the shipped cycles (``kirok/data/upr/cycles.yaml``): re-loading updates in place."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from .models import Cycle
from .vocab import read

FIELDS = ("review_date", "wg_session", "plenary_date", "hrc_session", "report_symbol", "report_date", "addendum_symbol",
          "received", "supported", "partially_supported", "noted", "rejected_stated", "confidence", "note")
DATES = {"review_date", "plenary_date", "report_date"}
TEXTS = {"report_symbol", "addendum_symbol", "confidence", "note"}


def load_cycles() -> int:
    """Create or update every shipped cycle; returns how many the file holds."""
    doc = read("cycles")
    with transaction.atomic():
        for entry in doc["cycles"]:
            values = {"state": doc["state"]["code"], "source": " ".join(doc["source"].split())}
            for name in FIELDS:
                value = entry.get(name)
                if name in DATES and value:
                    value = date.fromisoformat(str(value))
                if name in TEXTS:
                    value = " ".join(str(value).split()) if value else ""
                values[name] = value
            Cycle.objects.update_or_create(number=entry["number"], defaults=values)
    return len(doc["cycles"])
