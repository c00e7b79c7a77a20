"""Printable documents: an HTML template rendered to PDF by WeasyPrint.

Case files, submissions, briefing packs and dossiers are pages of HTML first (``web/print/base.html``
gives them the page size, running header and footer, and a Hangul font), so that what a user sees
in the workspace and what leaves as PDF come from the same template.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from kirok.records.services import has_demo_data


def render_html(template_name: str, context: dict, *, language: str | None = None) -> str:
    """The document's HTML in ``language`` (the active one when None); the fictional-data mark
    is added whenever the demo set is in the workspace, so that no printout of it can pass as real."""
    context = {"fictional": has_demo_data(), **context}
    with translation.override(language or translation.get_language()):
        return render_to_string(template_name, context)


def render_pdf(template_name: str, context: dict, *, language: str | None = None) -> bytes:
    """The document as PDF bytes. Images and charts are embedded in the HTML (data: URLs or inline
    SVG): WeasyPrint is given no base URL, so a document never fetches anything."""
    from weasyprint import HTML  # imported here: it loads Pango, which pages that print nothing need not

    return HTML(string=render_html(template_name, context, language=language)).write_pdf()
