"""The documenters' workspace: thin views over the record, protection and evidence services.

Each view declares its access rule with ``rules.page`` (which also enforces it); records are
fetched through ``kirok.protection.access`` (outside the user's compartments: 404) and shown
through ``display.Reading`` (protected values masked until the audited reveal). Every page works
as plain HTML forms and links; with HTMX, lists refresh in place and pickers suggest as you type
(``HX-Request`` answers with the fragment only).
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kirok.accounts.roles import user_can
from kirok.evidence.errors import EvidenceError
from kirok.evidence.services import Capture, custody_of
from kirok.protection import access
from kirok.protection.principal import Principal
from kirok.protection.reveal import Revealer
from kirok.records import history
from kirok.records.models import Act, BiographicDetail, Changeset, Event, Information, Involvement, Place
from kirok.records.registry import model_for
from kirok.records.services import has_demo_data, workspace_counts

from . import display, forms, queries, services
from .rules import PUBLIC, page

LISTED = ("event", "person", "source", "organization", "place")
LINKED_LIMIT = 50


def principal(request) -> Principal:
    return Principal.of(request.user)


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@page(PUBLIC)
def landing(request):
    """The first page: a newcomer sees what is in this workspace; a signed-in reader goes on to
    the dashboard. Counts here are of the whole workspace and reveal no record."""
    if user_can(request.user, "read_records"):
        return redirect("web:dashboard")
    return render(request, "web/landing.html", {"counts": workspace_counts(), "demo": has_demo_data()})


@page("read_records")
def dashboard(request):
    who = principal(request)
    mine = Changeset.objects.filter(user=request.user).order_by("-id")[:10]
    latest = access.visible(Event.objects.all(), who).order_by("-pk")[:10]
    return render(request, "web/dashboard.html", {
        "figures": queries.dashboard(who), "mine": mine, "latest": latest,
    })


# --- lists --------------------------------------------------------------------------------------

FILTERS = {
    "event": ("q", "category", "act_type", "from", "to", "place"),
    "person": ("q", "sex", "role"),
    "source": ("q", "kind", "basis"),
    "organization": ("q", "kind"),
    "place": ("q", "kind"),
}


def _filter_choices(record_type: str) -> dict:
    choices = {
        "event": {"category": forms.term_choices("coi_violation_categories"), "act_type": forms.term_choices("act_types")},
        "person": {"sex": forms.term_choices("sex"), "role": [("", "—"), ("victim", _("victims")), ("witness", _("witnesses")), ("group", _("counted groups"))]},
        "source": {"kind": forms.term_choices("source_kinds"), "basis": forms.term_choices("testimony_basis")},
        "organization": {"kind": forms.term_choices("organization_kinds")},
        "place": {"kind": [("", "—"), *Place.KINDS]},
    }
    return choices[record_type]


def record_list(request, record_type: str):
    who = principal(request)
    queryset = getattr(queries, f"{record_type}s")(who, request.GET)
    listing = queries.keyset(queryset, request.GET.get("after"))
    rows = [(record, display.label(record), display.record_url(record)) for record in listing.rows]
    context = {
        "record_type": record_type, "model": model_for(record_type), "rows": rows, "page": listing,
        "params": request.GET, "choices": _filter_choices(record_type), "filters": FILTERS[record_type],
        "places": queries.places(who, {}).filter(parent__isnull=True) if record_type == "event" else (),
    }
    template = "web/includes/list_rows.html" if _htmx(request) else "web/list.html"
    return render(request, template, context)


def _list_view(record_type: str):
    def view(request):
        return record_list(request, record_type)

    view.__name__ = f"{record_type}_list"
    view.__doc__ = f"The {record_type} list, filtered and paged by key."
    return page("read_records")(view)


LIST_VIEWS = {t: _list_view(t) for t in LISTED}


# --- one record ---------------------------------------------------------------------------------

def _linked(record, who: Principal) -> list[tuple[str, list]]:
    """What hangs off the record, each kind limited to what the user may see."""
    visible = lambda qs: access.visible(qs, who)[:LINKED_LIMIT]  # noqa: E731 - a local shorthand
    t = record.record_type
    sections = []
    if t == "event":
        sections.append((_("Acts"), [(a, _act_line(a)) for a in visible(record.acts.select_related("act_type", "victim", "place").order_by("pk"))]))
        sections.append((_("Sources"), [(i.source, i.source.title) for i in visible(record.information.select_related("source")) if i.source_id]))
    elif t == "person":
        sections.append((_("Acts suffered"), [(a, f"{display.label(a)} — {a.event.title}") for a in visible(record.acts_suffered.select_related("act_type", "event"))]))
        sections.append((_("Involvement as perpetrator"), [(i.act, f"{display.label(i)} — {display.label(i.act)}") for i in visible(record.involvements.select_related("act__act_type", "degree"))]))
        sections.append((_("Testimonies given"), [(s, s.title) for s in visible(record.testimonies.all())]))
        sections.append((_("Biography"), [(b, f"{b.relationship.label if b.relationship_id else ''} {b.organization or ''} {b.position}") for b in visible(BiographicDetail.objects.filter(person=record).select_related("organization", "relationship"))]))
    elif t == "source":
        sections.append((_("Incidents coded from this source"), [(e, e.title) for e in visible(Event.objects.filter(source=record))]))
        sections.append((_("What this source says"), [(i.event or i.act or i.person, display.label(i)) for i in visible(Information.objects.filter(source=record).select_related("event", "act", "person", "connection"))]))
    elif t == "organization":
        sections.append((_("Units"), [(u, str(u)) for u in record.units.all()[:LINKED_LIMIT]]))
        sections.append((_("Acts it was involved in"), [(i.act, f"{display.label(i)} — {display.label(i.act)}") for i in visible(Involvement.objects.filter(organization=record).select_related("act__act_type", "degree"))]))
        sections.append((_("Members and officials"), [(b.person, f"{display.label(b.person)} {b.position} {b.rank}") for b in visible(BiographicDetail.objects.filter(organization=record).select_related("person"))]))
        sections.append((_("Facilities it runs"), [(p, str(p)) for p in record.facilities.all()[:LINKED_LIMIT]]))
    elif t == "place":
        sections.append((_("Places within"), [(p, str(p)) for p in record.children.all()[:LINKED_LIMIT]]))
        sections.append((_("Incidents here"), [(e, e.title) for e in visible(record.events.order_by("-pk"))]))
        sections.append((_("Acts here"), [(a, f"{display.label(a)} — {a.event.title}") for a in visible(Act.objects.filter(place=record).select_related("act_type", "event").order_by("-pk"))]))
    elif t in ("act", "involvement", "information"):
        if t == "act":
            sections.append((_("Perpetrators"), [(i.perpetrator or i.organization, f"{display.label(i)} — {display.label(i.perpetrator) if i.perpetrator else i.organization}") for i in visible(record.involvements.select_related("perpetrator", "organization", "degree"))]))
            sections.append((_("Sources"), [(i.source, i.source.title) for i in visible(record.information.select_related("source")) if i.source_id]))
    return [(title, [(display.record_url(r), text) for r, text in items if r is not None]) for title, items in sections]


def _act_line(act) -> str:
    """An act in a list: what, to whom (pseudonym or group), where and when."""
    from .templatetags.kirok_web import kdate

    parts = [display.label(act), display.label(act.victim) if act.victim_id else _("no victim recorded")]
    if act.place_id:
        parts.append(str(act.place))
    if act.start_date:
        parts.append(kdate(act.start_date))
    return " · ".join(parts)


def _record(request, record_type: str, uid):
    if record_type not in display.PLURAL:
        raise Http404()
    return access.get(record_type, str(uid), principal(request))


def _evidence(record) -> list:
    if record.record_type != "source":
        return []
    from kirok.evidence.models import Item

    return list(Item.objects.filter(source=record).order_by("-id")[:LINKED_LIMIT])


def _record_page(request, record_type: str, uid, *, reveal_purpose: str = ""):
    who = principal(request)
    record = _record(request, record_type, uid)
    reading = display.Reading(record, who)
    if reveal_purpose:
        reading.reveal(reveal_purpose)
    context = {
        "record": record, "record_type": record_type, "title": display.label(record), "reading": reading,
        "rows": reading.rows(), "linked": _linked(record, who), "evidence": _evidence(record),
        "reveal_form": forms.RevealForm(), "revealed": reading.plain is not None,
        "pseudonym": display.label(record) if record_type == "person" else "",
        "history_url": reverse(f"web:{record_type}-history", args=[record.uid]),
        "reveal_url": reverse(f"web:{record_type}-reveal", args=[record.uid]),
        "compartments": _compartment_names(record), "may_write": who.can("write_records"),
    }
    if _htmx(request) and reveal_purpose:
        return render(request, "web/includes/fields.html", context)
    return render(request, "web/record.html", context)


def _compartment_names(record) -> list[str]:
    from kirok.protection.compartments import compartments_of
    from kirok.protection.models.compartments import COMPARTMENTED

    return compartments_of(record) if record.record_type in COMPARTMENTED else []


def _record_view(record_type: str):
    def view(request, uid):
        return _record_page(request, record_type, uid)

    view.__name__ = f"{record_type}_page"
    return page("read_records")(view)


def _reveal_view(record_type: str):
    @require_http_methods(["GET", "POST"])
    def view(request, uid):
        """The audited reveal: a POST with a purpose shows this record's protected values once."""
        if request.method == "GET":
            _record(request, record_type, uid)  # 404 outside the compartments, as the page
            return redirect(f"web:{record_type}", uid=uid)
        form = forms.RevealForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say why you need to see the protected values: the reason is recorded."))
            return redirect(f"web:{record_type}", uid=uid)
        if request.POST.get("view") == "history":
            return _history_page(request, record_type, uid, reveal_purpose=form.cleaned_data["purpose"])
        return _record_page(request, record_type, uid, reveal_purpose=form.cleaned_data["purpose"])

    view.__name__ = f"{record_type}_reveal"
    return page("see_protected")(view)


def _history_page(request, record_type: str, uid, *, reveal_purpose: str = ""):
    """Versions newest first, each as a field-by-field diff with who, when, why and from which source."""
    who = principal(request)
    record = _record(request, record_type, uid)
    revealer = Revealer(who, reveal_purpose or "history page", reveal=bool(reveal_purpose))
    versions = list(history.versions(record).select_related("changeset__user", "changeset__source"))
    entries = []
    previous: dict = {}
    for version in versions:
        data = revealer.dict(record_type, version.data)
        changes = [(name, _short(before), _short(after)) for name, (before, after) in history.diff(previous, data).items() if name != "id"]
        entries.append({"version": version, "changes": changes})
        previous = data
    if reveal_purpose:
        revealer.flush()
    provenance = sorted(history.field_provenance(record).items())
    return render(request, "web/history.html", {
        "record": record, "record_type": record_type, "title": display.label(record), "entries": entries[::-1],
        "provenance": provenance, "reveal_form": forms.RevealForm(), "revealed": bool(reveal_purpose) and revealer.allowed,
        "may_reveal": display.Reading(record, who).may_reveal,
        "reveal_url": reverse(f"web:{record_type}-reveal", args=[record.uid]),
        "record_url": display.record_url(record),
    })


def _short(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        import orjson

        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()[:500]
    return str(value)[:500]


def _history_view(record_type: str):
    def view(request, uid):
        return _history_page(request, record_type, uid)

    view.__name__ = f"{record_type}_history"
    return page("read_records")(view)


RECORD_VIEWS = {t: (_record_view(t), _history_view(t), _reveal_view(t)) for t in display.PLURAL}


# --- writing ------------------------------------------------------------------------------------

@page("write_records")
@require_http_methods(["GET", "POST"])
def testimony_new(request):
    who = principal(request)
    form = forms.TestimonyForm(request.POST or None, compartments=services.compartments_for(who))
    if request.method == "POST" and form.is_valid():
        try:
            testimony = services.record_testimony(who, form.draft())
        except services.DraftError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Testimony recorded. The witness appears as %(pseudonym)s.") % {
                "pseudonym": display.label(testimony.witness)})
            return redirect("web:source", uid=testimony.uid)
    return render(request, "web/testimony_form.html", {"form": form, "has_compartments": bool(form.fields["compartment"].choices)})


@page("write_records")
@require_http_methods(["GET", "POST"])
def incident_new(request):
    """The incident builder: an event and its acts on one form. "Add another act" posts the form
    back with one more act (nothing is saved until "Save incident")."""
    who = principal(request)
    compartments = services.compartments_for(who)
    if request.method == "POST":
        form = forms.IncidentForm(request.POST, compartments=compartments)
        acts = forms.ActFormSet(request.POST, prefix="acts")
        if "add_act" in request.POST:
            acts = _with_one_more(request.POST, acts)
        elif form.is_valid() and acts.is_valid():
            try:
                event = services.build_incident(who, form.draft([a.draft() for a in acts.forms]))
            except services.DraftError as exc:
                _place_error(form, acts, exc)
            else:
                messages.success(request, _("Incident saved with %(n)d act(s).") % {"n": event.acts.count()})
                return redirect("web:event", uid=event.uid)
    else:
        form = forms.IncidentForm(initial={"source": request.GET.get("source", "")}, compartments=compartments)
        acts = forms.ActFormSet(prefix="acts", initial=[{}])
    return render(request, "web/incident_form.html", {"form": form, "acts": acts, "has_compartments": bool(compartments)})


def _with_one_more(data, acts):
    data = data.copy()
    total = int(data.get("acts-TOTAL_FORMS", "1") or 1)
    data["acts-TOTAL_FORMS"] = str(min(total + 1, 50))
    formset = forms.ActFormSet(data, prefix="acts")
    formset._errors = []  # a re-display, not a submission: no errors yet
    for f in formset.forms:
        f._errors = {}
    return formset


def _place_error(form, acts, exc: services.DraftError) -> None:
    target = exc.field
    if target.startswith("acts-"):
        _prefix, index, *rest = target.split("-", 2)
        act_form = acts.forms[int(index)]
        name = rest[0] if rest else None
        act_form.add_error(name if name in act_form.fields else None, str(exc))
    else:
        form.add_error(target if target in form.fields else None, str(exc))


@page("read_records")
def place_lookup(request):
    """Candidates for a place or unit picker: the ``<select>`` options HTMX puts under the field;
    without JavaScript the form itself offers them after a submit."""
    field = request.GET.get("field", "place")
    if not re.fullmatch(r"[\w-]{1,80}", field):
        field = "place"
    query = next((v for k, v in request.GET.items() if k.endswith("_query")), "") or request.GET.get("q", "")
    finder, describe = (forms.find_units, forms.org_label) if field.endswith("unit") else (forms.find_places, forms.place_label)
    candidates = [(str(c.uid), describe(c)) for c in finder(query)] if query.strip() else []
    return render(request, "web/includes/picker_options.html", {"candidates": candidates, "field": field, "query": query})


@page("write_records")
@require_http_methods(["GET", "POST"])
def evidence_upload(request):
    who = principal(request)
    form = forms.EvidenceForm(request.POST or None, request.FILES or None, initial={"source": request.GET.get("source", "")})
    wants_json = request.headers.get("X-Kirok-Upload") == "1"
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        capture = Capture(collector=form.cleaned_data["collector"], method=form.cleaned_data["method"],
                          origin_kind=form.cleaned_data["origin_kind"], origin=upload.name, notes=form.cleaned_data["notes"])
        try:
            intake = services.upload_evidence(who, upload, name=upload.name, source_ref=form.cleaned_data["source"],
                                              capture=capture, reason=form.cleaned_data["reason"],
                                              media_type=upload.content_type or "")
        except services.DraftError as exc:
            form.add_error("source", str(exc))
        except EvidenceError as exc:
            form.add_error(None, str(exc))
        else:
            item = intake.item
            url = reverse("web:evidence", args=[item.uid])
            if wants_json:
                return JsonResponse({"sha256": item.sha256, "url": url, "created": intake.created, "size": item.size})
            if intake.created:
                messages.success(request, _("Received. SHA-256: %(sha)s") % {"sha": item.sha256})
            else:
                messages.info(request, _("The vault already held these bytes; a new receipt was recorded. SHA-256: %(sha)s") % {"sha": item.sha256})
            return redirect(url)
    if wants_json and request.method == "POST":
        return JsonResponse({"errors": {k: [str(e) for e in v] for k, v in form.errors.items()}}, status=400)
    return render(request, "web/evidence_form.html", {"form": form})


@page("read_records")
def evidence_item(request, uid):
    item = services.item_for(principal(request), uid)
    return render(request, "web/evidence.html", {
        "item": item, "custody": custody_of(item), "source_url": display.record_url(item.source), "source_label": item.source.title,
        "derivatives": list(item.derivatives.all()[:LINKED_LIMIT]),
    })
