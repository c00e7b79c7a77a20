"""Template filters of the case pages and documents."""

from django import template

from kirok.protection import pseudonyms
from kirok.records.exchange import canonical_uuid

register = template.Library()


@register.filter
def pseudonym(value) -> str:
    """A person's Kirok id as their keyed pseudonym; a value that is no Kirok id (already a
    pseudonym, as a gated disclosure writes it, or empty) is left as it is."""
    text = str(value or "")
    uid = canonical_uuid(text)
    return pseudonyms.pseudonym(uid) if uid else text
