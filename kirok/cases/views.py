"""Case pages: the list, one case with its matrix and links, a suspect's matrix, a link with its
history, the chain of command, sanctions dossiers, and the case-file and dossier downloads.
Thin: every check and every change is in ``kirok.cases.services`` (and the builders beside it)."""

from __future__ import annotations

import tempfile
from uuid import UUID
from pathlib import Path

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kirok.protection import access
from kirok.protection.models import Compartment, Membership
from kirok.protection.principal import NotFound
from kirok.protection.reveal import Revealer
from kirok.records.services import principal_for
from kirok.types.dates import DateError, UncertainDate
from kirok.web.display import label, record_url
from kirok.web.templatetags.kirok_web import kdate
from kirok.web.rules import page

from . import casefile, command, dossier, frameworks, labels, matrix, services
from .forms import (AssessmentForm, CaseForm, ChargesForm, CommandForm, ExportForm, FacilityOperatorForm, LinkForm, SuspectForm, UnitParentForm,
                    UnlinkForm)
from .models import ElementLink, Suspect
from .versioning import versions


def _compartments(user):
    return Compartment.objects.filter(pk__in=Membership.objects.filter(user=user).values("compartment_id")).order_by("key")


def _suspects(case) -> list[tuple[str, list[str], str]]:
    """(uid, modes, label) of each suspect, persons by pseudonym."""
    return [(str(s.uid), s.modes, _suspect_label(s)) for s in case.suspects.select_related("person", "organization").order_by("pk")]


def _errors(form) -> str:
    """A refused form's errors in one line, each naming its field, for the message shown after the redirect."""
    return "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())


def _suspect_label(suspect: Suspect) -> str:
    return label(suspect.person) if suspect.person_id else str(suspect.organization)


@page("read_records")
def cases(request):
    principal = principal_for(request.user)
    form = CaseForm(request.POST or None, compartments=_compartments(request.user))
    if request.method == "POST":
        principal.require("write_records")
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.create_case(key=data["key"], title=data["title"], compartment=data["compartment"], charges=data["charges"],
                                            summary=data["summary"], principal=principal, reason=data["reason"])
            except services.CaseError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("cases:case", uid=case.uid)
    return render(request, "cases/list.html", {
        "cases": services.cases_for(principal).order_by("key"), "form": form, "can_write": principal.can("write_records"),
    }, status=400 if form.errors else 200)


@page("read_records")
def case(request, uid):
    principal = principal_for(request.user)
    found = services.get_case(str(uid), principal)
    links = services.reachable_links(found.links.all(), principal)
    suspects = _suspects(found)
    return render(request, "cases/case.html", {
        "case": found, "matrix": matrix.compute(found, reader=principal), "suspects": suspects,
        "links": links.select_related("suspect", "act__act_type", "information__connection", "item", "position").order_by("framework", "element", "pk"),
        "suspect_labels": {UUID(uid): label for uid, _modes, label in suspects},
        "link_form": LinkForm(case=found, suspects=suspects), "suspect_form": SuspectForm(), "export_form": ExportForm(),
        "charges_form": ChargesForm(initial={"charges": found.charges}),
        "can_write": principal.can("write_records"), "can_export": principal.can("export"),
    })


def _submit(request, form, do, done: str, failed: str) -> None:
    """A form posted to change something through a service: ``do(cleaned_data)`` when the form is
    valid; a message either way (``done``, the service's refusal, or ``failed`` with the form's
    errors by field). The caller redirects."""
    if form.is_valid():
        try:
            do(form.cleaned_data)
        except (services.CaseError, NotFound) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done)
    else:
        messages.error(request, failed % {"errors": _errors(form)})


@page("write_records")
@require_POST
def link_new(request, uid):
    principal = principal_for(request.user)
    found = services.get_case(str(uid), principal)

    def record(data):
        services.link(found, element=data["element"], target=data["target"], ref=data["ref"], principal=principal,
                      suspect=services.get_suspect(found, data["suspect"]) if data["suspect"] else None,
                      assessment=services.Assessment(data["assessment"], data["strength"], data["standard"], data["note"]),
                      reason=data["reason"])

    _submit(request, LinkForm(request.POST, case=found, suspects=_suspects(found)), record, _("Link recorded."),
            _("The link was not recorded: %(errors)s"))
    return redirect("cases:case", uid=found.uid)


@page("write_records")
@require_POST
def charges_edit(request, uid):
    principal = principal_for(request.user)
    found = services.get_case(str(uid), principal)
    _submit(request, ChargesForm(request.POST), lambda data: services.set_charges(
        found, data["charges"], principal=principal, reason=data["reason"]), _("Charges changed."),
        _("The charges were not changed: %(errors)s"))
    return redirect("cases:case", uid=found.uid)


@page("write_records")
@require_POST
def suspect_new(request, uid):
    principal = principal_for(request.user)
    found = services.get_case(str(uid), principal)
    _submit(request, SuspectForm(request.POST), lambda data: services.add_suspect(
        found, person=data["person"].strip(), organization=data["organization"].strip(), modes=data["modes"], principal=principal,
        reason=data["reason"]), _("Suspect added."), _("The suspect was not added: %(errors)s"))
    return redirect("cases:case", uid=found.uid)


def _own_link(uid, principal, *, withdrawn: bool = False) -> ElementLink:
    """A link of a case the principal may read, whose target they may see; else NotFound."""
    return services.find_link(str(uid), principal, withdrawn=withdrawn)


def _target(found: ElementLink) -> tuple[str, str, str]:
    """(kind, label, URL) of the record a link points to, for a reader who may see it (the link
    itself is shown only to them): an act by its type and date, a passage by its connection, a
    position by its title, an evidence item by its hash."""
    record = getattr(found, found.target_kind)
    if found.target_kind == "item":
        return labels.target_kind("item"), f"SHA-256 {record.sha256}", reverse("web:evidence", args=[record.uid])
    text = label(record)
    if found.target_kind == "act" and record.start_date:
        text = f"{text}, {kdate(record.start_date)}"
    elif found.target_kind == "position":
        text = " · ".join(str(part) for part in (record.position or _("position"), record.organization or "") if part)
    return labels.target_kind(found.target_kind), text, record_url(record)


def _element(found: ElementLink):
    """The element a link names, or None when it has left its framework file."""
    framework = frameworks.frameworks().get(found.framework)
    return framework.element(found.element) if framework else None


@page("read_records")
def link(request, uid):
    """A link, what it points to and its whole history; a withdrawn link stays readable (read
    only) for whoever may see what it pointed to."""
    principal = principal_for(request.user)
    found = _own_link(uid, principal, withdrawn=True)
    withdrawn = found.deleted_at is not None
    form = AssessmentForm(request.POST or None, initial={
        "assessment": found.assessment, "strength": found.strength, "standard": found.standard, "note": found.note})
    if request.method == "POST":
        principal.require("write_records")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.reassess(found, services.Assessment(data["assessment"], data["strength"], data["standard"], data["note"]),
                                  principal=principal, reason=data["reason"])
            except services.CaseError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Assessment recorded."))
                return redirect("cases:link", uid=found.uid)
    history = list(versions(found))
    return render(request, "cases/link.html", {
        "link": found, "versions": history, "form": form, "unlink_form": UnlinkForm(), "withdrawn": withdrawn,
        "withdrawal": history[-1] if withdrawn and history and history[-1].action == "delete" else None,
        "element": _element(found), "target": _target(found),
        "can_write": principal.can("write_records") and not withdrawn,
    }, status=400 if form.errors else 200)


@page("write_records")
@require_POST
def link_remove(request, uid):
    principal = principal_for(request.user)
    found = _own_link(uid, principal, withdrawn=True)
    form = UnlinkForm(request.POST)
    if form.is_valid():
        try:
            services.unlink(found, principal=principal, reason=form.cleaned_data["reason"])
        except services.CaseError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Link withdrawn; its history is kept."))
    else:
        messages.error(request, _("Say why the link is withdrawn."))
    return redirect("cases:case", uid=found.case.uid)


@page("read_records")
def suspect(request, uid):
    principal = principal_for(request.user)
    found = Suspect.objects.filter(uid=uid, case__in=services.cases_for(principal)).select_related("case", "person", "organization").first()
    if found is None:
        raise NotFound(str(uid))
    if found.person_id:
        access.check(found.person, principal)
    restrict = services.within_reach(principal)
    positions = list(command.positions_of(found.person, restrict)) if found.person_id else []
    return render(request, "cases/suspect.html", {
        "suspect": found, "label": _suspect_label(found), "positions": positions,
        "matrix": matrix.compute(found.case, found, reader=principal),
    })


@page("read_records")
def chain_of_command(request):
    principal = principal_for(request.user)
    form = CommandForm(request.GET or None)
    chains, error = [], ""
    if request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            on = UncertainDate.parse(data["on"])
            chains = command.chains_for(data["unit"] or data["place"], "organization" if data["unit"] else "place", on, principal,
                                        services.within_reach(principal))
        except DateError as exc:
            error = str(exc)
        except NotFound:
            error = _("No such unit or facility.")
        if not chains and not error:
            error = _("No unit is recorded as operating this facility on this date.")
    return render(request, "cases/command.html", {
        "form": form, "chains": chains, "error": error, "parent_form": UnitParentForm(), "operator_form": FacilityOperatorForm(),
        "can_write": principal.can("write_records"),
    }, status=400 if error else 200)


@page("write_records")
@require_POST
def unit_parent_new(request):
    principal = principal_for(request.user)
    _submit(request, UnitParentForm(request.POST), lambda data: services.set_unit_parent(
        unit=data["unit"], parent=data["parent"], start=data["start"], end=data["end"], citation=data["citation"], principal=principal,
        reason=data["reason"]), _("Unit hierarchy recorded."), _("The unit hierarchy was not recorded: %(errors)s"))
    return redirect("cases:command")


@page("write_records")
@require_POST
def facility_operator_new(request):
    principal = principal_for(request.user)
    _submit(request, FacilityOperatorForm(request.POST), lambda data: services.set_facility_operator(
        place=data["place"], unit=data["unit"], start=data["start"], end=data["end"], citation=data["citation"], principal=principal,
        reason=data["reason"]), _("Facility operator recorded."), _("The facility operator was not recorded: %(errors)s"))
    return redirect("cases:command")


def _dossier_view(request, uid, kind: str):
    principal = principal_for(request.user)
    if request.method == "POST":
        return _download(request, principal, lambda out, scope, purpose: dossier.export(
            kind, str(uid), out, principal=principal, scope=scope, purpose=purpose), f"dossier-{uid}.pdf")
    masked = Revealer(principal, "sanctions dossier page", reveal=False)
    found = dossier.build(kind, str(uid), principal, services.within_reach(principal), masked.dict)
    return render(request, "cases/dossier.html", {
        "dossier": found, "export_form": ExportForm(initial={"scope": "sanctions"}), "can_export": principal.can("export"),
    })


@page("read_records")
def person_dossier(request, uid):
    return _dossier_view(request, uid, "person")


@page("read_records")
def organization_dossier(request, uid):
    return _dossier_view(request, uid, "organization")


@page("export")
@require_POST
def case_file(request, uid):
    principal = principal_for(request.user)
    found = services.get_case(str(uid), principal)
    return _download(request, principal, lambda out, scope, purpose: casefile.export(
        found, out, principal=principal, scope=scope, purpose=purpose), f"case-{found.key}.pdf")


def _download(request, principal, make, filename: str):
    """Make a document through the consent gate (the ``export`` capability) and send it."""
    principal.require("export")
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the recipient scope and the purpose of the document."))
        return redirect(request.path)
    with tempfile.TemporaryDirectory(prefix="kirok-document-") as folder:
        pdf, _disclosure = make(Path(folder) / filename, form.cleaned_data["scope"], form.cleaned_data["purpose"])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
