"""How a pair and its reasons are shown, the same on the web page and in the terminal."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kirok.linkage.settings import current

SHOWN = ("external_id", "names", "sex", "birth_date", "origin", "source", "occupation", "remarks")


def text(value) -> str:
    """A record's value as lines of text: names by their full name, lists one per line."""
    if isinstance(value, list):
        return "\n".join(text(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("full_name") or ", ".join(f"{k}: {v}" for k, v in value.items()))
    return "" if value is None else str(value)


def rows(left: dict, right: dict) -> list[dict]:
    return [{"field": name, "left": text(left.get(name)), "right": text(right.get(name))} for name in SHOWN]


def reasons(pair) -> list[dict]:
    """Each compared field: the level the pair reached, in words, and the weight it gave."""
    out = []
    for comparison in current().comparisons:
        found = pair.fields.get(comparison.field, {})
        labels = {level.test: level.label for level in comparison.levels}
        out.append({"field": comparison.field, "level": labels.get(found.get("level"), _("not known on one side")),
                    "weight": found.get("weight", 0)})
    return out
