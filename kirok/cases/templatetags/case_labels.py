"""Template filters that turn a case's codes into words (``kirok.cases.labels``)."""

from django import template

from kirok.cases import labels

register = template.Library()

for name in ("assessment", "strength", "standard", "version_action", "target_kind", "custody_action", "consent_scope", "post", "assessment_summary"):
    register.filter(f"{name}_label" if not name.endswith(("_label", "_summary")) else name, getattr(labels, name))
