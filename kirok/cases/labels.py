"""Words for the codes a case keeps: what a page, the command line and the case file show instead
of ``reasonable_grounds``, ``supports`` or ``received``.

The records keep codes (stable, language-free, in every version's snapshot and digest); people
read labels in their own language. Labels come from where the code is defined: assessments and
strengths from ``ElementLink``'s choices (gettext), standards of proof from
``standards_of_proof.yaml`` (bilingual data), custody actions from the ``custody_actions``
vocabulary, version actions and target kinds from here (gettext). A code no longer defined is
shown as it is, so an old version never renders blank.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from . import frameworks
from .models import ElementLink

# What a version of a link (or any case record) did, as its history lists it.
VERSION_ACTIONS = {"create": gettext_lazy("recorded"), "update": gettext_lazy("reassessed"), "delete": gettext_lazy("withdrawn")}
# The kind of record a link points to.
TARGET_KINDS = {"act": gettext_lazy("act"), "information": gettext_lazy("source passage"), "item": gettext_lazy("evidence item"),
                "position": gettext_lazy("position")}


def assessment(code: str) -> str:
    return str(dict(ElementLink.ASSESSMENTS).get(code, code))


def strength(code: str) -> str:
    return str(dict(ElementLink.STRENGTHS).get(code, code))


def standard(code: str) -> str:
    """The standard of proof's label in the active language; "—" for none."""
    if not code:
        return "—"
    found = frameworks.standards().get(code)
    return found.label if found else code


def version_action(code: str) -> str:
    return str(VERSION_ACTIONS.get(code, code))


def target_kind(code: str) -> str:
    return str(TARGET_KINDS.get(code, code))


def custody_action(code: str) -> str:
    """A custody action's label from its vocabulary (the evidence layer's own lookup)."""
    from kirok.evidence import terms

    return terms.label(terms.CUSTODY_ACTIONS, code)


def consent_scope(code: str) -> str:
    """A recipient scope (prosecutors, sanctions …) as the consent_scopes vocabulary names it."""
    from kirok.evidence import terms

    return terms.label("consent_scopes", code)


def assessment_summary(data: dict) -> str:
    """One version's assessment as words: "supports · strong · reasonable grounds · note"."""
    parts = [assessment(data.get("assessment", "")), strength(data.get("strength", "")), standard(data.get("standard", ""))]
    if data.get("note"):
        parts.append(data["note"])
    return " · ".join(parts)


def post(detail) -> str:
    """What a position was (commander, deputy, … other post), as the chain of command classes it."""
    from . import command

    return command.post_label(command.post_of(detail))
